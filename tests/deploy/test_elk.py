"""deploy/elk/: the grok pattern in logstash.conf, expanded with Logstash's own definitions,
splits every line of a real run into date, level, package and message; a run with
--log-format json gives the same four fields with the same values; the date filter's pattern
reads every date; filebeat.yml's inputs, multiline rule and output fit logstash.conf."""
import asyncio
import datetime
import json
import re
from collections import Counter

import pytest

import deploy_files as files
from grok import compile_grok, grok_match
from otlp_receiver import OtlpReceiver
from parley_client import closed, connect, http_request, join, recv

LOGSTASH = files.read("deploy", "elk", "logstash.conf")
FILEBEAT = files.filebeat_config()
FIELDS = ["date", "level", "package", "message"]
LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
# A chat message that looks like the rest of a line: it must stay one message.
TRICKY = "look] - [parley.fake] - WARN x"


def logstash_grok_pattern():
    """The pattern of the grok filter's match on "message", as Logstash reads the string (its
    config strings keep backslashes as written)."""
    grok_blocks = re.findall(r"\bgrok\s*\{(.*?)\n\s*\}", LOGSTASH, re.DOTALL)
    assert len(grok_blocks) == 1, grok_blocks
    (pattern,) = re.findall(r'match\s*=>\s*\{\s*"message"\s*=>\s*"([^"]*)"\s*\}', grok_blocks[0])
    return pattern


