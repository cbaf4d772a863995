"""Prometheus metrics (metrics.enabled): scraped during a run and read with prometheus_client's
parser; every value that the run determines is checked, before and after."""
import os
import re

from metrics_scrape import delta, scrape, value, wait_for_scrape
from parley_client import (
    OP_TEXT, RawWs, close_all, closed, connect, http_request, join, joined, recv, run, said,
)

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")


def test_metrics_are_off_unless_enabled(start_server):
    server = start_server()
    assert not any("metrics on" in line for line in server.lines)


def test_http_requests_and_rejections_are_counted(start_server):
    server = start_server("--threads", "2", *METRICS)
    before = scrape(server)
    assert http_request(server, "GET", "/healthz").status == 200
    assert http_request(server, "POST", "/", body=b"x").status == 405
    assert http_request(server, "GET", "/chat/alice").status == 426
    assert http_request(server, "GET", "/nowhere").status == 404
    after = wait_for_scrape(
        server, lambda s: value(s, "parley_connections_total", outcome="http")
        - value(before, "parley_connections_total", outcome="http") == 4, "4 closed HTTP connections")

    assert delta(before, after, "http_requests_total", method="GET", status="200") == 1
    assert delta(before, after, "http_requests_total", method="other", status="405") == 1
    assert delta(before, after, "http_requests_total", method="GET", status="426") == 1
    assert delta(before, after, "http_requests_total", method="GET", status="404") == 1
    assert delta(before, after, "parley_rejected_inputs_total", reason="http_method_not_allowed") == 1
    assert delta(before, after, "parley_rejected_inputs_total", reason="http_upgrade_required") == 1
    assert delta(before, after, "parley_rejected_inputs_total", reason="http_bad_request") == 0
    assert delta(before, after, "http_response_time_count") == 4
    assert delta(before, after, "parley_connections_accepted_total") == 4
    assert value(after, "parley_connections_open") == 0
    build = [labels for (name, labels), v in after.items() if name == "parley_build_info" and v == 1]
    assert len(build) == 1 and ("version", "0.1.0") in build[0], build


def test_chat_traffic_and_closes_are_counted(start_server):
    server = start_server("--threads", "2", *METRICS)
    before = scrape(server)

    async def chat():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        for i in range(3):
            await alice.send(f"hello {i}")
        for ws in (alice, bob):
            for i in range(3):
                assert await recv(ws) == said("alice", f"hello {i}")
        return alice, bob

    async def scenario():
        alice, bob = await chat()
        during = scrape(server)
        assert delta(before, during, "parley_messages_received_total") == 3
        # bob's join notice to alice, then 3 messages to 2 members
        assert delta(before, during, "parley_messages_delivered_total") == 1 + 3 * 2
        # one observation per message per event loop with members: 3 to 6 with 2 loops
        assert 3 <= delta(before, during, "parley_fanout_latency_seconds_count") <= 6
        assert delta(before, during, "parley_fanout_latency_seconds_sum") > 0
        assert delta(before, during, "parley_bytes_received_total") > 3 * len("hello 0")
        assert delta(before, during, "parley_bytes_sent_total") > 6 * len(said("alice", "hello 0"))
        assert value(during, "parley_connections_open") == 2
        assert delta(before, during, "http_requests_total", method="GET", status="101") == 2

        # Bad input of every chat kind, each answered with its close code.
        duplicate = await connect(server, "alice")
        assert (await closed(duplicate))[0] == 1003
        bad_age = await connect(server, "eve", "age=abc")
        assert (await closed(bad_age))[0] == 1008
        carol = await join(server, "carol")
        await carol.send(b"\x00binary")
        assert (await closed(carol))[0] == 1003
        dave = await RawWs.join(server, "dave")
        await dave.send_frame(OP_TEXT, b"\xff\xfe")
        assert (await dave.expect_close())[0] == 1007
        dave.close_tcp()
        await close_all(alice, bob)

    run(scenario())
    after = wait_for_scrape(server, lambda s: value(s, "parley_connections_open") == 0,
                            "every connection to end")
    rejected = "parley_rejected_inputs_total"
    assert delta(before, after, rejected, reason="chat_duplicate_username") == 1
    assert delta(before, after, rejected, reason="chat_invalid_join") == 1
    assert delta(before, after, rejected, reason="chat_binary_message") == 1
    assert delta(before, after, rejected, reason="ws_invalid_utf8") == 1
    assert delta(before, after, rejected, reason="ws_protocol_error") == 0
    closes = "parley_websocket_closes_total"
    assert delta(before, after, closes, code="1000") == 2  # alice and bob
    assert delta(before, after, closes, code="1003") == 2  # the duplicate and carol
    assert delta(before, after, closes, code="1008") == 1
    assert delta(before, after, closes, code="1007") == 1
    assert delta(before, after, "parley_connections_total", outcome="websocket") == 6
    assert delta(before, after, "parley_messages_received_total") == 3
    assert delta(before, after, "parley_slow_consumer_closes_total") == 0


def test_docs_list_exactly_the_metric_families_served(start_server):
    """docs/metrics.md's table and a real scrape (tracing on, so its families show) agree."""
    server = start_server(*METRICS, "--tracing-enabled", "--tracing-endpoint",
                          "http://127.0.0.1:9/v1/traces")
    # Labelled families show once something has happened: one request, one WebSocket closed.
    assert http_request(server, "GET", "/healthz").status == 200

    async def one_session():
        alice = await join(server, "alice")
        await alice.close()

    run(one_session())
    served = {name for name, _ in wait_for_scrape(
        server, lambda s: value(s, "parley_websocket_closes_total", code="1000") == 1,
        "the close to be counted")}
    families = set()
    for name in served:
        for suffix in ("_bucket", "_count", "_sum"):
            if name.endswith(suffix) and name[: -len(suffix)] + "_count" in served:
                name = name[: -len(suffix)]
                break
        families.add(name)
    families = {f for f in families if not f.startswith("exposer_")}
    doc = os.path.join(os.environ.get("PARLEY_SOURCE_DIR", os.path.join(
        os.path.dirname(__file__), "..", "..", "..")), "docs", "metrics.md")
    with open(doc) as text:
        documented = set(re.findall(r"^\| `([a-z_]+)` \|", text.read(), re.M))
    # Served in cluster mode only (tests/cluster/test_cluster_metrics.py checks those), or with
    # metrics.tls only (test_metrics_tls.py).
    documented = {d for d in documented
                  if not d.startswith(("parley_cluster_", "parley_metrics_tls_"))}
    assert documented == families
