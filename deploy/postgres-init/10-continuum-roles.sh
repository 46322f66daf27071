#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume. Two login
# roles: continuum_owner owns the database and its tables and runs migrations;
# continuum_app is what web, worker and beat connect as. Neither is a superuser or may
# bypass row-level security, and continuum_app owns nothing, so every tenant table's
# policy binds it. continuum_search cannot log in and owns only the directory's search
# functions.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_password="$CONTINUUM_OWNER_PASSWORD" -v app_password="$CONTINUUM_APP_PASSWORD" <<'SQL'
CREATE ROLE continuum_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE CREATEDB
    PASSWORD :'owner_password';
CREATE ROLE continuum_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB
    PASSWORD :'app_password';
-- Cannot log in; owns only the directory's search functions, which keep full-text and
-- ZIP-list search on their indexes under row-level security. The owner's migrations
-- hand the functions to it (continuum.tenancy.rls).
CREATE ROLE continuum_search NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT;
GRANT continuum_search TO continuum_owner;
ALTER DATABASE continuum OWNER TO continuum_owner;
SQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname continuum <<'SQL'
ALTER SCHEMA public OWNER TO continuum_owner;
GRANT USAGE ON SCHEMA public TO continuum_app;
ALTER DEFAULT PRIVILEGES FOR ROLE continuum_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO continuum_app;
ALTER DEFAULT PRIVILEGES FOR ROLE continuum_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO continuum_app;
SQL
