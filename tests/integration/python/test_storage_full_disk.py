"""A disk that fills up while the chat runs: the history store's batches fail, which is logged
(once, not per batch) and counted, and the chat goes on, live, for everyone."""
import subprocess

import pytest

from metrics_scrape import scrape, value, wait_for_scrape
from parley_client import NO_RATE_LIMIT, close_all, join, recv, run, said

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
FAILED_BATCH = r"\[parley\.server\] - history store: a batch of \d+ writes failed"


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs: the database fits, a few hundred 16 KiB messages do not."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_logged_once_and_counted_and_the_chat_goes_on(start_server, small_disk):
    server = start_server(*NO_RATE_LIMIT,
                          "--storage-path", str(small_disk), "--storage-commit-interval-ms", "5",
                          *METRICS)
    text = "x" * 16_000
    rounds = 120  # about 2 MB of text: twice what the disk holds

    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        await recv(alice)  # bob connected to chat
        for i in range(rounds):
            await alice.send(f"{i} {text}")
            for ws in (alice, bob):  # every message reaches everyone, disk or no disk
                assert await recv(ws) == said("alice", f"{i} {text}")
        await close_all(alice, bob)

    run(scenario())
    after = wait_for_scrape(server, lambda s: value(s, "parley_storage_write_failures_total") > 0,
                            "a failed write batch")
    assert value(after, "parley_storage_events_dropped_total") > 0
    assert value(after, "parley_events_stored_total") >= rounds + 2
    failures = [line for line in server.lines if "history store: a batch of" in line]
    assert len(failures) == 1, failures  # once a minute at most, however many batches failed
    assert "WARN" in failures[0]
    assert server.proc.poll() is None
