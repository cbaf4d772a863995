#!/usr/bin/env python3
"""Server CPU per delivery with permessage-deflate off and on, at 64 B and 4 KiB messages, and
the same fan-out on a build without compression (the hot path before): one fan-out room of 100
clients, 4 senders, rounds interleaved so a busy minute on the machine hits every configuration.

Usage: bench/compression_cost.py --before PATH_TO_OLD_PARLEY [--rounds 3] [--duration 5]
The figure is the server's CPU seconds in the measured window over the deliveries in it (µs per
delivery): what compression costs the server, independent of how much CPU the shared machine
left it. Prints a Markdown table; see bench/RESULTS.md.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PARLEY = os.path.join(ROOT, "build/release/parley")
LOADGEN = os.path.join(ROOT, "build/release/bench/loadgen/parley-loadgen")
COMMON = ["--port", "0", "--bind", "127.0.0.1", "--log-level", "warn", "--log-access=false",
          "--limits-messages-per-second", "0", "--limits-connections-per-ip", "0",
          "--storage-engine", "memory"]

# name -> (binary: "before" or "after", server flags, loadgen flags)
CONFIGS = {
    "before (no compression code), off": ("before", [], []),
    "off": ("after", [], []),
    "on, clients plain": ("after", ["--ws-compression", "on"], []),
    "on, clients compress": ("after", ["--ws-compression", "on"], ["--compression"]),
    "on, min size 0, clients compress": (
        "after", ["--ws-compression", "on", "--ws-compression-min-size", "0"], ["--compression"]),
}


def listening_port(pid, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if f"pid={pid}," in line:
                return int(re.search(r":(\d+)\s", line).group(1))
        time.sleep(0.05)
    raise RuntimeError("server did not listen")


def measure(binary, server_flags, loadgen_flags, size, duration):
    server = subprocess.Popen(["taskset", "-c", "0", binary, *COMMON, *server_flags],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port = listening_port(server.pid)
        out = subprocess.run(
            ["taskset", "-c", "1", LOADGEN, "--port", str(port), "--mode", "fanout",
             "--clients", "100", "--senders", "4", "--window", "32", "--size", str(size),
             "--warmup", "1", "--duration", str(duration), "--server-pid", str(server.pid),
             "--json", *loadgen_flags], capture_output=True, text=True, timeout=120)
        result = json.loads(out.stdout.splitlines()[0])
        if not result["ok"]:
            raise RuntimeError(f"unclean run: {out.stdout}")
        cpu_s = result["server_cpu_util"] * result["duration_s"]
        return cpu_s / result["deliveries_measured"] * 1e6, result["deliveries_per_s"]
    finally:
        server.terminate()
        server.wait(5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="parley built without compression")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5)
    args = parser.parse_args()
    binaries = {"before": args.before, "after": PARLEY}
    results = {}
    for round_ in range(args.rounds):
        for size in (64, 4096):
            for name, (which, server_flags, loadgen_flags) in CONFIGS.items():
                us, rate = measure(binaries[which], server_flags, loadgen_flags, size,
                                   args.duration)
                results.setdefault((size, name), []).append(us)
                print(f"round {round_ + 1} {size} B {name}: {us:.3f} µs/delivery, "
                      f"{rate:.0f} deliveries/s", file=sys.stderr, flush=True)
    print("| message | configuration | server CPU per delivery, µs (median) | vs off | runs |")
    print("|---|---|---|---|---|")
    for size in (64, 4096):
        off = statistics.median(results[(size, "off")])
        for name in CONFIGS:
            runs = results[(size, name)]
            median = statistics.median(runs)
            print(f"| {size} B | {name} | {median:.3f} | {median / off:.2f}× | "
                  f"{', '.join(f'{r:.3f}' for r in runs)} |")


if __name__ == "__main__":
    main()
