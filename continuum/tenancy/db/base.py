"""PostgreSQL backend that keeps the row-level-security settings of each connection equal
to the organization scope of the code running now (see continuum.tenancy.rls).

What the session holds is remembered per connection, and forgotten whenever PostgreSQL may
have undone it: a new connection, a rollback, a rollback to a savepoint, a statement that
failed. A change of settings travels in the same query string as the statement that needs
it, and the connection health check at the start of a request is the settings statement
itself, so neither costs a round trip of its own. Query counts in tests are unchanged:
what is logged is the statement as the application wrote it."""

from django.db.backends.postgresql import base

from .. import rls


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rls_settings = None
        self.rls_paused = False
        # Behind a transaction-pooling PgBouncer (DB_TRANSACTION_POOLING): settings scoped
        # to the transaction, never left on the server connection.
        self.rls_transaction_scoped = bool(self.settings_dict.get("RLS_TRANSACTION_SCOPED"))
        self.execute_wrappers.append(self._rls_wrapper)

    def _rls_wrapper(self, execute, sql, params, many, context):
        if self.rls_paused:
            return execute(sql, params, many, context)
        if not self.rls_transaction_scoped:
            wanted = rls.wanted_settings()
            if self.rls_settings == wanted:
                return execute(sql, params, many, context)
            if many or getattr(context["cursor"].cursor, "name", None):
                # executemany would repeat the prefix per row, and a server-side cursor
                # wraps its statement in DECLARE, which takes one statement only.
                rls.apply_settings(self, self.connection)
                return execute(sql, params, many, context)
            # Unknown until the string has run: a failed statement undoes its prefix too.
            self.rls_settings = None
            result = execute(
                f"{rls.settings_sql(wanted, local=False)}; {sql}", params, many, context
            )
            self.rls_settings = wanted
            return result
        if not self.get_autocommit():
            # Inside a transaction: once, until it ends (_commit, _rollback forget it).
            rls.apply_local_settings(self, self.connection)
            return execute(sql, params, many, context)
        wanted = rls.wanted_settings()
        if wanted == rls.UNSET:
            return execute(sql, params, many, context)
        # Autocommit: the statement is its own transaction, so the settings travel in the
        # same query string, which PostgreSQL runs as one implicit transaction.
        return execute(f"{rls.settings_sql(wanted, local=True)}; {sql}", params, many, context)

    def is_usable(self):
        """The health check (CONN_HEALTH_CHECKS) of a reused connection: with settings
        kept on the session, the probe is the statement that sets them for the code
        running now, instead of a `SELECT 1` followed by that statement."""
        if self.rls_transaction_scoped or self.connection is None:
            return super().is_usable()
        try:
            self.rls_settings = None
            rls.apply_settings(self, self.connection)
        except base.Database.Error:
            return False
        return True

    def _commit(self):
        if self.rls_transaction_scoped:
            self.rls_settings = None
        return super()._commit()

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self.rls_settings = rls.UNSET
        return connection

    def _rollback(self):
        self.rls_settings = None
        return super()._rollback()

    def _savepoint_rollback(self, sid):
        # Runs in a transaction an error may have aborted: nothing may be sent before it.
        self.rls_settings = None
        self.rls_paused = True
        try:
            return super()._savepoint_rollback(sid)
        finally:
            self.rls_paused = False

    def _close(self):
        self.rls_settings = None
        return super()._close()
