"""OpenTelemetry tracing: a local OTLP/HTTP JSON collector receives the spans of a WebSocket
upgrade, of each chat message's broadcast and of the close, under the caller's traceparent."""
import asyncio
import re

import pytest

from otlp_receiver import OtlpReceiver, attributes
from parley_client import close_all, connect, join, joined, recv, run, said

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
SPAN_WAIT = 20.0  # batches leave every second; sanitizer builds are slower
SPAN_NAMES = {"websocket upgrade", "chat broadcast", "websocket close"}


def traceparent(trace_id=TRACE_ID, span_id=CALLER_SPAN_ID, flags="01"):
    return {"traceparent": f"00-{trace_id}-{span_id}-{flags}"}


@pytest.fixture
def collector():
    with OtlpReceiver() as receiver:
        yield receiver


def start_traced(start_server, collector, *args):
    return start_server("--threads", "2", "--tracing-enabled",
                        "--tracing-endpoint", collector.url, *args)


def has_all_spans_of(trace_id):
    return lambda spans: SPAN_NAMES <= {s["name"] for s in spans if s["traceId"] == trace_id}


def one(spans, name, trace_id=TRACE_ID):
    found = [s for s in spans if s["name"] == name and s["traceId"] == trace_id]
    assert len(found) == 1, f"{name} spans in trace {trace_id}: {found}"
    return found[0]


async def chat_once(server, name, headers=None, text="hello"):
    """Joins with `headers`, says `text`, receives it back and closes (code 1000)."""
    ws = await connect(server, name, extra_headers=headers or {})
    await recv(ws)  # greeting
    await ws.send(text)
    assert await recv(ws) == said(name, text)
    await ws.close()


def assert_otlp_structure(collector):
    assert collector.requests, "no export arrived"
    for request in collector.requests:
        assert request["path"] == "/v1/traces"
        assert request["content_type"] == "application/json"
        body = request["body"]
        assert body is not None, f"not JSON: {request['raw'][:200]!r}"
        assert len(body["resourceSpans"]) == 1
        resource_spans = body["resourceSpans"][0]
        assert isinstance(resource_spans["resource"]["attributes"], list)
        assert len(resource_spans["scopeSpans"]) == 1
        scope_spans = resource_spans["scopeSpans"][0]
        assert scope_spans["scope"]["name"] == "parley"
        assert scope_spans["spans"]
        for span in scope_spans["spans"]:
            assert HEX32.match(span["traceId"]), span
            assert HEX16.match(span["spanId"]), span
            assert "parentSpanId" not in span or HEX16.match(span["parentSpanId"]), span
            assert span["kind"] in (1, 2), span
            start, end = span["startTimeUnixNano"], span["endTimeUnixNano"]
            assert isinstance(start, str) and start.isdigit(), span
            assert isinstance(end, str) and end.isdigit() and int(end) >= int(start), span
            for attribute in span["attributes"]:
                (kind, value), = attribute["value"].items()
                assert kind in ("stringValue", "intValue", "doubleValue", "boolValue"), attribute
                if kind == "intValue":
                    assert isinstance(value, str) and value.lstrip("-").isdigit(), attribute


def test_spans_of_upgrade_broadcast_and_close_continue_the_callers_traceparent(
        start_server, collector):
    server = start_traced(start_server, collector)

    async def scenario():
        bob = await join(server, "bob")  # no traceparent: a trace of his own
        alice = await connect(server, "alice", extra_headers=traceparent())
        await recv(alice)  # greeting
        assert await recv(bob) == joined("alice")
        await alice.send("hello")
        assert await recv(alice) == said("alice", "hello")
        assert await recv(bob) == said("alice", "hello")
        await alice.close()
        await close_all(bob)
    run(scenario())

    spans = collector.wait_for(has_all_spans_of(TRACE_ID), SPAN_WAIT)
    assert spans is not None, f"spans received: {collector.spans()}"
    assert_otlp_structure(collector)
    assert {span["resource"]["service.name"] for span in spans} == {"parley"}

    upgrade = one(spans, "websocket upgrade")
    assert upgrade["parentSpanId"] == CALLER_SPAN_ID
    assert upgrade["kind"] == 2  # SERVER
    upgrade_attributes = attributes(upgrade)
    assert upgrade_attributes["http.request.method"] == "GET"
    assert upgrade_attributes["url.path"] == "/chat/alice"
    assert upgrade_attributes["http.response.status_code"] == 101
    assert upgrade_attributes["chat.username"] == "alice"

    broadcast = one(spans, "chat broadcast")
    assert broadcast["parentSpanId"] == upgrade["spanId"]
    assert broadcast["kind"] == 1  # INTERNAL
    broadcast_attributes = attributes(broadcast)
    assert broadcast_attributes["chat.room"] == "lobby"
    assert broadcast_attributes["chat.fanout"] == 2  # alice and bob
    assert broadcast_attributes["messaging.message.body.size"] == len("hello")
    # The frames sent: the legacy line to these clients, and the parley.v1 event (which is also
    # what history keeps) encoded alongside.
    assert broadcast_attributes["chat.bytes.legacy"] == 2 + len("alice: hello")
    assert broadcast_attributes["chat.bytes"] > 2 + len('{"type":"message","text":"hello"}')

    close = one(spans, "websocket close")
    assert close["parentSpanId"] == upgrade["spanId"]
    assert close["kind"] == 1
    close_attributes = attributes(close)
    assert close_attributes["websocket.close.code"] == 1000
    assert close_attributes["websocket.close.reason"] == ""
    assert close_attributes["websocket.close.initiator"] == "client"
    assert close_attributes["websocket.close.clean"] is True

    # Bob sent no traceparent: his upgrade is the root of a trace of its own.
    bob = collector.wait_for(
        lambda spans: any(attributes(s).get("chat.username") == "bob" for s in spans), SPAN_WAIT)
    assert bob is not None
    bob_upgrade = next(s for s in bob if attributes(s).get("chat.username") == "bob")
    assert bob_upgrade["traceId"] != TRACE_ID
    assert not bob_upgrade.get("parentSpanId")


