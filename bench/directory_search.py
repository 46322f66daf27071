"""Directory search latency against a primary-key lookup on the same table.

    DATABASE_URL=postgres://... .venv/bin/python bench/directory_search.py --runs 200

Run bench/seed_directory.py first. Each search is what the staff search page runs for one
page of results (selectors.SearchPaginator): the first 20 rows and the total of a ZIP +
25 miles + kind + insurance + language + free-text query, from a ZIP drawn from the seeded
listings. Both are measured as the application role, under row-level security, as
production runs them (connected as a superuser, the roles are created if missing and the
application role is given read access to this database first; `--as-connected` measures
as the connected role instead).
Prints a Markdown table. Not part of the test suite."""

import argparse
import json
import random
import statistics
import time
from contextlib import contextmanager

from _django import setup

TERMS = ["trauma", "executive coaching", "family", "relapse prevention", "opioid", "young adults"]
KINDS = ["therapist", "outpatient", "sober_coach", "case_manager", "iop_php"]
PAYMENTS = ["private_insurance", "medicaid", "self_pay"]
LANGUAGES = ["en", "es"]
PAGE = 20


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def _row(name: str, samples: list[float], extra: str = "") -> str:
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.2f} | "
        f"{_percentile(samples, 95):.2f} | {max(samples):.2f} | {extra} |"
    )


@contextmanager
def application_role(app_role: str = "continuum_app", owner_role: str = "continuum_owner"):
    """Run the block's queries as the application role (row-level security binds it), then
    return to the connected role. Connected as anything but a superuser, nothing changes."""
    from django.db import connection

    from continuum.tenancy import rls
    from referrals import search_sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            yield connection.settings_dict["USER"]
            return
        wanted = [app_role, owner_role, rls.SEARCH_ROLE]
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [wanted])
        exists = {row[0] for row in cursor.fetchall()}
        for statement in rls.create_roles_sql(
            owner_role=owner_role, app_role=app_role, exists=exists
        ):
            cursor.execute(statement)
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
        cursor.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{app_role}"')
        cursor.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{app_role}"')
        # A database migrated before the search role existed: hand it the functions now.
        search_sql.search_functions_adopt(cursor, schema)
    saved = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    connection.close()
    connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = app_role, ""
    try:
        yield app_role
    finally:
        connection.close()
        connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = saved


def measure(
    *, org_slug: str, runs: int, seed_value: int, as_connected: bool = False, explain: int = 0
) -> dict:
    """As the application role unless `as_connected`: see application_role. `explain`:
    as many more searches run under EXPLAIN (ANALYZE, BUFFERS)."""
    if as_connected:
        from django.db import connection

        return _measure(
            org_slug=org_slug,
            runs=runs,
            seed_value=seed_value,
            role=connection.get_connection_params().get("user", ""),
            explain=explain,
        )
    with application_role() as role:
        return _measure(
            org_slug=org_slug, runs=runs, seed_value=seed_value, role=role, explain=explain
        )


