"""parley-loadgen's protocol options against the real server, tiny and fast: parley.v1 fan-out,
rooms, the reconnect storm, and a server that does not speak parley.v1. Measures nothing.
Run: /usr/bin/python3 -m pytest -q bench/driver/test_loadgen_live.py"""
import json
import os
import subprocess
import tempfile
import unittest

from . import servers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PARLEY = f"{ROOT}/build/release/parley"
LOADGEN = f"{ROOT}/build/release/bench/loadgen/parley-loadgen"
BEAST = f"{ROOT}/build/release/bench/peers/beast/parley-beast-peer"


def run_loadgen(server, *args):
    """Runs the load generator against `server`; returns (exit code, its JSON)."""
    cmd = [LOADGEN, "--host", "127.0.0.1", "--port", str(server.port), "--server-pid",
           str(server.pid), "--timeout-s", "20", "--json", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout)


@unittest.skipUnless(os.access(PARLEY, os.X_OK) and os.access(LOADGEN, os.X_OK),
                     "needs the release build of parley and parley-loadgen")
class loadgen_against_parley_test(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.TemporaryDirectory(prefix="parley-loadgen-test-")
        self.server = servers.running_server(servers.command(ROOT, "parley", 1, "sqlite",
                                                             self.data.name))
        self.server.start()

    def tearDown(self):
        self.server.stop()
        self.data.cleanup()

    def test_v1_fanout_counts_message_events_with_nothing_lost(self):
        code, r = run_loadgen(self.server, "--protocol", "v1", "--clients", "20", "--senders",
                              "2", "--duration", "0.5", "--warmup", "0")
        self.assertEqual(code, 0, r)
        self.assertEqual(r["protocol"], "v1")
        self.assertEqual(r["greetings"], 20)  # one joined each
        self.assertEqual(r["join_notices"], 20 * 19 // 2)
        self.assertGreater(r["messages_sent"], 0)
        self.assertEqual(r["deliveries"], r["messages_sent"] * 20)
        self.assertEqual((r["lost"], r["out_of_order"], r["other_lines"]), (0, 0, 0))

    def test_rooms_deliver_each_message_to_its_room_only(self):
        for protocol in ("legacy", "v1"):
            code, r = run_loadgen(self.server, "--protocol", protocol, "--clients", "12",
                                  "--rooms", "4", "--senders", "4", "--duration", "0.5",
                                  "--warmup", "0", "--name-prefix", f"{protocol}-")
            self.assertEqual(code, 0, r)
            self.assertEqual(r["join_notices"], 4 * 3)  # rooms of 3
            self.assertEqual(r["expected_deliveries"], r["messages_sent"] * 3)
            self.assertEqual(r["deliveries"], r["expected_deliveries"])
            self.assertEqual(r["other_lines"], 0)  # nothing from another room

    def test_storm_reconnects_every_client_with_its_replay(self):
        code, r = run_loadgen(self.server, "--mode", "storm", "--protocol", "v1", "--clients",
                              "15", "--history", "40", "--since-back", "30")
        self.assertEqual(code, 0, r)
        self.assertEqual(r["resumed"], 15)
        self.assertEqual(r["deliveries"], 40)  # the seed, to client 0 alone in the room
        # since = the last id - 30: the last 30 seeded messages, then the joins of the reconnects
        # before it; no gap, as parley replays up to 1,000.
        self.assertEqual(r["replay_min"], 30)
        self.assertEqual(r["replayed"], 15 * 30 + 15 * 14 // 2)
        self.assertEqual(r["replay_gaps"], 0)
        self.assertGreater(r["storm_s"], 0)
        self.assertGreaterEqual(r["storm_all_s"], r["storm_s"])

    def test_storm_is_only_for_v1(self):
        done = subprocess.run([LOADGEN, "--mode", "storm", "--port", str(self.server.port)],
                              capture_output=True, text=True, timeout=20)
        self.assertEqual(done.returncode, 2)


@unittest.skipUnless(os.access(BEAST, os.X_OK) and os.access(LOADGEN, os.X_OK),
                     "needs the release build of parley-beast-peer and parley-loadgen")
class loadgen_against_a_legacy_only_server_test(unittest.TestCase):
    def test_v1_refuses_a_server_that_does_not_confirm_parley_v1(self):
        with servers.running_server(servers.command(ROOT, "beast", 1)) as server:
            code, r = run_loadgen(server, "--protocol", "v1", "--clients", "3", "--mode",
                                  "connect")
        self.assertEqual(code, 1)
        self.assertEqual(r["error_detail"]["handshake_failed"], 3)


if __name__ == "__main__":
    unittest.main()
