"""Time the benchmark's pages inside one process, which neighbours on a shared machine
disturb far less than a load run: CPU and wall time per request and the statements each
sends, with the Django test client against the database and static files a run of `bench/run.py` left.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/continuum_bench \
      .venv/bin/python bench/inprocess.py [--rounds 5] [--requests 20] [--profile client_list]

Connects as the application role (row-level security binds every statement, as in
production) with the benchmark's settings and DEBUG off. Prints the best of `--rounds`
rounds of `--requests` requests for each page; `--profile <page>` prints a cProfile of
that page instead. Not part of the test suite."""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402 - the benchmark's own environment, roles and fixtures

ORG = run.ORG
HELP_FORM = {
    "requester_first_name": "Pat",
    "requester_last_name": "Bench",
    "relationship": "parent",
    "loved_one_first_name": "Chris",
    "substances": "alcohol, opioids",
    "urgency": "this_month",
    "consent_to_contact": "on",
    "website": "",
}


def _pages(info: dict) -> dict:
    """name -> (method, path, cookie user, form body maker or None)"""
    counter = iter(range(10**9))

    def help_body():
        n = f"{os.getpid()}-{time.time_ns()}-{next(counter)}"
        return {
            **HELP_FORM,
            "requester_email": f"family{n}@example.org",
            "loved_one_last_name": f"Bench{n}",
        }

    return {
        "hello": ("GET", "/bench/hello/", info["admin_user_id"], None),
        "client_list": ("GET", f"/{ORG}/staff/clients/", info["admin_user_id"], None),
        "coach_dashboard": ("GET", f"/{ORG}/staff/coaching/", info["coach_user_id"], None),
        "minimal_post": ("POST", "/bench/post/", None, lambda: HELP_FORM),
        "help_post": ("POST", f"/{ORG}/help/", None, help_body),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--only", default="", help="pages, comma-separated")
    parser.add_argument("--profile", default="", help="a page to profile instead")
    parser.add_argument("--statements", action="store_true", help="list each statement's time")
    parser.add_argument("--full-over", type=float, default=1e9, help="print slower SQL whole")
    args = parser.parse_args()
    info = _fixtures()
    from django.db import connection
    from django.test import Client

    pages = _pages(info)
    wanted = [p for p in (args.only.split(",") if args.only else pages) if p]
    if args.profile:
        wanted = [args.profile]
    print("| page | CPU ms | wall ms | statements | status |")
    print("|---|---:|---:|---:|---|")
    for name in wanted:
        method, path, user_id, body = pages[name]
        client = Client(HTTP_HOST="127.0.0.1")
        if user_id is not None:
            cookie = run.session_cookie(user_id)
            key, value = cookie.split("=", 1)
            client.cookies[key] = value

        def request(method=method, path=path, body=body, client=client):
            if method == "GET":
                return client.get(path)
            return client.post(
                path,
                urllib.parse.urlencode(body()),
                content_type="application/x-www-form-urlencoded",
            )

        response = request()  # warm: templates, URL caches, the connection
        if response.status_code >= 400:
            raise SystemExit(f"{name}: {method} {path} answered {response.status_code}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                request()
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
            return
        best = None
        for _ in range(args.rounds):
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                request()
            cpu = (time.process_time() - cpu) / args.requests * 1000
            wall = (time.perf_counter() - wall) / args.requests * 1000
            best = (cpu, wall) if best is None or cpu < best[0] else best
        statements = []

        def count(execute, sql, params, many, context, statements=statements):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append(((time.perf_counter() - started) * 1000, sql))

        with connection.execute_wrapper(count):
            status = request().status_code
        print(f"| {name} | {best[0]:.1f} | {best[1]:.1f} | {len(statements)} | {status} |")
        if args.statements:
            for ms, sql in statements:
                print(f"    {ms:6.2f} ms  {sql[: 150 if ms < args.full_over else None]}")


def _fixtures() -> dict:
    """The benchmark's users, read as the connected role, then the application role's
    connection for the pages."""
    os.environ.update(run.ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # The static files a run of bench/run.py collected (the pages name hashed files).
    os.environ.setdefault(
        "STATIC_ROOT", str(Path(tempfile.gettempdir()) / "continuum-bench-static")
    )
    sys.path.insert(0, str(run.ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from continuum.tenancy.models import Membership, Role
    from continuum.tenancy.scoping import across_organizations

    with across_organizations("benchmark fixtures"):
        members = Membership.objects.filter(organization__slug=ORG)
        admin = members.filter(roles__contains=[Role.ORG_ADMIN]).order_by("pk").first()
        coach = (
            members.filter(roles__contains=[Role.SOBER_COACH])
            .annotate(n=Count("coaching_engagements"))
            .order_by("n", "pk")
            .first()
        )
    connection.close()
    connection.settings_dict["USER"] = run.APP_ROLE
    return {"admin_user_id": admin.user_id, "coach_user_id": coach.user_id}


if __name__ == "__main__":
    main()
