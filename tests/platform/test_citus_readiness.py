"""What stands between the schema and distribution by organization on Citus.

Citus (the "multi-tenant" model of docs/scaling.md) needs, for every table distributed
on organization_id: a non-null organization_id, every unique key including it, and no
foreign key from a reference (global) table into a distributed one. This test lists the
tables that break one of those rules and holds the list to the one in docs/scaling.md, so
a new blocker cannot arrive unnoticed and a fixed one must leave the document.
The primary keys (`id` alone) and the single-column foreign keys between tenant tables
are the known, general gap, counted separately.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db

TENANT = """
    SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND EXISTS (
        SELECT 1 FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)
"""

BLOCKERS = f"""
WITH tenant AS ({TENANT})
SELECT t.relname, 'organization_id may be empty'
  FROM tenant t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = 'organization_id'
 WHERE NOT a.attnotnull
UNION ALL
SELECT t.relname, 'unique key ' || i.relname || ' without organization_id'
  FROM tenant t JOIN pg_index ix ON ix.indrelid = t.oid JOIN pg_class i ON i.oid = ix.indexrelid
 WHERE ix.indisunique AND NOT ix.indisprimary AND NOT EXISTS (
       SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'organization_id'
          AND a.attnum = ANY(ix.indkey))
UNION ALL
SELECT c.relname, 'global table referencing tenant table ' || r.relname
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
 WHERE k.contype = 'f' AND r.oid IN (SELECT oid FROM tenant) AND c.oid NOT IN (SELECT oid FROM tenant)
ORDER BY 1, 2
"""


def _documented() -> set[tuple[str, str]]:
    text = (Path(settings.BASE_DIR) / "docs" / "scaling.md").read_text()
    section = text.split("<!-- citus-blockers -->")[1]
    return set(re.findall(r"^\s*\| `(\w+)` \| (.+?) \|$", section, re.M))


def test_every_table_that_blocks_distribution_is_listed_in_the_scaling_plan():
    with connection.cursor() as cursor:
        cursor.execute(BLOCKERS)
        found = {(table, reason) for table, reason in cursor.fetchall()}
    assert found == _documented(), (
        "docs/scaling.md (the table after <!-- citus-blockers -->) differs from the schema:\n"
        f"in the schema only: {sorted(found - _documented())}\n"
        f"in the document only: {sorted(_documented() - found)}"
    )


def test_the_general_gap_primary_keys_of_id_alone_is_what_the_plan_says():
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH tenant AS ({TENANT})
            SELECT count(*) FILTER (WHERE NOT EXISTS (
                       SELECT 1 FROM pg_index ix JOIN pg_attribute a
                         ON a.attrelid = ix.indrelid AND a.attnum = ANY(ix.indkey)
                       WHERE ix.indrelid = t.oid AND ix.indisprimary
                         AND a.attname = 'organization_id')),
                   count(*)
            FROM tenant t"""
        )
        without, total = cursor.fetchone()
    # Every tenant table: `id` alone. The plan turns these into (organization_id, id).
    assert without == total
    text = (Path(settings.BASE_DIR) / "docs" / "scaling.md").read_text()
    assert "primary keys: `id` alone" in text
