"""Pytest plugin: under CI (CI=true or CI=1) a skipped test fails the session, so CI never passes by skipping."""

import os

import pytest


def _ci():
    """Return True when the CI environment variable asks for strict runs."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def _reason(report):
    """Extract the human-readable skip reason from a report."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


class CIGuard:
    """Collects skips (of tests and of whole modules) and fails the run if there were any."""

    def __init__(self):
        self.skipped = []

    def _record(self, report):
        # xfail also reports as skipped, but an expected failure is a real result, not a skip.
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append((report.nodeid, _reason(report)))

    def pytest_collectreport(self, report):
        self._record(report)

    def pytest_runtest_logreport(self, report):
        self._record(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        if self.skipped and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if not self.skipped:
            return
        terminalreporter.section("CI guard: skipped tests are failures when CI is set", sep="=", red=True, bold=True)
        for nodeid, reason in self.skipped:
            terminalreporter.write_line(f"SKIPPED {nodeid}: {reason}", red=True)


def pytest_configure(config):
    """Register the guard only under CI, so local runs may still skip (e.g. without Chromium)."""
    if _ci():
        config.pluginmanager.register(CIGuard(), "ci_guard_instance")
