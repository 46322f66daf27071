"""The no-op task the outbox delivery rate is compared with."""

import redis
from celery import shared_task
from django.conf import settings

COUNTER = "bench:noop"


@shared_task(name="bench.noop", ignore_result=True)
def noop() -> None:
    redis.Redis.from_url(settings.REDIS_URL).incr(COUNTER)
