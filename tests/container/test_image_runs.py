"""The image, run by the container engine: non-root, probes, a chat through the published port,
metrics, its HEALTHCHECK, its size, history kept in its working directory across a restart and
on a volume across containers, and SIGTERM: close 1001 to a connected client and exit 0 within
the grace period."""
import asyncio
import json
import os
import time

import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

import container_engine as ce
from conftest import report
from parley_client import closed, join, recv

LISTENING = r"listening on http://[^\s]+:9090/"
MAX_IMAGE_MB = 120  # the budget (issue 14): runtime libraries on debian:bookworm-slim
GRACE_S = 10  # what `docker stop` and `podman stop` wait before SIGKILL by default
ROOM = "deploy-check"


@pytest.fixture
def run_parley(image):
    """Factory: run_parley(*args, options=[...]) -> (container name, Endpoint): the image
    started in the background with 9090 and 9797 published on free loopback ports, once it
    listens; options go to `run` before the image. The container is removed after the test; its
    output is printed (shown when the test fails)."""
    names = []

    def run(*args, options=()):
        name = f"parley-test-{os.getpid()}-{len(names)}"
        names.append(name)
        ce.engine("run", "-d", "--name", name, "-p", "127.0.0.1::9090", "-p", "127.0.0.1::9797",
                  *options, image, *args)
        ce.wait_for_log(name, LISTENING)
        return name, ce.Endpoint(ce.published_port(name, 9090), ce.published_port(name, 9797))

    yield run

    for name in names:
        print(f"---- {name} output ----\n{ce.logs(name)}")
        ce.engine("rm", "-f", name, check=False)


def test_runs_as_the_non_root_user_10001(run_parley):
    name, _ = run_parley()
    status = ce.engine("exec", name, "cat", "/proc/1/status").stdout
    uids = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
    gids = next(line.split()[1:] for line in status.splitlines() if line.startswith("Gid:"))
    assert uids == ["10001"] * 4 and gids == ["10001"] * 4, (uids, gids)
    assert ce.engine("exec", name, "cat", "/proc/1/cmdline").stdout.split("\0")[0] == (
        "/usr/local/bin/parley")


def test_probes_chat_and_metrics_through_the_published_ports(run_parley):
    _, endpoint = run_parley()
    assert ce.http_get(f"{endpoint.http_url}/healthz")[0] == 200
    assert ce.http_get(f"{endpoint.http_url}/readyz")[0] == 200

    async def chat():
        alice = await join(endpoint, "alice", query=f"room={ROOM}")
        bob = await join(endpoint, "bob", query=f"room={ROOM}")
        assert await recv(alice) == "bob connected to chat"
        await bob.send("hello from bob")
        assert await recv(alice) == "bob: hello from bob"
        assert await recv(bob) == "bob: hello from bob"
        await asyncio.gather(alice.close(), bob.close())
    asyncio.run(chat())

    status, body = ce.http_get(f"http://127.0.0.1:{endpoint.metrics_port}/metrics")
    assert status == 200
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(body) for s in family.samples}
    # The chat above is what this server counted: two upgrades, one message.
    assert samples[("http_requests_total", (("method", "GET"), ("status", "101")))] == 2
    assert samples[("parley_messages_received_total", ())] == 1


def test_the_images_healthcheck_passes_while_the_server_runs(run_parley, engine_name):
    name, _ = run_parley()
    if engine_name == "podman":
        # No systemd timers here to run it every 10 s; `healthcheck run` runs it now.
        result = ce.engine("healthcheck", "run", name, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        deadline = time.monotonic() + 30
        while ce.inspect("container", name, "{{.State.Health.Status}}") != "healthy":
            assert time.monotonic() < deadline, "the HEALTHCHECK did not pass in 30 s"
            time.sleep(0.5)  # docker runs it on its own interval; this only looks at the result


def test_image_size_is_within_budget(image):
    size = int(ce.inspect("image", image, "{{.Size}}"))
    base = int(ce.inspect("image", "debian:bookworm-slim", "{{.Size}}"))
    report(f"image size: {size / 1e6:.1f} MB ({image}; base debian:bookworm-slim "
           f"{base / 1e6:.1f} MB)")
    assert size < MAX_IMAGE_MB * 1e6, f"{size / 1e6:.1f} MB"


async def v1_history(endpoint, user):
    """The events a parley.v1 client is given on joining ROOM."""
    async with websockets.connect(f"{endpoint.url}/chat/{user}?room={ROOM}",
                                  subprotocols=["parley.v1"], open_timeout=5) as ws:
        while True:
            event = json.loads(await recv(ws))
            if event["type"] == "joined":
                return event["events"]


def test_sigterm_closes_clients_with_1001_exits_0_and_history_survives_a_restart(run_parley):
    """`stop` sends the image's STOPSIGNAL (SIGTERM) to PID 1; the client gets 1001 with the
    reason, the container exits 0 well within the engine's default grace period, and the room's
    history, kept in the image's working directory, is there after `start`."""
    name, endpoint = run_parley()

    async def scenario():
        alice = await join(endpoint, "alice", query=f"room={ROOM}")
        await alice.send("before the restart")
        assert await recv(alice) == "alice: before the restart"
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        stopping = loop.run_in_executor(
            None, lambda: ce.engine("stop", "-t", str(GRACE_S * 3), name, timeout=60))
        code, reason, _ = await closed(alice, timeout=GRACE_S)
        assert (code, reason) == (1001, "Server is shutting down.")
        await stopping
        return time.monotonic() - started
    took = asyncio.run(scenario())
    assert ce.exit_code(name) == 0, ce.logs(name)
    assert took < GRACE_S, f"stopped after {took:.1f} s"
    report(f"SIGTERM to exit 0 with a client connected: {took:.1f} s")

    ce.engine("start", name)
    ce.wait_for_log(name, LISTENING, occurrence=2)
    endpoint = ce.Endpoint(ce.published_port(name, 9090))
    texts = [e.get("text") for e in asyncio.run(v1_history(endpoint, "bob"))]
    assert "before the restart" in texts, texts


@pytest.fixture
def volume():
    """A named volume for one test, removed after it."""
    name = f"parley-test-data-{os.getpid()}"
    yield name
    ce.engine("volume", "rm", "-f", name, check=False)


def test_history_outlives_the_container_on_a_volume_at_the_working_directory(volume,
                                                                              run_parley):
    """What the compose file and docs/operations.md do: a new named volume mounted at
    /var/lib/parley takes the directory's owner from the image, so user 10001 can write there,
    and a second container on it has the first one's history."""
    mount = ["-v", f"{volume}:/var/lib/parley"]
    first, endpoint = run_parley(options=mount)

    async def say():
        alice = await join(endpoint, "alice", query=f"room={ROOM}")
        await alice.send("kept on the volume")
        assert await recv(alice) == "alice: kept on the volume"
        await alice.close()
    asyncio.run(say())
    ce.engine("stop", first, timeout=60)
    assert ce.exit_code(first) == 0
    ce.engine("rm", first)

    _, endpoint = run_parley(options=mount)
    texts = [e.get("text") for e in asyncio.run(v1_history(endpoint, "bob"))]
    assert "kept on the volume" in texts, texts
