"""What a node does while it cannot reach its Redis (issue 11, item 6): nothing false is said,
nothing is lost for good, and presence is right again once Redis is back (even empty)."""
from parley_client import closed, connect, greeting, recv, run
from v1_client import V1Client


def lose_redis(redis, *nodes):
    marks = [len(node.lines) for node in nodes]
    redis.stop()
    for node, mark in zip(nodes, marks):
        assert node.wait_for_line("cluster: lost the Redis subscription", 10, start_at=mark)


def bring_redis_back(redis, *nodes):
    marks = [len(node.lines) for node in nodes]
    redis.start_again()  # empty: Redis lost everything
    for node, mark in zip(nodes, marks):
        assert node.wait_for_line("cluster: connected to Redis", 10, start_at=mark)
        assert node.wait_for_line("cluster: subscribed", 10, start_at=mark)


def test_a_newcomer_while_redis_is_away_is_told_to_come_back_not_that_its_name_is_taken(
        redis, start_node):
    node = start_node("node-a")

    async def scenario():
        carol = await V1Client.open(node, "carol")  # the node has reached Redis once
        lose_redis(redis, node)
        legacy = await connect(node, "erin")
        code, reason, _ = await closed(legacy)
        assert (code, reason) == (1013, "The chat is unavailable; try again later.")
        v1 = await V1Client.connect_raw(node, "frank")
        code, reason, _ = await closed(v1)
        assert (code, reason) == (1013, "The chat is unavailable; try again later.")

        bring_redis_back(redis, node)
        erin = await connect(node, "erin")
        assert await recv(erin) == greeting("erin")
        await erin.close()
        await carol.close()

    run(scenario())


def test_a_join_while_redis_is_away_is_refused_as_unavailable_and_works_once_it_is_back(
        redis, start_node):
    node = start_node("node-a")

    async def scenario():
        carol = await V1Client.open(node, "carol")
        lose_redis(redis, node)
        await carol.send({"type": "join", "room": "den"})
        await carol.expect("error", code="unavailable", room="den")
        bring_redis_back(redis, node)
        joined = await carol.join("den")
        assert joined["users"] == ["carol"]
        await carol.say("den", "made it")
        await carol.close()

    run(scenario())


def test_a_message_redis_cannot_take_is_never_lost_unsaid(redis, start_node):
    node = start_node("node-a")

    async def scenario():
        erin = await connect(node, "erin")
        assert await recv(erin) == greeting("erin")
        carol = await V1Client.open(node, "carol")
        lose_redis(redis, node)
        # parley.v1 is told with an error and may send again (its client_id makes that safe).
        await carol.send({"type": "send", "room": "lobby", "text": "into the void",
                          "client_id": "c-1"})
        await carol.wait_for("error", code="unavailable", room="lobby", client_id="c-1")
        # The legacy protocol has no error event: the client is closed rather than left
        # believing its line was said.
        await erin.send("into the void")
        code, reason, received = await closed(erin)
        assert (code, reason) == (1013, "The chat is unavailable; try again later.")
        assert "erin: into the void" not in received
        await carol.close()

    run(scenario())


def test_a_leave_while_redis_is_away_reaches_the_other_nodes_once_it_is_back_even_empty(
        redis, start_node):
    a, b = start_node("node-a"), start_node("node-b")

    async def scenario():
        carol = await V1Client.open(a, "carol")
        dave = await V1Client.open(b, "dave")
        await carol.wait_for("join", room="lobby", user="dave")
        lose_redis(redis, a, b)
        await dave.close()  # its leave cannot be published now
        bring_redis_back(redis, a, b)
        leave, _ = await carol.wait_for("leave", room="lobby", user="dave")
        assert leave["id"] > carol.joined["lobby"]["last_id"]  # ids went on, not from 1
        # Exactly one: the next event after it is carol's own message.
        _, between = await carol.say("lobby", "after the leave")
        assert [e for e in between if e["type"] == "leave"] == []
        # Presence is right again on both nodes: a newcomer sees carol only, and dave's name
        # was freed.
        dave_again = await V1Client.open(b, "dave")
        assert sorted(dave_again.joined["lobby"]["users"]) == ["carol", "dave"]
        await carol.close()
        await dave_again.close()

    run(scenario())


def test_typing_reaches_members_on_the_other_node_and_not_the_typist(two_nodes):
    a, b = two_nodes

    async def scenario():
        carol = await V1Client.open(a, "carol")
        dave = await V1Client.open(b, "dave")
        erin = await V1Client.open(b, "erin")
        await carol.wait_for("join", room="lobby", user="erin")
        await dave.wait_for("join", room="lobby", user="erin")
        await dave.send({"type": "typing", "room": "lobby"})
        await carol.expect("typing", room="lobby", user="dave")
        await erin.expect("typing", room="lobby", user="dave")
        # dave's own next event is its message: its typing was not sent back to it.
        _, before = await dave.say("lobby", "hello")
        assert [e for e in before if e["type"] == "typing"] == []
        for client in (carol, dave, erin):
            await client.close()

    run(scenario())