def test_service_name_is_configurable_and_a_malformed_traceparent_starts_a_new_trace(
        start_server, collector):
    server = start_traced(start_server, collector, "--tracing-service-name", "parley-eu")
    malformed = {"traceparent": f"00-{TRACE_ID.upper()}-{CALLER_SPAN_ID}-01"}  # upper-case hex
    run(chat_once(server, "carol", malformed))

    spans = collector.wait_for(
        lambda spans: any(s["name"] == "websocket close" for s in spans), SPAN_WAIT)
    assert spans is not None, f"spans received: {collector.spans()}"
    assert_otlp_structure(collector)
    upgrade = next(s for s in spans if s["name"] == "websocket upgrade")
    assert upgrade["traceId"] != TRACE_ID.lower()
    assert not upgrade.get("parentSpanId")
    assert upgrade["resource"]["service.name"] == "parley-eu"


def test_ratio_0_records_no_new_trace_but_continues_a_sampled_traceparent(
        start_server, collector):
    server = start_traced(start_server, collector, "--tracing-sample-ratio", "0")
    run(chat_once(server, "dave"))  # no traceparent: not sampled at ratio 0
    run(chat_once(server, "erin", traceparent()))  # the positive control: sampled by the caller

    spans = collector.wait_for(has_all_spans_of(TRACE_ID), SPAN_WAIT)
    assert spans is not None, f"spans received: {collector.spans()}"
    # Dave's spans, had there been any, were queued before Erin's and exported no later.
    assert {s["traceId"] for s in spans} == {TRACE_ID}
    assert attributes(one(spans, "websocket upgrade"))["chat.username"] == "erin"


def test_an_unsampled_traceparent_is_honoured_at_ratio_1(start_server, collector):
    server = start_traced(start_server, collector)
    unsampled_trace = "0af7651916cd43dd8448eb211c80319c"
    run(chat_once(server, "frank", traceparent(trace_id=unsampled_trace, flags="00")))
    run(chat_once(server, "grace", traceparent()))  # control

    spans = collector.wait_for(has_all_spans_of(TRACE_ID), SPAN_WAIT)
    assert spans is not None, f"spans received: {collector.spans()}"
    assert unsampled_trace not in {s["traceId"] for s in spans}


def test_shutdown_flushes_the_spans_of_closes_with_1001(start_server, collector):
    server = start_traced(start_server, collector)

    async def scenario():
        ws = await connect(server, "heidi", extra_headers=traceparent())
        await recv(ws)  # greeting
        # SIGTERM closes heidi with 1001; the client answers while the server drains.
        exit_code = asyncio.get_running_loop().run_in_executor(None, server.terminate)
        await ws.wait_closed()
        assert ws.close_code == 1001
        assert await exit_code == 0
    run(scenario())

    spans = collector.wait_for(
        lambda spans: any(s["name"] == "websocket close" and s["traceId"] == TRACE_ID
                          for s in spans), SPAN_WAIT)
    assert spans is not None, f"spans received: {collector.spans()}"
    close_attributes = attributes(one(spans, "websocket close"))
    assert close_attributes["websocket.close.code"] == 1001
    assert close_attributes["websocket.close.initiator"] == "server"
    assert close_attributes["websocket.close.clean"] is True


def test_an_unreachable_collector_is_logged_and_chat_goes_on(start_server):
    with OtlpReceiver() as gone:
        endpoint = gone.url  # a port nobody listens on once the receiver is closed
    server = start_server("--threads", "2", "--tracing-enabled", "--tracing-endpoint", endpoint)
    run(chat_once(server, "ivan", traceparent()))
    run(chat_once(server, "judy", traceparent()))
    assert server.wait_for_line(r"\[parley\.tracing\] - span export to .* failed", SPAN_WAIT)
    failures = [line for line in server.lines if "span export" in line]
    assert len(failures) == 1, failures  # once a minute at most
