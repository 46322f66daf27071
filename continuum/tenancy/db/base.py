"""PostgreSQL backend that keeps the row-level-security settings of each connection equal
to the organization scope of the code running now (see continuum.tenancy.rls).

What the session holds is remembered per connection, and forgotten whenever PostgreSQL may
have undone it: a new connection, a rollback, a rollback to a savepoint. The statement that
sets it is sent on the raw connection, so query counts in tests are unchanged."""

from django.db.backends.postgresql import base

from .. import rls


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rls_settings = None
        self.rls_paused = False
        self.execute_wrappers.append(self._rls_wrapper)

    def _rls_wrapper(self, execute, sql, params, many, context):
        if not self.rls_paused:
            rls.apply_settings(self, self.connection)
        return execute(sql, params, many, context)

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
