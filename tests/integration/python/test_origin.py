"""security.allowed_origins: a browser page from another site cannot open a WebSocket here (403
before the upgrade, logged, counted); the server's own pages, localhost and clients without an
Origin (not browsers) can."""
import subprocess

import pytest
from websockets.exceptions import InvalidStatusCode

from metrics_scrape import scrape, delta
from parley_server import binary_path, server_environment
from parley_client import (
    WAIT, close_all, connect, greeting, http_request, recv, run, upgrade_headers,
)
from v1_client import V1Client


def refused_status(server, origin, name="mallory"):
    """The HTTP status of an upgrade from `origin` that must be refused."""
    async def attempt():
        with pytest.raises(InvalidStatusCode) as refused:
            await connect(server, name, origin=origin)
        return refused.value.status_code
    return run(attempt())


def test_foreign_origin_gets_403_before_the_upgrade_and_is_logged_and_counted(start_server):
    server = start_server("--threads", "2", "--metrics-enabled", "--metrics-port", "0")
    before = scrape(server)
    assert refused_status(server, "https://evil.example") == 403
    after = scrape(server)
    assert delta(before, after, "parley_rejected_inputs_total",
                 reason="http_forbidden_origin") == 1
    assert delta(before, after, "http_requests_total", method="GET", status="403") == 1
    assert server.wait_for_line(r"\[parley\.http\] - rejected request: 403 Origin "
                                r"https://evil\.example is not allowed", WAIT)
    assert server.wait_for_line(r"upgrade remote=\S+ path=/chat/mallory status=403", WAIT)

    # The refused name was never claimed: a client without Origin takes it.
    async def then():
        ws = await connect(server, "mallory")
        assert await recv(ws) == greeting("mallory")
        await ws.close()
    run(then())


def test_refusal_answers_403_with_the_reason_and_closes(server):
    headers = dict(upgrade_headers(), Origin="http://attacker.test:9090")
    response = http_request(server, "GET", "/chat/alice", headers)
    assert response.status == 403
    assert b"Origin http://attacker.test:9090 is not allowed" in response.body
    assert response.headers.get("connection", "").lower() == "close"


def test_page_from_the_servers_own_host_and_port_connects(server):
    async def scenario():
        ws = await connect(server, "alice", origin=f"http://127.0.0.1:{server.port}")
        assert await recv(ws) == greeting("alice")
        # the same host on another port is another origin
        with pytest.raises(InvalidStatusCode) as refused:
            await connect(server, "bob", origin=f"http://127.0.0.1:{server.port + 1}")
        assert refused.value.status_code == 403
        await ws.close()
    run(scenario())


def test_localhost_on_any_port_is_allowed_by_default(server):
    async def scenario():
        ws = await connect(server, "dev", origin="http://localhost:5173")
        assert await recv(ws) == greeting("dev")
        await ws.close()
    run(scenario())


def test_client_without_origin_is_allowed(start_server):
    server = start_server("--threads", "2", "--security-allowed-origins", "https://only.example")

    async def scenario():
        v1 = await V1Client.open(server, "bot")  # websockets sends no Origin unless told
        legacy = await connect(server, "script")
        assert await recv(legacy) == greeting("script")
        await close_all(v1.ws, legacy)
    run(scenario())


def test_configured_list_replaces_the_default(start_server):
    server = start_server("--threads", "2", "--security-allowed-origins",
                          "https://chat.example.com,https://*.example.org")

    async def scenario():
        ok = await connect(server, "a", origin="https://chat.example.com")
        sub = await connect(server, "b", origin="https://team.example.org")
        for ws, name in ((ok, "a"), (sub, "b")):
            assert await recv(ws) == greeting(name)
        await close_all(ok, sub)
    run(scenario())
    for origin in ("http://localhost:8080", f"http://127.0.0.1:{server.port}",
                   "https://example.org", "http://chat.example.com"):
        assert refused_status(server, origin) == 403, origin


def test_star_allows_every_origin(start_server):
    server = start_server("--threads", "2", "--security-allowed-origins", "*")

    async def scenario():
        ws = await connect(server, "anyone", origin="https://evil.example")
        assert await recv(ws) == greeting("anyone")
        await ws.close()
    run(scenario())


def test_null_origin_is_refused(server):
    assert refused_status(server, "null") == 403


def test_a_bad_list_stops_start_up():
    result = subprocess.run([binary_path(), "--security-allowed-origins", "example.com"],
                            env=server_environment(), capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert result.stderr.startswith("parley: --security-allowed-origins='example.com': each entry")
