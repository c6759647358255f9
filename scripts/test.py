"""`make test`: provide PostgreSQL, Redis and Chromium, then run `ruff check .` and pytest (arguments passed through)."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import services
from services import ROOT, VAR, Services

CHROMIUM = Path("/usr/bin/chromium")


def log(msg):
    """Print a status line tagged with this script's name."""
    services.log(msg, tag="test")


def ensure_chromium():
    """Install Debian's chromium for the Playwright tests when it is missing and we may; never fail here."""
    if not CHROMIUM.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        VAR.mkdir(exist_ok=True)
        apt_log = VAR / "apt-chromium.log"
        log(f"Chromium missing: installing it with apt-get (output in {apt_log.relative_to(ROOT)}) ...")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        with apt_log.open("w") as out:
            for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
                done = subprocess.run(
                    cmd, check=False, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
                )
                if done.returncode:
                    break
    if CHROMIUM.exists():
        return {"CHROMIUM_PATH": str(CHROMIUM)}
    log(f"WARNING: no Chromium at {CHROMIUM}; the browser tests cannot run (under CI=true they fail)")
    return {}


def main(pytest_args):
    """Run ruff and pytest against the services; exit non-zero if either fails."""
    # SIGTERM takes the same path as Ctrl-C so the embedded servers are still stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="crm_site.settings.test", PYTHONUNBUFFERED="1")
    env.update(ensure_chromium())
    with Services("test") as service_env:
        env.update(service_env)
        try:
            log("ruff check .")
            ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "."], check=False, cwd=ROOT, env=env)
            log(f"pytest {' '.join(pytest_args)}".rstrip())
            pytest = subprocess.run([sys.executable, "-m", "pytest", *pytest_args], check=False, cwd=ROOT, env=env)
        except KeyboardInterrupt:
            log("interrupted")
            return 130
    if ruff.returncode:
        log("ruff check failed (see above)")
    if pytest.returncode:
        log(f"pytest failed (exit {pytest.returncode})")
    return pytest.returncode or ruff.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
