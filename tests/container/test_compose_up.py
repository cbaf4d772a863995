"""deploy/compose/ brought up by podman-compose (or docker compose): Redis, two Parley nodes and
nginx in front; a client on each node chats with the other through nginx.

Cluster mode (DESIGN.md §4, `--cluster-redis`) does not exist yet, and without it two nodes
would be two unrelated servers: until `parley --help` lists the flag, this prints a SKIP line
saying so. It turns itself on with the flag; the compose file then needs the services below.
"""
import asyncio

import pytest

import container_engine as ce
import deploy_files as files
from conftest import report
from parley_client import join, recv

CLUSTER_FLAG = "--cluster-redis"
COMPOSE_FILE = files.repo_path("deploy", "compose", "docker-compose.yml")
PROJECT = "parley-test"


def cluster_mode_exists():
    return CLUSTER_FLAG in files.flag_names()


@pytest.fixture(scope="module")
def cluster(request):
    if not cluster_mode_exists():
        reason = (f"compose check: cluster mode ({CLUSTER_FLAG}) does not exist yet, so "
                  "deploy/compose/ has no Redis, second node or nginx to bring up")
        report(f"SKIP: {reason}")
        pytest.skip(reason)
    request.getfixturevalue("image")
    services = files.compose()["services"]
    assert {"redis", "nginx"} <= services.keys(), services.keys()
    assert len([s for s in services if s.startswith("parley")]) >= 2, services.keys()
    ce.engine("compose", "-f", COMPOSE_FILE, "-p", PROJECT, "up", "-d", timeout=300)
    try:
        nginx = ce.engine("compose", "-f", COMPOSE_FILE, "-p", PROJECT, "port", "nginx", "80")
        endpoint = ce.Endpoint(int(nginx.stdout.strip().rsplit(":", 1)[1]))
        yield endpoint
    finally:
        ce.engine("compose", "-f", COMPOSE_FILE, "-p", PROJECT, "down", "-v", check=False,
                  timeout=120)


def test_clients_on_two_nodes_chat_through_nginx(cluster):
    async def chat():
        alice = await join(cluster, "alice")
        bob = await join(cluster, "bob")  # nginx sends the second connection to the other node
        assert await recv(alice) == "bob connected to chat"
        await bob.send("across nodes")
        assert await recv(alice) == "bob: across nodes"
        await asyncio.gather(alice.close(), bob.close())
    asyncio.run(chat())
