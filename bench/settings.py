"""Benchmark settings: the production settings plus the baseline routes and the no-op
task. Only the benchmark stack loads this module; production never does."""

from continuum.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405 - registers bench.tasks with Celery
# The load generator posts from one address: the per-IP limit on the public form would
# otherwise turn the measurement into a measurement of 429 pages.
INTERVENTION_REQUEST_RATE = "100000000/m"
# Collected into a scratch directory, so a benchmark never touches the deploy's copy.
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)  # noqa: F405
