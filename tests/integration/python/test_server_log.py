"""The server logs every chat message at INFO under [parley.chat], in the documented format."""
import datetime
import re

from parley_client import join, recv, run, said

LINE = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) "
    r"(?P<level>TRACE|DEBUG|INFO |WARN |ERROR|FATAL|CRITICAL) "
    r"\[(?P<logger>[A-Za-z0-9_.]+)\] - (?P<message>.*)$"
)


def test_chat_message_is_logged_at_info_under_parley_chat(server):
    async def scenario():
        alice = await join(server, "alice")
        await alice.send("hi")
        assert await recv(alice) == said("alice", "hi")
        await alice.close()
    mark = len(server.lines)
    run(scenario())
    match = server.wait_for_line(r"INFO  \[parley\.chat\] - alice: hi$", 5, start_at=0)
    assert match, "no chat log line; output:\n" + "".join(server.lines[mark:])
    line = match.string.rstrip("\n")
    parsed = LINE.match(line)
    assert parsed, f"log line not in 'YYYY-MM-DD HH:MM:SS,mmm LEVEL  [package] - message' form: {line!r}"
    assert (parsed["level"], parsed["logger"], parsed["message"]) == ("INFO ", "parley.chat", "alice: hi")
    datetime.datetime.strptime(parsed["ts"], "%Y-%m-%d %H:%M:%S,%f")  # a real date and time


def test_every_chat_message_is_logged_once_in_order(server):
    async def scenario():
        alice = await join(server, "alice")
        for k in range(5):
            await alice.send(f"msg {k}")
        for k in range(5):
            assert await recv(alice) == said("alice", f"msg {k}")
        await alice.close()
    run(scenario())
    assert server.wait_for_line(r"\[parley\.chat\] - alice: msg 4$", 5)
    logged = [l.rstrip("\n").split("] - ", 1)[1] for l in server.lines
              if "[parley.chat] - alice: msg" in l]
    assert logged == [f"alice: msg {k}" for k in range(5)]


def test_decoded_username_is_logged(server):
    async def scenario():
        user = await join(server, "J%C3%BCrgen", name="Jürgen")
        await user.send("grüß dich")
        assert await recv(user) == said("Jürgen", "grüß dich")
        await user.close()
    run(scenario())
    assert server.wait_for_line(r"INFO  \[parley\.chat\] - Jürgen: grüß dich$", 5)


def test_every_log_line_has_the_documented_format(server):
    async def scenario():
        alice = await join(server, "alice")
        await alice.send("hi")
        assert await recv(alice) == said("alice", "hi")
        await alice.close()
    run(scenario())
    assert server.wait_for_line(r"\[parley\.chat\] - alice: hi$", 5)
    bad = [l for l in server.lines if not LINE.match(l.rstrip("\n"))]
    assert bad == [], f"lines not in the log format: {bad[:5]}"


def test_lifecycle_lines_are_written_at_warn_while_chat_lines_are_not(start_server):
    """A benchmark runs at warn (a line per chat message would cost throughput) and still needs the
    port; the harness itself found it from the listening line at warn."""
    from parley_client import join, run

    server = start_server("--log-level", "warn")
    assert any("listening on" in line for line in server.lines)

    async def scenario():
        alice = await join(server, "alice")
        await alice.send("quiet")
        await alice.recv()
        await alice.close()

    run(scenario())
    server.terminate()
    assert any("stopped" in line for line in server.lines)
    assert not any("alice" in line for line in server.lines)
