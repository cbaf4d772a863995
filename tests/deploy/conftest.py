"""Fixtures for the deployment tests (ctest label `deploy`).

No container engine runs on the machines these tests run on, so they check what can be checked
without one: the files under deploy/ lint clean, name only ports, paths, keys and packages that
exist, and the real binary, started the way each manifest starts it, answers the probes they name.
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.normpath(os.path.join(HERE, "..", "support"))
# The chat client helpers of the integration suite (join, recv, ...), reused, not copied.
CLIENT = os.path.normpath(os.path.join(HERE, "..", "integration", "python"))
for path in (HERE, SUPPORT, CLIENT):
    if path not in sys.path:
        sys.path.insert(0, path)

from parley_server import ParleyServer  # noqa: E402


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(60))


@pytest.fixture
def start_server():
    """Factory: start_server(*args, env=..., listen_args=...) -> a started ParleyServer, killed
    after the test if still running; its output is printed (shown when the test fails)."""
    servers = []

    def start(*args, **kwargs):
        server = ParleyServer(*args, **kwargs)
        servers.append(server)
        return server.start()

    yield start

    for server in servers:
        if server.proc is None:
            continue
        server.stop()
        print(f"---- parley {' '.join(server.args[1:])} output ----")
        print("".join(server.lines[-100:]))
