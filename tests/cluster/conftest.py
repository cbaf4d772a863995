"""Fixtures for the cluster tests: a real redis-server and parley nodes sharing it.

Each test gets a fresh Redis and fresh nodes, so no test sees another's rooms, ids or names.
The Python integration suite's clients (parley_client, v1_client) are reused as they are.
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for path in (os.path.join(HERE, "..", "integration", "python"), os.path.join(HERE, "..", "support")):
    path = os.path.normpath(path)
    if path not in sys.path:
        sys.path.insert(0, path)

from parley_server import ParleyServer  # noqa: E402
from redis_server import RedisServer  # noqa: E402


@pytest.fixture
def redis():
    with RedisServer() as server:
        yield server


class ClusterNodes:
    """Starts parley nodes of one cluster (`redis_urls`: cluster.redis, one URL or the shards'),
    each with two event loops; stop_all() stops every one it started."""

    def __init__(self, redis_urls):
        self.redis_urls = redis_urls
        self.nodes = []

    def __call__(self, name, *args):
        node = ParleyServer("--cluster-redis", self.redis_urls, "--cluster-node-id", name,
                            "--server-threads", "2", *args)
        node.start()
        self.nodes.append(node)
        return node

    def stop_all(self):
        for node in self.nodes:
            node.stop()


@pytest.fixture
def start_node(redis):
    """start_node(name, *args): a parley node of the cluster on `redis`, stopped after the test."""
    nodes = ClusterNodes(redis.url)
    yield nodes
    nodes.stop_all()


@pytest.fixture
def two_nodes(start_node):
    return start_node("node-a"), start_node("node-b")
