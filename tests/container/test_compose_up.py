"""deploy/compose/ brought up by podman-compose (or docker compose): Redis, two Parley nodes and
nginx in front (deploy/nginx/parley.conf), as the file says, with two changes given through its
variables: the image under test (CHAT_IMAGE) and nginx published on a free loopback port
(CHAT_PORT). Two clients through nginx land on different nodes and chat; the nodes count the
client's address that nginx forwards. Jaeger and Prometheus (third-party images, no registry
here) are not started: nothing the nodes do waits for them."""
import asyncio
import os
import re
import threading
import time

import pytest

import container_engine as ce
import deploy_files as files
from conftest import report
from parley_client import join, recv

COMPOSE_FILE = files.repo_path("deploy", "compose", "docker-compose.yml")
PROJECT = "parley-test"
STARTED = ("redis", "parley-a", "parley-b", "nginx")
NODES = ("parley-a", "parley-b")


def compose(*args, **kwargs):
    return ce.engine("compose", "-f", COMPOSE_FILE, "-p", PROJECT, *args, **kwargs)


def container_of(service):
    """The id of a service's container (both engines label it with project and service)."""
    ids = ce.engine("ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}",
                    "--filter", f"label=com.docker.compose.service={service}").stdout.split()
    assert len(ids) == 1, (service, ids)
    return ids[0]


def wait_until_ready(endpoint, timeout=60.0):
    """Both nodes listen and /readyz answers 200 through nginx."""
    for service in NODES:
        ce.wait_for_log(container_of(service), r"listening on http://0\.0\.0\.0:9090/", timeout)
    # Each node listens a moment before both its Redis connections are up.
    deadline = time.monotonic() + timeout
    while (status := ce.http_get(f"{endpoint.http_url}/readyz")[0]) != 200:
        assert time.monotonic() < deadline, f"/readyz through nginx: {status}"
        threading.Event().wait(0.2)


@pytest.fixture(scope="module")
def cluster(image):
    services = files.compose()["services"]
    assert set(STARTED) <= services.keys(), services.keys()
    port = files.free_port()
    os.environ["CHAT_IMAGE"] = image
    os.environ["CHAT_PORT"] = f"127.0.0.1:{port}"
    compose("down", "-v", check=False, timeout=120)  # a run that was killed left these
    try:
        compose("up", "-d", *STARTED, timeout=600)
        endpoint = ce.Endpoint(port)
        wait_until_ready(endpoint)
        yield endpoint
    finally:
        for service in STARTED:
            print(f"---- {service} ----\n{ce.logs(container_of(service))[-3000:]}")
        compose("down", "-v", check=False, timeout=120)
        for name in ("CHAT_IMAGE", "CHAT_PORT"):
            os.environ.pop(name, None)


def user_on(service, timeout=10.0):
    """The user whose WebSocket upgrade a node accepted first, from its access log."""
    match = ce.wait_for_log(container_of(service),
                            r"upgrade remote=\S+ path=/chat/(alice|bob)\S* status=101", timeout)
    return match.group(1)


def test_clients_on_two_nodes_chat_through_nginx(cluster):
    async def chat():
        alice = await join(cluster, "alice")
        bob = await join(cluster, "bob")  # least_conn: the node alice is not on
        assert await recv(alice) == "bob connected to chat"
        await bob.send("across nodes")
        assert await recv(alice) == "bob: across nodes"
        assert await recv(bob) == "bob: across nodes"
        await alice.send("and back")
        assert await recv(bob) == "alice: and back"
        await asyncio.gather(alice.close(), bob.close())
    asyncio.run(chat())
    placed = {service: user_on(service) for service in NODES}
    assert sorted(placed.values()) == ["alice", "bob"], placed
    report(f"compose: {placed['parley-a']} on parley-a, {placed['parley-b']} on parley-b, "
           "chatting through nginx")


def test_the_web_client_and_api_come_through_nginx(cluster):
    status, body = ce.http_get(f"{cluster.http_url}/")
    assert status == 200 and "<html" in body.lower()
    status, body = ce.http_get(f"{cluster.http_url}/api/rooms")
    assert status == 200 and body.startswith(("[", "{"))
