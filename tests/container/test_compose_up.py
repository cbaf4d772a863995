"""deploy/compose/ brought up by podman-compose (or docker compose): Redis, two Parley nodes and
nginx in front; a client on each node chats with the other through nginx.

Cluster mode (DESIGN.md §4, `--cluster-redis`) exists as a preview, but deploy/compose/ does not
run it yet (issue 11's load-balancer slice): until `parley --help` lists the flag and the compose
file has a redis service, this prints a SKIP line saying so. It turns itself on with both; the
compose file then needs the services below.
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


def compose_runs_a_cluster():
    return "redis" in files.compose()["services"]


@pytest.fixture(scope="module")
def cluster(request):
    if not cluster_mode_exists() or not compose_runs_a_cluster():
        reason = (f"compose check: cluster mode ({CLUSTER_FLAG}) is not in deploy/compose/ yet, "
                  "so it has no Redis, second node or nginx to bring up")
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
