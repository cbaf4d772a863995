"""log.format = json: one JSON object per line with exactly date, level, package and message."""
import json
import re

from parley_client import join, recv, run, said

DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}$")


def json_lines(server):
    return [json.loads(line) for line in server.lines]  # every line, or the test fails here


def test_every_line_is_a_json_object_with_the_four_fields(start_server):
    server = start_server("--log-format", "json", "--threads", "2")

    async def scenario():
        alice = await join(server, "alice")
        await alice.send('quote " backslash \\ tab \t end')
        assert await recv(alice) == said("alice", 'quote " backslash \\ tab \t end')
        await alice.close()
    run(scenario())
    assert server.wait_for_line(r'"package":"parley.chat","message":"alice: quote', 5)
    assert server.wait_for_line(r'"package":"parley.access","message":"close ', 5)

    records = json_lines(server)
    for record in records:
        assert list(record) == ["date", "level", "package", "message"], record
        assert DATE.match(record["date"]), record
        assert record["level"] in {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}, record
        assert record["package"].startswith("parley."), record
    chat = [r["message"] for r in records if r["package"] == "parley.chat"]
    # The tab is escaped before it reaches the log (\t as two characters), so it cannot forge lines.
    assert 'alice: quote " backslash \\ tab \\t end' in chat
    assert {"level": "INFO", "package": "parley.server"}.items() <= records[0].items()


def test_env_and_file_select_the_json_format_too(start_server, tmp_path):
    path = tmp_path / "parley.toml"
    path.write_text('[log]\nformat = "json"\n')
    server = start_server("--config", str(path))
    assert json_lines(server)[0]["message"].startswith("listening on ")
    server = start_server(env={"PARLEY_LOG_FORMAT": "json"})
    assert json_lines(server)[0]["message"].startswith("listening on ")
