"""log.file: lines are appended to the file; the listening line still reaches standard output."""
import time

from parley_client import join, recv, run, said


def file_lines(path, pattern, timeout=5.0):
    """The file's lines once one contains pattern (the server flushes every line)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        if any(pattern in line for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_lines_go_to_the_file_and_listening_also_to_stdout(start_server, tmp_path):
    log = tmp_path / "logs" / "parley.log"  # the folder is created too
    server = start_server("--log-file", str(log))

    async def scenario():
        alice = await join(server, "alice")
        await alice.send("hi")
        assert await recv(alice) == said("alice", "hi")
        await alice.close()
    run(scenario())

    lines = file_lines(log, "[parley.access] - close ")
    assert any(line.endswith("INFO  [parley.chat] - alice: hi") for line in lines), lines
    assert any("[parley.server] - listening on http://127.0.0.1:" in line for line in lines)
    # Standard output has the server's own lines only: chat and access lines went to the file.
    assert all("[parley.server]" in line for line in server.lines), server.lines
    assert server.terminate() == 0
    assert any(line.endswith("[parley.server] - stopped") for line in log.read_text().splitlines())


def test_the_file_is_appended_to(start_server, tmp_path):
    log = tmp_path / "parley.log"
    log.write_text("an earlier line\n")
    server = start_server("--log-file", str(log), "--log-format", "json")
    lines = file_lines(log, "listening on")
    assert lines[0] == "an earlier line"
    assert '"package":"parley.server"' in lines[1]
    assert server.lines and '"message":"listening on' in server.lines[0]


def test_a_file_that_cannot_be_opened_stops_start_up(tmp_path):
    import subprocess
    from parley_server import binary_path, server_environment
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = subprocess.run([binary_path(), "--log-file", str(blocker / "parley.log")],
                            env=server_environment(), capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert result.stderr.startswith("parley: log.file: ") and result.stderr.count("\n") == 1
