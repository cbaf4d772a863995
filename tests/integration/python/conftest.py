"""Fixtures for the Parley Python integration tests.

Every test starts its own server (fixture `start_server`, or `server` for the default one), so
tests are independent. A server that dies while a test runs (and was not told to stop) fails the
test in teardown, with the server's output.
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.normpath(os.path.join(HERE, "..", "..", "support"))
for path in (HERE, SUPPORT):
    if path not in sys.path:
        sys.path.insert(0, path)

from parley_server import ParleyServer  # noqa: E402


def pytest_collection_modifyitems(items):
    # pytest.ini sets 60 s too; the mark keeps the limit when the ini is not picked up.
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(60))


class ManagedServer(ParleyServer):
    """ParleyServer that remembers whether the test asked it to stop."""

    stop_requested = False

    def terminate(self, timeout=10.0):
        self.stop_requested = True
        return super().terminate(timeout)

    def signal(self, signum, timeout=10.0):
        """Sends signum and returns the exit code (None if it did not exit in time)."""
        self.stop_requested = True
        self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout)
        except Exception:  # subprocess.TimeoutExpired
            return None


@pytest.fixture
def start_server():
    """Factory: start_server(*extra_args, env=..., listen_args=...) -> a started server, stopped
    after the test."""
    servers = []

    def start(*args, **kwargs):
        server = ManagedServer(*args, **kwargs)
        server.start()
        servers.append(server)
        return server

    yield start

    problems = []
    for server in servers:
        code = server.proc.poll()
        if code is not None and not server.stop_requested:
            problems.append(f"parley exited unexpectedly with code {code} during the test")
        try:
            server.stop()  # also raises when a sanitizer build reported an error
        except AssertionError as exc:
            problems.append(str(exc).splitlines()[0])
        # Shown by pytest only when the test fails; long chat lines are cut.
        print(f"---- parley {' '.join(server.args[1:])} output ----")
        print("".join(line if len(line) < 400 else line[:400] + "...\n"
                      for line in server.lines[-200:]))
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


@pytest.fixture
def server(start_server):
    """A server with two I/O threads, so cross-thread paths run even on one core."""
    return start_server("--threads", "2")