def _measure(*, org_slug: str, runs: int, seed_value: int, role: str, explain: int = 0) -> dict:
    """Search and primary-key lookup samples (ms), match counts and the plan's index lines."""

    from django.db.models import Count, Window

    from continuum.tenancy.models import Organization
    from continuum.tenancy.scoping import organization_scope
    from referrals.models import Listing, ListingLocation
    from referrals.selectors import SearchPaginator, SearchParams, listing_search

    rng = random.Random(seed_value)  # noqa: S311 - reproducible benchmark data, not secrets
    organization = Organization.objects.get(slug=org_slug)
    with organization_scope(organization):
        total = Listing.objects.filter(organization=organization).count()
        pks = list(
            Listing.objects.filter(organization=organization)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Drawn from the seed, so two runs (code before and after a change) search the
        # same places.
        zips = list(
            ListingLocation.objects.filter(
                organization=organization, listing_id__in=rng.sample(pks, min(runs, len(pks)))
            )
            .order_by("listing_id", "pk")
            .values_list("postal_code", flat=True)[:runs]
        )

        def one_search(zip_code: str) -> tuple[float, int]:
            params = SearchParams(
                zip_code=zip_code,
                distance=25,
                kind=rng.choice(KINDS),
                payment=rng.choice(PAYMENTS),
                language=rng.choice(LANGUAGES),
                q=rng.choice(TERMS),
            )
            params.resolve()
            started = time.perf_counter()
            qs = listing_search(organization=organization, params=params, include_closed=True)
            # As the search pages and the API page it: the total comes with the page.
            page = SearchPaginator(qs, PAGE).get_page(1)
            found = page.paginator.count
            list(page.object_list)
            return (time.perf_counter() - started) * 1000, found

        def one_explain(zip_code: str) -> dict:
            """The page query's own work, as PostgreSQL counts it: what the shared machine's
            load changes least (buffers) and the in-database times."""
            params = SearchParams(
                zip_code=zip_code,
                distance=25,
                kind=rng.choice(KINDS),
                payment=rng.choice(PAYMENTS),
                language=rng.choice(LANGUAGES),
                q=rng.choice(TERMS),
            )
            params.resolve()
            qs = listing_search(organization=organization, params=params, include_closed=True)
            page = qs.annotate(search_total=Window(Count("pk")))[:PAGE]
            (root,) = json.loads(page.explain(analyze=True, buffers=True, format="json"))
            top = root["Plan"]
            return {
                "buffers": top["Shared Hit Blocks"] + top["Shared Read Blocks"],
                "planning": root["Planning Time"],
                "execution": root["Execution Time"],
            }

        def one_lookup(pk: int) -> float:
            started = time.perf_counter()
            Listing.objects.filter(organization=organization).get(pk=pk)
            return (time.perf_counter() - started) * 1000

        for zip_code in zips[:10]:  # warm the cache and the connection
            one_search(zip_code)
        searches, hits = [], []
        for zip_code in zips:
            elapsed, found = one_search(zip_code)
            searches.append(elapsed)
            hits.append(found)
        lookups = [one_lookup(rng.choice(pks)) for _ in range(len(zips))]

        params = SearchParams(zip_code=zips[0], distance=25, kind="therapist", q="trauma")
        params.resolve()
        qs = listing_search(organization=organization, params=params, include_closed=True)
        plan = qs.explain()
        analyzed = [one_explain(zip_code) for zip_code in zips[:explain]]
    index_lines = sorted({line.strip() for line in plan.splitlines() if "Index" in line})
    return {
        "role": role,
        "total": total,
        "searches": searches,
        "hits": hits,
        "lookups": lookups,
        "index_lines": index_lines,
        "explained": analyzed,
    }


def run(*, org_slug: str, runs: int, seed_value: int, as_connected: bool, explain: int) -> None:
    from django.db import connection

    result = measure(
        org_slug=org_slug,
        runs=runs,
        seed_value=seed_value,
        as_connected=as_connected,
        explain=explain,
    )
    total, searches, hits = result["total"], result["searches"], result["hits"]
    lookups, index_lines = result["lookups"], result["index_lines"]
    print(
        f"Directory search at {total:,} listings ({connection.vendor}, {runs} runs each, "
        f"as {result['role']})\n"
    )
    print("| query | runs | p50 ms | p95 ms | max ms | notes |")
    print("|---|---:|---:|---:|---:|---|")
    print(
        _row(
            "search: ZIP + 25 mi + kind + insurance + language + text (count + page of 20)",
            searches,
            f"median {statistics.median(hits):.0f} matches",
        )
    )
    print(_row("primary-key lookup on the listing table", lookups))
    ratio = _percentile(searches, 95) / max(_percentile(lookups, 95), 1e-9)
    print(f"\np95 search / p95 primary-key lookup: {ratio:.1f}x")
    if result["explained"]:
        explained = result["explained"]
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of {len(explained)} page queries (median / p95):")
        for key, unit in (("buffers", "buffers"), ("planning", "ms"), ("execution", "ms")):
            values = [row[key] for row in explained]
            print(
                f"- {key}: {statistics.median(values):.1f} / {_percentile(values, 95):.1f} {unit}"
            )
    print("\nIndexes in one search plan:")
    for line in index_lines:
        print(f"- `{line[:140]}`")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="bench-directory")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--as-connected", action="store_true", help="measure as the connected role itself"
    )
    parser.add_argument(
        "--explain",
        type=int,
        default=0,
        help="also run this many searches under EXPLAIN (ANALYZE, BUFFERS) and report "
        "their buffers and in-database times, which a shared machine's load disturbs less",
    )
    args = parser.parse_args()
    setup()
    run(
        org_slug=args.org,
        runs=args.runs,
        seed_value=args.seed,
        as_connected=args.as_connected,
        explain=args.explain,
    )


if __name__ == "__main__":
    main()