def run_chat(server):
    """Two users chat, one name is refused, a plain GET hits a chat path, both leave; then a
    failed span export (WARN) and SIGTERM. Returns every line the server printed."""

    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob", age=30)
        assert await recv(alice) == "bob with age 30 connected to chat"
        for text in ("hi", TRICKY):
            await alice.send(text)
            assert await recv(alice) == f"alice: {text}"
            assert await recv(bob) == f"alice: {text}"
        duplicate = await connect(server, "alice")
        code, _, _ = await closed(duplicate)
        assert code == 1003
        await bob.close()
        assert await recv(alice) == "bob left the chat"
        await alice.close()
    asyncio.run(scenario())
    assert http_request(server, "GET", "/chat/carol").status == 426
    assert server.wait_for_line(r"alice left the chat", 5)
    assert server.wait_for_line(r"close remote=\S+ path=/chat/alice code=1000", 5)
    assert server.wait_for_line(r"span export to .* failed", 10)
    assert server.terminate(10) == 0
    server.stop()  # every line read
    return [line.rstrip("\n") for line in server.lines]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same chat against a text-format and a JSON-format server (in UTC, as in the image)."""
    from parley_server import ParleyServer
    lines = {}
    for log_format in ("text", "json"):
        with OtlpReceiver() as gone:
            endpoint = gone.url  # nobody listens there once closed: the export fails (WARN)
        server = ParleyServer("--threads", "2", "--log-format", log_format, "--tracing-enabled",
                              "--tracing-endpoint", endpoint, env={"TZ": "UTC"})
        started = datetime.datetime.now(datetime.timezone.utc)
        server.start()
        try:
            lines[log_format] = run_chat(server)
        finally:
            server.stop()
        lines[log_format + "_window"] = (started, datetime.datetime.now(datetime.timezone.utc))
    return lines


def grok_records(lines):
    regex = compile_grok(logstash_grok_pattern())
    records = []
    for line in lines:
        fields = grok_match(regex, line)
        assert fields is not None, f"grok does not match: {line!r}"
        records.append(fields)
    return records


def test_grok_pattern_is_the_tutorials_with_our_field_names():
    pattern = logstash_grok_pattern()
    assert pattern == (r"%{TIMESTAMP_ISO8601:date}%{SPACE}%{WORD:level}%{SPACE}\[%{DATA:package}\]"
                       r"%{SPACE}\-%{SPACE}%{GREEDYDATA:message}")
    assert re.search(r'overwrite\s*=>\s*\[\s*"message"\s*\]', LOGSTASH)  # message is replaced


def test_the_documented_example_line_parses():
    regex = compile_grok(logstash_grok_pattern())
    assert grok_match(regex, "2026-01-02 15:04:05,123 INFO  [parley.chat] - alice: hi") == {
        "date": "2026-01-02 15:04:05,123", "level": "INFO", "package": "parley.chat",
        "message": "alice: hi"}
    # The pattern is the point: with the tutorial's GREEDYDATA for package, a message holding
    # "] - " would move the split into the message.
    tutorial = logstash_grok_pattern().replace("%{DATA:package}", "%{GREEDYDATA:package}")
    greedy = compile_grok(tutorial)
    line = f"2026-01-02 15:04:05,123 INFO  [parley.chat] - alice: {TRICKY}"
    assert grok_match(greedy, line)["package"] != "parley.chat"
    assert grok_match(regex, line)["package"] == "parley.chat"


def test_every_text_line_of_a_real_run_parses_into_the_four_fields(runs):
    records = grok_records(runs["text"])
    assert len(records) >= 15, runs["text"]
    for record, line in zip(records, runs["text"]):
        assert list(record) == FIELDS
        assert line.startswith(record["date"]) and len(record["date"]) == 23, line
        assert record["level"] in LEVELS, line
        assert re.fullmatch(r"parley\.[a-z]+", record["package"]), line
        assert line.endswith(record["message"]), line
    seen = {(r["level"], r["package"], r["message"]) for r in records}
    assert ("INFO", "parley.chat", "alice: hi") in seen
    assert ("INFO", "parley.chat", f"alice: {TRICKY}") in seen
    assert ("INFO", "parley.chat", "bob with age 30 connected to chat") in seen
    assert ("INFO", "parley.chat", "bob left the chat") in seen
    assert ("INFO", "parley.chat", "refused duplicate username 'alice'") in seen
    assert ("INFO", "parley.server", "stopped") in seen

    def one(level, package, pattern):
        found = [r for r in records if (r["level"], r["package"]) == (level, package)
                 and re.fullmatch(pattern, r["message"])]
        assert found, (level, package, pattern)

    one("INFO", "parley.server", r"listening on http://127\.0\.0\.1:\d+/ with 2 event loops")
    one("INFO", "parley.access", r"upgrade remote=127\.0\.0\.1:\d+ path=/chat/alice status=101")
    one("INFO", "parley.access", r"upgrade remote=127\.0\.0\.1:\d+ path=/chat/carol status=426")
    one("INFO", "parley.access",
        r"close remote=127\.0\.0\.1:\d+ path=/chat/bob code=1000 by=client duration_ms=\d+")
    one("INFO", "parley.access",
        r"close remote=127\.0\.0\.1:\d+ path=/chat/alice code=1003 by=server duration_ms=\d+")
    one("WARN", "parley.tracing", r"span export to http://127\.0\.0\.1:\d+/v1/traces failed, .*")


def normalised(records):
    """(level, package, message) with every number replaced: ports and durations differ."""
    return Counter((r["level"], r["package"], re.sub(r"\d+", "#", r["message"])) for r in records)


def test_json_lines_of_the_same_run_carry_the_same_four_fields_and_values(runs):
    records = []
    for line in runs["json"]:
        record = json.loads(line)
        assert list(record) == FIELDS, line
        records.append(record)
    texts = grok_records(runs["text"])
    assert normalised(records) == normalised(texts)
    assert {"level": "INFO", "package": "parley.chat", "message": f"alice: {TRICKY}"} in [
        {k: r[k] for k in FIELDS[1:]} for r in records]


def joda_to_strptime(pattern):
    tokens = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S",
              "SSS": "%f"}
    return re.sub(r"yyyy|SSS|MM|dd|HH|mm|ss", lambda m: tokens[m.group(0)], pattern)


def test_date_filter_reads_every_date_as_utc(runs):
    (field, pattern) = re.search(r'date\s*\{\s*match\s*=>\s*\[\s*"(\w+)"\s*,\s*"([^"]+)"\s*\]',
                                 LOGSTASH).groups()
    assert field == "date"  # the grok's and the JSON's date field
    assert pattern == "yyyy-MM-dd HH:mm:ss,SSS"
    assert re.search(r'timezone\s*=>\s*"UTC"', LOGSTASH)
    layout = joda_to_strptime(pattern)
    for log_format in ("text", "json"):
        dates = ([r["date"] for r in grok_records(runs["text"])] if log_format == "text"
                 else [json.loads(line)["date"] for line in runs["json"]])
        started, ended = runs[log_format + "_window"]
        for date in dates:
            assert re.fullmatch(r".*,\d{3}", date)  # SSS: exactly milliseconds
            when = datetime.datetime.strptime(date, layout).replace(tzinfo=datetime.timezone.utc)
            slack = datetime.timedelta(seconds=1)
            assert started - slack <= when <= ended + slack, (date, started, ended)


def test_filebeat_multiline_rule_starts_an_event_at_every_line(runs):
    text_input = next(i for i in FILEBEAT["filebeat.inputs"] if i["id"] == "parley-text")
    (parser,) = [p["multiline"] for p in text_input["parsers"] if "multiline" in p]
    assert (parser["type"], parser["negate"], parser["match"]) == ("pattern", True, "after")
    start = re.compile(parser["pattern"])  # RE2 and Python agree on this subset
    assert all(start.search(line) for line in runs["text"])
    assert not start.search("\tat a continuation line")
    assert not start.search(runs["json"][0])


def test_filebeat_inputs_tag_the_format_that_logstash_branches_on():
    (field, value) = re.search(r'if\s+\[fields\]\[(\w+)\]\s*==\s*"(\w+)"\s*\{\s*json\s*\{',
                               LOGSTASH).groups()
    assert re.search(r'json\s*\{\s*source\s*=>\s*"message"', LOGSTASH)
    inputs = {i["id"]: i for i in FILEBEAT["filebeat.inputs"]}
    assert inputs.keys() == {"parley-text", "parley-json", "parley-container"}
    assert inputs["parley-json"]["fields"][field] == value
    assert inputs["parley-text"]["fields"][field] != value
    assert inputs["parley-container"]["fields"][field] != value
    assert all(i["type"] == "filestream" for i in inputs.values())
    assert {"container": {"stream": "stdout"}} in inputs["parley-container"]["parsers"]
    assert inputs["parley-container"]["prospector.scanner.symlinks"] is True
    assert inputs["parley-text"]["paths"] == ["/var/log/parley/parley.log"]


def test_filebeat_ships_to_the_logstash_beats_port():
    port = int(re.search(r"beats\s*\{\s*port\s*=>\s*(\d+)", LOGSTASH).group(1))
    assert port == 5044
    (host,) = FILEBEAT["output.logstash"]["hosts"]
    assert int(host.rsplit(":", 1)[1]) == port
    assert re.search(r'elasticsearch\s*\{\s*hosts\s*=>', LOGSTASH)
