"""Tests of bench/run's logic: parsing, statistics, verdicts, and one short run against the real
servers with fake_loadgen.py standing in for parley-loadgen.
Run: /usr/bin/python3 -m unittest discover -s bench -p 'test_*.py'"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from . import loadgen, metrics, report, servers, stats, syscalls, workloads

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_record(status, **result):
    return {"status": status, "result": result or None}


class stats_test(unittest.TestCase):
    def test_summarizes_median_and_spread(self):
        self.assertEqual(stats.summarize([3, 1, 2]), {"median": 2, "min": 1, "max": 3, "n": 3})
        self.assertEqual(stats.summarize([4, 1])["median"], 2.5)
        self.assertIsNone(stats.summarize([]))

    def test_ratio_of_missing_or_zero_is_none(self):
        self.assertEqual(stats.ratio(6, 3), 2)
        self.assertIsNone(stats.ratio(None, 3))
        self.assertIsNone(stats.ratio(6, 0))


class loadgen_parse_test(unittest.TestCase):
    def test_reads_the_json_object(self):
        self.assertEqual(loadgen.parse('{"mode": "idle", "clients": 3}\n')["clients"], 3)

    def test_takes_the_last_json_line_among_stray_output(self):
        out = 'connecting...\n{"mode": "fanout", "clients": 7}\n'
        self.assertEqual(loadgen.parse(out)["clients"], 7)

    def test_rejects_non_json_empty_and_incomplete_answers(self):
        for bad in ("", "Segmentation fault", "[1, 2]", '{"mode": "fanout"}'):
            with self.assertRaises(ValueError, msg=bad):
                loadgen.parse(bad)

    def test_builds_window_or_rate_arguments(self):
        fan = loadgen.argv(ROOT, workloads.WORKLOADS["fanout-100x4"], 1, 2, 10, 2, 32, 64, cpu=1)
        self.assertEqual(fan[:3], ["taskset", "-c", "1"])
        self.assertIn("--window", fan)
        self.assertNotIn("--rate", fan)
        rate = loadgen.argv(ROOT, workloads.WORKLOADS["rate-1000"], 1, 2, 10, 2, 32, 64)
        self.assertEqual(rate[rate.index("--rate") + 1], "200")
        self.assertNotIn("--window", rate)
        self.assertEqual(rate[rate.index("--senders") + 1], "1")

    def test_passes_protocol_rooms_and_storm_arguments(self):
        v1 = loadgen.argv(ROOT, workloads.WORKLOADS["v1-fanout-1000x4"], 1, 2, 10, 2, 32, 64,
                          protocol="v1")
        self.assertEqual(v1[v1.index("--protocol") + 1], "v1")
        self.assertNotIn("--rooms", v1)
        legacy = loadgen.argv(ROOT, workloads.WORKLOADS["fanout-1000x4"], 1, 2, 10, 2, 32, 64)
        self.assertNotIn("--protocol", legacy)
        rooms = loadgen.argv(ROOT, workloads.WORKLOADS["rooms-100x10"], 1, 2, 10, 2, 32, 64)
        self.assertEqual(rooms[rooms.index("--rooms") + 1], "100")
        self.assertEqual(rooms[rooms.index("--senders") + 1], "100")
        storm = loadgen.argv(ROOT, workloads.WORKLOADS["storm-1000"], 1, 2, 10, 2, 32, 64,
                             protocol="v1")
        self.assertEqual(storm[storm.index("--mode") + 1], "storm")
        self.assertEqual(storm[storm.index("--since-back") + 1], "1000")
        self.assertEqual(storm[storm.index("--history") + 1], "1000")
        self.assertNotIn("--senders", storm)

    def test_kills_a_load_generator_that_never_answers(self):
        record = loadgen.run([sys.executable, "-c", "import time; time.sleep(60)"], 0.5)
        self.assertEqual(record["status"], "timeout")

    def test_exit_1_with_json_is_an_unclean_run(self):
        code = 'print(\'{"mode":"fanout","clients":1,"lost":3}\'); raise SystemExit(1)'
        record = loadgen.run([sys.executable, "-c", code], 10)
        self.assertEqual(record["status"], "unclean")
        self.assertEqual(record["result"]["lost"], 3)


class syscalls_parse_test(unittest.TestCase):
    def test_reads_perf_csv_with_not_counted_as_zero(self):
        text = ("# started on Thu\n\n12,,syscalls:sys_enter_writev,1,100.00,,\n"
                "<not counted>,,syscalls:sys_enter_sendmsg,0,0.00,,\n"
                "3,,syscalls:sys_enter_write,1,100.00,,\n")
        self.assertEqual(syscalls.parse_perf(text), {"writev": 12, "sendmsg": 0, "write": 3})
        self.assertIsNone(syscalls.parse_perf("event syntax error"))

    def test_reads_strace_summary_table(self):
        text = ("% time     seconds  usecs/call     calls    errors syscall\n"
                "------ ----------- ----------- --------- --------- ----------------\n"
                " 90.00    0.000900           9       100           sendmsg\n"
                " 10.00    0.000100           5        20         2 write\n"
                "------ ----------- ----------- --------- --------- ----------------\n"
                "100.00    0.001000           8       120         2 total\n")
        self.assertEqual(syscalls.parse_strace(text), {"sendmsg": 100, "write": 20})
        self.assertIsNone(syscalls.parse_strace("strace: attach: Operation not permitted"))

    def test_per_delivery_counts_notices_and_greetings(self):
        got = syscalls.per_delivery({"sendmsg": 900, "write": 100},
                                    {"deliveries": 9850, "join_notices": 50}, clients=100)
        self.assertEqual(got["delivered"], 10000)
        self.assertAlmostEqual(got["per_delivery"], 0.1)


class metrics_test(unittest.TestCase):
    def summary(self, name, by_label):
        load = workloads.WORKLOADS[name]
        return metrics.summarize_workload(load, by_label, load.timeout_s)

    def test_throughput_ratio_is_parley_over_peer_on_medians(self):
        s = self.summary("fanout-100x4", {
            "parley": [run_record("ok", deliveries_per_s=v) for v in (300, 310, 290)],
            "node": [run_record("ok", deliveries_per_s=v) for v in (10, 11, 9)],
            "beast": [run_record("ok", deliveries_per_s=v) for v in (10, 9, 10)]})
        self.assertEqual(s["variants"]["parley"]["primary"]["median"], 300)
        self.assertAlmostEqual(s["ratios"]["parley / node"]["value"], 30)
        self.assertTrue(s["target_met"])  # 30x both
        s = self.summary("fanout-100x4", {
            "parley": [run_record("ok", deliveries_per_s=300)],
            "beast": [run_record("ok", deliveries_per_s=11)]})
        self.assertFalse(s["target_met"])

    def test_numbers_come_from_clean_runs_when_there_are_any(self):
        s = self.summary("fanout-100x1", {
            "parley": [run_record("ok", deliveries_per_s=100),
                       run_record("unclean", deliveries_per_s=1e9)]})
        self.assertEqual(s["variants"]["parley"]["primary"]["max"], 100)
        self.assertEqual(s["variants"]["parley"]["statuses"], {"ok": 1, "unclean": 1})

    def test_an_unclean_parley_does_not_meet_a_target(self):
        s = self.summary("fanout-100x1", {
            "parley": [run_record("unclean", deliveries_per_s=1e9, lost=1)],
            "node": [run_record("ok", deliveries_per_s=1)]})
        self.assertFalse(s["variants"]["parley"]["clean"])
        self.assertFalse(s["target_met"])
        self.assertFalse(s["ratios"]["parley / node"]["clean"])

    def test_time_and_memory_ratios_are_peer_over_parley(self):
        s = self.summary("idle-10000", {"parley": [run_record("ok", rss_per_conn_bytes=800)],
                                        "node": [run_record("ok", rss_per_conn_bytes=8000)]})
        self.assertAlmostEqual(s["ratios"]["parley / node"]["value"], 10)
        self.assertTrue(s["target_met"])

    def test_a_peer_that_timed_out_connecting_gets_a_lower_bound(self):
        n = workloads.join_notices_expected(5000)
        s = self.summary("connect-5000", {
            "parley": [run_record("ok", connect_s=3.0, join_notices=n)],
            "node": [{"status": "timeout", "result": None}]})
        self.assertEqual(s["ratios"]["parley / node"], {"value": 100, "at_least": True,
                                                        "clean": True})
        self.assertTrue(s["target_met"])
        self.assertIn("≥ 100.0×", report.ratio_cell(s["ratios"]["parley / node"]))

    def test_connect_target_needs_every_join_notice(self):
        s = self.summary("connect-5000", {"parley": [run_record("ok", connect_s=3.0,
                                                                join_notices=12)]})
        self.assertFalse(s["target_met"])

    def test_latency_target_is_p99_of_the_worst_round_and_no_loss(self):
        def run(p99, lost=0):
            return run_record("ok", latency_us={"p50": 1, "p99": p99, "p999": 1, "max": 1},
                              lost=lost)
        self.assertTrue(self.summary("rate-1000", {"parley": [run(9000), run(49000)]})
                        ["target_met"])
        self.assertFalse(self.summary("rate-1000", {"parley": [run(9000), run(51000)]})
                         ["target_met"])
        self.assertFalse(self.summary("rate-1000", {"parley": [run(9000, lost=1)]})
                         ["target_met"])

    def test_scaling_compares_two_threads_with_one(self):
        s = self.summary("scale-2threads", {
            "parley 2 threads": [run_record("ok", deliveries_per_s=150)],
            "parley 1 thread": [run_record("ok", deliveries_per_s=100)]})
        self.assertAlmostEqual(s["ratios"]["parley 2 threads / parley 1 thread"]["value"], 1.5)


class comparison_and_storm_test(unittest.TestCase):
    def summary(self, name, by_label):
        load = workloads.WORKLOADS[name]
        return metrics.summarize_workload(load, by_label, load.timeout_s)

    def test_v1_target_is_the_v1_over_legacy_ratio_of_medians(self):
        def runs(*values):
            return [run_record("ok", deliveries_per_s=v) for v in values]
        s = self.summary("v1-fanout-1000x4", {"parley v1": runs(86, 80, 90),
                                              "parley legacy": runs(100, 101, 99)})
        self.assertAlmostEqual(s["ratios"]["parley v1 / parley legacy"]["value"], 0.86)
        self.assertTrue(s["target_met"])
        s = self.summary("v1-fanout-1000x4", {"parley v1": runs(84), "parley legacy": runs(100)})
        self.assertFalse(s["target_met"])
        s = self.summary("v1-fanout-1000x4", {
            "parley v1": [run_record("unclean", deliveries_per_s=99, lost=3)],
            "parley legacy": runs(100)})
        self.assertFalse(s["target_met"])

    def test_history_target_is_sqlite_over_memory(self):
        s = self.summary("history-fanout-1000x4", {
            "parley sqlite": [run_record("ok", deliveries_per_s=89)],
            "parley memory": [run_record("ok", deliveries_per_s=100)]})
        self.assertFalse(s["target_met"])
        self.assertIn("parley sqlite / parley memory", s["ratios"])

    def test_rooms_are_reported_without_a_verdict(self):
        s = self.summary("rooms-100x10", {"parley v1": [run_record("ok", deliveries_per_s=1)],
                                          "parley legacy": [run_record("ok", deliveries_per_s=2)]})
        self.assertIsNone(s["target_met"])
        self.assertAlmostEqual(s["ratios"]["parley v1 / parley legacy"]["value"], 0.5)

    def test_storm_needs_every_reconnect_with_a_full_replay_in_time_in_every_round(self):
        def run(seconds, resumed=1000, fewest=1000):
            return run_record("ok", storm_s=seconds, resumed=resumed, replay_min=fewest)
        self.assertTrue(self.summary("storm-1000", {"parley": [run(0.5), run(1.9)]})
                        ["target_met"])
        self.assertFalse(self.summary("storm-1000", {"parley": [run(0.5), run(2.1)]})
                         ["target_met"])
        self.assertFalse(self.summary("storm-1000", {"parley": [run(0.5, resumed=999)]})
                         ["target_met"])
        self.assertFalse(self.summary("storm-1000", {"parley": [run(0.5, fewest=999)]})
                         ["target_met"])

    def test_report_shows_the_ratio_and_the_storm_columns(self):
        load = workloads.WORKLOADS["storm-1000"]
        s = metrics.summarize_workload(load, {"parley": [run_record(
            "ok", storm_s=0.75, storm_all_s=0.9, resumed=1000, replayed=1_000_000,
            replay_min=1000, replay_gaps=1000, storm_server_cpu_s=0.7)]}, 60)
        text = "\n".join(report.workload_section(load, s, {"rounds": 1, "window": 32, "size": 64,
                                                          "duration": 1, "warmup": 0}))
        self.assertIn("| parley | 0.75 | 0.90 | 0.70 | 1,000 | 1,000,000 | 1,000 | 1,000 | 1/1 |",
                      text)
        self.assertIn("**met**", text)
        load = workloads.WORKLOADS["v1-fanout-1000x4"]
        s = metrics.summarize_workload(load, {
            "parley v1": [run_record("ok", deliveries_per_s=90, server_cpu_util=1.0)],
            "parley legacy": [run_record("ok", deliveries_per_s=100, server_cpu_util=1.0)]}, 60)
        text = "\n".join(report.workload_section(load, s, {"rounds": 1, "window": 32, "size": 64,
                                                          "duration": 1, "warmup": 0}))
        self.assertIn("Ratio parley v1 / parley legacy: 0.90× (target ≥ 0.85×), on medians; "
                      "per server CPU second: 0.90×.", text)

    def test_cost_per_delivery_divides_by_the_server_cpu_of_each_run(self):
        s = self.summary("v1-fanout-1000x4", {
            "parley v1": [run_record("ok", deliveries_per_s=40, server_cpu_util=0.5),
                          run_record("ok", deliveries_per_s=90, server_cpu_util=1.0)],
            "parley legacy": [run_record("ok", deliveries_per_s=100, server_cpu_util=1.0)]})
        self.assertEqual(s["variants"]["parley v1"]["extras"]["deliveries_per_server_cpu_s"]
                         ["median"], 85)
        self.assertAlmostEqual(s["cpu_ratio"]["value"], 0.85)


class servers_test(unittest.TestCase):
    def test_parley_gets_its_storage_engine_and_folder(self):
        cmd = servers.command(ROOT, "parley", 1, "memory", "/tmp/x")
        self.assertEqual(cmd[cmd.index("--storage-engine") + 1], "memory")
        self.assertEqual(cmd[cmd.index("--storage-path") + 1], "/tmp/x")
        self.assertNotIn("--storage-engine", servers.command(ROOT, "beast", 1, "memory", "/x"))

    def test_parley_runs_without_rate_or_per_address_limits(self):
        cmd = servers.command(ROOT, "parley", 1)
        self.assertEqual(cmd[cmd.index("--limits-messages-per-second") + 1], "0")
        self.assertEqual(cmd[cmd.index("--limits-connections-per-ip") + 1], "0")
        self.assertEqual(cmd[cmd.index("--limits-accepts-per-second-per-ip") + 1], "0")


class workloads_test(unittest.TestCase):
    def test_selects_by_name_and_rejects_unknown_names(self):
        self.assertEqual([w.name for w in workloads.select("idle-10000, rate-1000")],
                         ["idle-10000", "rate-1000"])
        self.assertEqual(len(workloads.select("")), len(workloads.WORKLOADS))
        with self.assertRaises(ValueError):
            workloads.select("fanout-7")

    def test_join_notices_of_5000_clients(self):
        self.assertEqual(workloads.join_notices_expected(5000), 12_497_500)


@unittest.skipUnless(os.access(f"{ROOT}/build/release/parley", os.X_OK) and
                     os.access(f"{ROOT}/build/release/bench/peers/beast/parley-beast-peer",
                               os.X_OK) and shutil.which("node") and
                     os.path.isdir(f"{ROOT}/tests/node_modules/ws"),
                     "needs the release build of parley and parley-beast-peer, and node with ws")
class driver_run_test(unittest.TestCase):
    """bench/run end to end with the fake load generator against the three real servers."""

    def test_runs_rounds_interleaved_and_reports_failures_as_data(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "r.json")
            env = {**os.environ, "BENCH_LOADGEN": os.path.join(HERE, "fake_loadgen.py"),
                   "FAKE_LOADGEN": "node:connect:timeout,beast:idle:garbage"}
            done = subprocess.run(
                [os.path.join(ROOT, "bench", "run"), "--no-build", "--rounds", "2",
                 "--duration", "1", "--warmup", "0",
                 "--workloads", "fanout-100x4,connect-5000,idle-10000,history-fanout-1000x4,"
                 "storm-1000", "--out", out],
                env=env, capture_output=True, text=True, timeout=300)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            with open(out) as f:
                doc = json.load(f)
            self.assertTrue(os.path.exists(os.path.join(tmp, "r.md")))
        order = [(m["workload"], m["round"], m["server"]) for m in doc["measurements"]]
        self.assertEqual(order[:6], [("fanout-100x4", r, s) for r in (1, 2)
                                     for s in ("parley", "node", "beast")])
        # The fake checks that each server answers an upgrade on the port bench/run found
        # (parley at --log-level warn prints no listening line: found in /proc).
        fanout = [m for m in doc["measurements"] if m["workload"] == "fanout-100x4"]
        self.assertTrue(all(m["status"] == "ok" for m in fanout), fanout)
        statuses = {(m["workload"], m["server"]): m["status"] for m in doc["measurements"]}
        self.assertEqual(statuses[("connect-5000", "node")], "timeout")
        self.assertEqual(statuses[("idle-10000", "beast")], "error")
        summary = doc["summary"]
        self.assertGreater(summary["fanout-100x4"]["ratios"]["parley / node"]["value"], 30)
        self.assertTrue(summary["connect-5000"]["ratios"]["parley / node"]["at_least"])
        history = [m for m in doc["measurements"] if m["workload"] == "history-fanout-1000x4"]
        self.assertEqual([(m["server"], m["storage"]) for m in history[:2]],
                         [("parley sqlite", "sqlite"), ("parley memory", "memory")])
        self.assertTrue(all(m["status"] == "ok" for m in history), history)
        self.assertIn("--storage-engine memory", history[1]["server_cmd"])
        self.assertIn("--protocol v1", history[1]["loadgen_cmd"])
        self.assertIsNotNone(summary["storm-1000"]["target_met"])
        self.assertIn("| parley |", done.stdout)
        self.assertIn("timed out (> 300 s)", done.stdout)
        self.assertIn("Machine: ", done.stdout)


if __name__ == "__main__":
    unittest.main()
