"""The directory's search under row-level security: SQL functions that keep the GIN
indexes of full-text and ZIP-list search usable, created by migration
`referrals.0003` and owned by the spine's search role (`continuum.tenancy.rls.SEARCH_ROLE`,
docs/rls.md)."""

from continuum.tenancy.rls import CURRENT_ORGANIZATION, SEARCH_ROLE

from .geo import LATITUDE_BANDS_PER_DEGREE

# PostgreSQL uses an index for a qual on a table with row-level security only if the qual
# is leakproof (restriction_is_securely_promotable); `tsvector @@ tsquery` and
# `array @> array` are not, so their GIN indexes would go unused and every full-text or
# ZIP-list search would read all of the organization's listings. These two functions run
# those lookups as SEARCH_ROLE, which bypasses row-level security, and filter on the current
# organization themselves, exactly as the tenant_isolation policy does; they return ids
# only, and the caller reads the listings through the policy again. Where the bootstrap
# could not create SEARCH_ROLE they stay owned by the migrating role, which FORCE binds:
# the same rows, without the index.

SEARCH_FUNCTIONS = {
    "referrals_listing_text_match": (
        "query tsquery",
        "search_vector @@ query",
        1000,
    ),
    "referrals_listing_zip_match": (
        "zip_code text",
        "service_area_kind = 'zip_list' AND service_zip_codes @> ARRAY[zip_code]::varchar[]",
        10,
    ),
}
SEARCH_COLUMNS = "id, organization_id, search_vector, service_area_kind, service_zip_codes"


# A bound computed by a sub-select is never an index bound under row-level security
# (PostgreSQL counts a SubPlan as leaky); a call to a function without column arguments
# is. So the widest service radius of the organization, which sizes the "serves your area"
# box, comes from this function. It runs as the caller: the tenant policy applies.
WIDEST_RADIUS_FUNCTION = "referrals_listing_widest_radius"

# The latitude bands (ListingLocation.latitude_band) between two latitudes, for a box whose
# size is only known in SQL (the widest radius): an index bound for the same reason.
LATITUDE_BANDS_FUNCTION = "referrals_latitude_bands"


def search_functions_sql(schema: str) -> list[str]:
    table = f'"{schema}"."referrals_listing"'
    statements = [
        f'CREATE OR REPLACE FUNCTION "{schema}"."{WIDEST_RADIUS_FUNCTION}"()'  # noqa: S608
        " RETURNS double precision LANGUAGE sql STABLE"
        " SET search_path = pg_catalog, pg_temp"
        f" AS $$ SELECT max(service_radius_miles)::double precision FROM {table}"
        f" WHERE organization_id = {CURRENT_ORGANIZATION} AND service_area_kind = 'radius' $$"
    ]
    statements.append(
        f'CREATE OR REPLACE FUNCTION "{schema}"."{LATITUDE_BANDS_FUNCTION}"'
        "(low double precision, high double precision) RETURNS smallint[]"
        " LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp"
        " AS $$ SELECT ARRAY(SELECT generate_series("
        f"floor(greatest(low, -90) * {LATITUDE_BANDS_PER_DEGREE})::integer,"
        f" floor(least(high, 90) * {LATITUDE_BANDS_PER_DEGREE})::integer)::smallint) $$"
    )
    for name, (args, condition, rows) in SEARCH_FUNCTIONS.items():
        statements.append(
            f'CREATE OR REPLACE FUNCTION "{schema}"."{name}"({args}) RETURNS SETOF bigint'  # noqa: S608
            f" LANGUAGE sql STABLE STRICT SECURITY DEFINER ROWS {rows}"
            # Pinned: a definer's function must not resolve names through the caller's path.
            " SET search_path = pg_catalog, pg_temp"
            f" AS $$ SELECT id FROM {table} WHERE organization_id = {CURRENT_ORGANIZATION}"
            f" AND {condition} $$"
        )
    return statements


def search_functions_adopt(cursor, schema: str) -> bool:
    """Give the search functions to SEARCH_ROLE when it exists, may bypass row-level
    security and the migrating role may act as it. Returns whether it did."""
    cursor.execute(
        "SELECT rolbypassrls AND NOT rolcanlogin AND NOT rolsuper"
        " AND pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = %s",
        [SEARCH_ROLE],
    )
    row = cursor.fetchone()
    if not (row and row[0]):
        return False
    role, qschema = f'"{SEARCH_ROLE}"', f'"{schema}"'
    cursor.execute(f"GRANT USAGE ON SCHEMA {qschema} TO {role}")
    cursor.execute(f'GRANT SELECT ({SEARCH_COLUMNS}) ON {qschema}."referrals_listing" TO {role}')
    # A new owner needs CREATE on the schema at the moment of the change, and no longer.
    cursor.execute(f"GRANT CREATE ON SCHEMA {qschema} TO {role}")
    for name, (args, _, _) in SEARCH_FUNCTIONS.items():
        cursor.execute(f'ALTER FUNCTION {qschema}."{name}"({args}) OWNER TO {role}')
    cursor.execute(f"REVOKE CREATE ON SCHEMA {qschema} FROM {role}")
    return True


def create_search_functions(apps, schema_editor) -> None:
    """RunPython operation: (re)create the search functions and hand them to SEARCH_ROLE."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
        for statement in search_functions_sql(schema):
            cursor.execute(statement)
        search_functions_adopt(cursor, schema)


def drop_search_functions(apps, schema_editor) -> None:
    for name, (args, _, _) in SEARCH_FUNCTIONS.items():
        schema_editor.execute(f'DROP FUNCTION IF EXISTS "{name}"({args})')
    schema_editor.execute(f'DROP FUNCTION IF EXISTS "{WIDEST_RADIUS_FUNCTION}"()')
    drop_latitude_bands_function(apps, schema_editor)


def drop_latitude_bands_function(apps, schema_editor) -> None:
    schema_editor.execute(
        f'DROP FUNCTION IF EXISTS "{LATITUDE_BANDS_FUNCTION}"(double precision, double precision)'
    )
