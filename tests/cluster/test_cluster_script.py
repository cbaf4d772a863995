"""scripts/cluster (`make cluster`): Redis, two nodes and nginx on loopback from one command; two
clients through its nginx land on different nodes and chat; SIGTERM stops every process."""
import asyncio
import os
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

from parley_client import join, recv
from parley_server import binary_path, server_environment
from redis_server import free_port

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
UP = re.compile(r"^cluster: Redis :\d+, nodes .* nginx (http://\S+/)")


class Script:
    """scripts/cluster running, its output collected line by line."""

    def __init__(self, env):
        self.lines = []
        self.changed = threading.Condition()
        self.proc = subprocess.Popen([os.path.join(REPO, "scripts", "cluster")], cwd=REPO,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, pattern, timeout=30.0):
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines:
                    match = regex.search(line)
                    if match:
                        return match
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no {pattern!r} in:\n" + "".join(self.lines))
                self.changed.wait(min(remaining, 0.2))


def listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def ports():
    return {"http": free_port(), "nodes": [free_port(), free_port()], "redis": free_port()}


def test_one_command_starts_redis_two_nodes_and_nginx_and_sigterm_stops_them(ports):
    env = server_environment({
        "PARLEY_BIN": binary_path(),  # the script's own variable (the nodes do not see it)
        "CLUSTER_HTTP_PORT": str(ports["http"]), "CLUSTER_REDIS_PORT": str(ports["redis"]),
        "CLUSTER_NODE_PORTS": " ".join(map(str, ports["nodes"]))})
    script = Script(env)
    try:
        url = script.wait_for(UP.pattern).group(1)
        assert url == f"http://127.0.0.1:{ports['http']}/"

        class Nginx:
            url = f"ws://127.0.0.1:{ports['http']}"

        async def chat():
            alice = await join(Nginx, "alice")
            bob = await join(Nginx, "bob")
            assert await recv(alice) == "bob connected to chat"
            await bob.send("hello through the script's nginx")
            assert await recv(alice) == "bob: hello through the script's nginx"
            await asyncio.gather(alice.close(), bob.close())
        asyncio.run(chat())
        nodes = {script.wait_for(rf"^\[node (\w)\] .*path=/chat/{user}\S* status=101").group(1)
                 for user in ("alice", "bob")}
        assert nodes == {"a", "b"}

        script.proc.send_signal(signal.SIGTERM)
        assert script.proc.wait(15) == 0
        assert not any(listening(p) for p in (ports["http"], ports["redis"], *ports["nodes"]))
    finally:
        if script.proc.poll() is None:
            script.proc.kill()
