"""One trace follows a message across nodes (issue 11, item 8): the sender's node publishes it
under a "cluster publish" span whose traceparent rides with the event through Redis, and every
node's "cluster deliver" span is that span's child."""
import pytest

from otlp_receiver import OtlpReceiver, attributes
from parley_client import run
from v1_client import V1Client

SPAN_WAIT = 20.0


@pytest.fixture
def collector():
    with OtlpReceiver() as receiver:
        yield receiver


def test_a_message_is_one_trace_from_the_sender_node_to_every_node(start_node, collector):
    tracing = ("--tracing-enabled", "--tracing-endpoint", collector.url)
    a, b = start_node("node-a", *tracing), start_node("node-b", *tracing)

    async def scenario():
        carol = await V1Client.open(a, "carol")
        dave = await V1Client.open(b, "dave")
        await carol.expect("join", user="dave")
        message, _ = await carol.say("lobby", "across")
        await dave.wait_for("message", text="across")
        await carol.close()
        await dave.close()
        return message["id"]

    sent_id = run(scenario())

    def delivered(spans):
        return {attributes(s).get("chat.node") for s in spans if s["name"] == "cluster deliver"
                and attributes(s).get("chat.id") == sent_id}

    spans = collector.wait_for(lambda s: delivered(s) == {"node-a", "node-b"}, SPAN_WAIT)
    assert spans is not None, "no delivery span from both nodes"
    deliveries = [s for s in spans if s["name"] == "cluster deliver"
                  and attributes(s).get("chat.id") == sent_id]
    (publish,) = [s for s in spans if s["name"] == "cluster publish"
                  and s["spanId"] == deliveries[0].get("parentSpanId")]
    (broadcast,) = [s for s in spans if s["name"] == "chat broadcast"
                    and s["spanId"] == publish.get("parentSpanId")]
    # One trace: the sender's message span, its publish, and a delivery on each node under it.
    assert {s["traceId"] for s in deliveries + [publish, broadcast]} == {broadcast["traceId"]}
    assert all(s["parentSpanId"] == publish["spanId"] for s in deliveries)
    assert attributes(publish)["chat.room"] == "lobby"
    assert sorted(attributes(s)["chat.fanout"] for s in deliveries) == [1, 1]  # carol on a, dave on b
