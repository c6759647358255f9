"""`make run`: prepare the database, then run gunicorn, a Celery worker and Celery beat until Ctrl-C."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

import services
from services import ROOT, VAR, Services, spawn, tcp_open

PY = sys.executable
STOP_TIMEOUT = 20  # seconds a child gets for a graceful stop before it is killed


def log(msg):
    """Print a status line tagged with this script's name."""
    services.log(msg, tag="run")


def manage(*args, env, capture=False):
    """Run a manage.py command and abort the start if it fails."""
    result = subprocess.run([PY, "manage.py", *args], check=False, cwd=ROOT, env=env, text=True, capture_output=capture)
    if result.returncode != 0:
        if capture:
            sys.stdout.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {args[0]} failed (exit {result.returncode})")
    return result.stdout


def start_children(env, port):
    """Start the web server and Celery processes, each in its own session so we control their shutdown."""
    commands = {
        "gunicorn": [
            PY, "-m", "gunicorn", "crm_site.wsgi:application",
            "--config", "crm_site/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{port}",
            "--access-logfile", "-",
        ],
        "celery beat": [
            PY, "-m", "celery", "-A", "crm_site", "beat", "-l", "info",
            "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile", str(VAR / "celerybeat.pid"),
            "--schedule", str(VAR / "celerybeat-schedule"),
        ],
    }  # fmt: skip
    children = {name: spawn(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
    # The worker goes last and through a pipe: we watch its log for "ready." to print
    # the banner after its start-up output rather than buried in it.
    worker = [PY, "-m", "celery", "-A", "crm_site", "worker", "-l", "info", "--concurrency", "2"]
    children["celery worker"] = spawn(
        worker, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    ready = threading.Event()
    threading.Thread(target=relay, args=(children["celery worker"].stdout, ready), daemon=True).start()
    return children, ready


def relay(stream, ready):
    """Copy the worker's output to our stdout and flag when the worker reports it is ready."""
    for line in stream:
        with contextlib.suppress(OSError):  # keep draining the pipe even if our stdout is gone
            sys.stdout.write(line)
            sys.stdout.flush()
        if line.rstrip().endswith(" ready."):
            ready.set()


def stop_children(children):
    """SIGTERM every child, wait for graceful exit, then SIGKILL whatever is left in their process groups."""
    for proc in children.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in children.items():
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop in {STOP_TIMEOUT}s; killing it")
        # Also reaps grandchildren (gunicorn workers, Celery pool processes) that outlived their parent.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def banner(port, logins):
    """Print where the app is and how to log in, framed so it stands out from the server logs."""
    line = "=" * 72
    print(f"\n{line}\n  CRM is running at http://127.0.0.1:{port}/   (Ctrl-C to stop)\n{line}")
    print(logins.rstrip())
    print(f"{line}\n", flush=True)


def supervise(children):
    """Block until a signal arrives (return 0) or a child exits on its own (return 1)."""
    try:
        while True:
            for name, proc in children.items():
                if proc.poll() is not None:
                    log(f"{name} exited unexpectedly (code {proc.returncode}); stopping everything")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        log("stopping (signal received)")
        return 0


def main():
    """Start everything, wait, and stop everything in reverse order whatever happens."""
    # Both SIGINT and SIGTERM become KeyboardInterrupt; set explicitly since a background job may ignore SIGINT.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ, PORT=port, PYTHONUNBUFFERED="1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.local")
    if tcp_open("127.0.0.1", int(port)):
        raise SystemExit(f"port {port} is already in use; stop that server or choose another one: make run PORT=8001")
    VAR.mkdir(exist_ok=True)
    services = Services("run")
    children = {}
    code = 1
    try:
        env.update(services.start())
        log("applying migrations")
        manage("migrate", "--noinput", env=env)
        log("collecting static files")
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        log("seeding demo data")
        logins = manage("seed_demo", env=env, capture=True)
        children, worker_ready = start_children(env, port)
        deadline = time.monotonic() + 60  # past this, show the banner anyway
        while not (tcp_open("127.0.0.1", int(port), timeout=0.2) and worker_ready.wait(0.2)):
            if any(proc.poll() is not None for proc in children.values()):
                break  # supervise() reports which one died
            if time.monotonic() > deadline:
                banner(port, logins)
                break
        else:
            banner(port, logins)
        code = supervise(children)
    except KeyboardInterrupt:
        log("interrupted during start-up")
        code = 0
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave servers behind.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        stop_children(children)
        services.stop()
    log("all processes stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
