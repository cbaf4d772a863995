"""Fixtures for the RFC 6455 conformance suite: one parley server per session, one client per test."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)

from parley_server import ParleyServer  # noqa: E402
from rawws import WSClient  # noqa: E402

MAX_MESSAGE_SIZE = 1048576
PER_TEST_TIMEOUT = 30


def pytest_collection_modifyitems(config, items):
    if config.pluginmanager.hasplugin("timeout"):
        for item in items:
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(PER_TEST_TIMEOUT))


@pytest.fixture(scope="session")
def server():
    # Compression on: clients that offer nothing must see no difference (sections 1-9), and
    # sections 12 and 13 negotiate permessage-deflate. One connection per case, hundreds a second
    # from 127.0.0.1: no limits.accepts_per_second_per_ip.
    srv = ParleyServer("--echo-endpoint", "--max-message-size", str(MAX_MESSAGE_SIZE), "--threads", "2",
                       "--ws-compression", "on", "--limits-accepts-per-second-per-ip", "0")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _server_survives(request, server):
    """A case that crashes the server fails itself (instead of all the cases after it)."""
    yield
    code = server.proc.poll()
    if code is not None:
        tail = "".join(server.lines[-20:])
        # Restart so later cases still test something.
        server.lines.clear()
        server.start()
        pytest.fail(f"parley exited with code {code} during this case; last output:\n{tail}")


@pytest.fixture
def ws(server):
    client = WSClient(server.port)
    yield client
    client.close()


@pytest.fixture
def connect(server):
    """Opens extra clients on /echo."""
    clients = []

    def _connect():
        c = WSClient(server.port)
        clients.append(c)
        return c

    yield _connect
    for c in clients:
        c.close()
