"""bench/run: builds, runs every workload against every server in interleaved rounds, writes the
raw results as JSON and prints a Markdown report. See bench/README.md."""
import argparse
import datetime
import json
import os
import resource
import shlex
import sys
import tempfile
import time

from . import build, loadgen, machine, metrics, report, servers, syscalls, workloads

SERVER_CPU, LOADGEN_CPU = 0, 1
SYSCALL_WORKLOADS = ("fanout-100x4", "fanout-1000x4")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    p.add_argument("--rounds", type=int, default=3, help="rounds, interleaved (default 3)")
    p.add_argument("--quick", action="store_true", help="1 round of 3 s (overrides both)")
    p.add_argument("--servers", default="parley,node,beast", help="comma list")
    p.add_argument("--workloads", default="", help=f"comma list of {', '.join(workloads.WORKLOADS)}"
                   " (default: all)")
    p.add_argument("--duration", type=int, default=10, help="measured seconds per run")
    p.add_argument("--warmup", type=int, default=2, help="warm-up seconds per run")
    p.add_argument("--window", type=int, default=32,
                   help="fan-out: messages each sender keeps in flight (default 32)")
    p.add_argument("--size", type=int, default=64, help="message bytes (default 64)")
    p.add_argument("--syscalls", action="store_true",
                   help="also count parley's send syscalls per delivery (perf, else strace)")
    p.add_argument("--out", help="raw results (default bench/results/<UTC time>.json)")
    p.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    p.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.duration, args.warmup = 1, 3, 1
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    unknown = [s for s in args.servers if s not in workloads.SERVERS]
    if unknown or not args.servers:
        p.error(f"--servers: unknown {', '.join(unknown)}; known: {', '.join(workloads.SERVERS)}")
    try:
        args.loads = workloads.select(args.workloads)
    except ValueError as error:
        p.error(f"--workloads: {error}")
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    return args


def raise_fd_limit(needed):
    """Children inherit the limit: 10,000 connections need 10,000 descriptors on each side."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard != resource.RLIM_INFINITY and hard < needed:
        print(f"bench: warning: only {hard} file descriptors allowed, {needed} wanted",
              file=sys.stderr)


def plan(args):
    """[(workload, round, variant)]: per workload, round 1 of every server, then round 2, ..."""
    steps = []
    for load in args.loads:
        variants = load.variants([s for s in workloads.SERVERS if s in args.servers])
        if load.fixed_variants and "parley" not in args.servers:
            continue
        for rnd in range(1, args.rounds + 1):
            steps += [(load, rnd, v) for v in variants]
    return steps


def measure(root, args, load, variant, warmup=None, counting=None):
    """One fresh server (with a fresh history folder), one load generator run. Returns the
    record for the JSON."""
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as data_dir:
        return measure_in(root, args, load, variant, warmup, counting, data_dir)


def measure_in(root, args, load, variant, warmup, counting, data_dir):
    server_cmd = servers.command(root, variant.server, variant.threads, variant.storage,
                                 data_dir)
    server_cpu = SERVER_CPU if variant.pinned else None
    warmup = args.warmup if warmup is None else warmup
    record = {"workload": load.name, "server": variant.label, "threads": variant.threads,
              "pinned": variant.pinned, "protocol": variant.protocol,
              "storage": variant.storage if variant.server == "parley" else None,
              "loadavg_before": os.getloadavg()[0],
              "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    server = servers.running_server(server_cmd, server_cpu)
    record["server_cmd"] = shlex.join(server.argv)
    try:
        with server:
            cmd = loadgen.argv(root, load, server.port, server.pid, args.duration, warmup,
                               args.window, args.size, LOADGEN_CPU if variant.pinned else None,
                               variant.protocol)
            record["loadgen_cmd"] = shlex.join(cmd)
            counter = syscalls.counter(counting, server.pid) if counting else None
            if counter:
                counter.start()
                time.sleep(0.5)  # let the counter attach to every thread before the load starts
            limit = load.timeout_s + args.duration + warmup + loadgen.KILL_MARGIN_S
            record.update(loadgen.run(cmd, limit))
            if counter:
                try:
                    record["syscalls"] = counter.stop()
                except RuntimeError as error:
                    record["syscalls_error"] = str(error)
            if not server.alive():
                record["status"] = "server-died"
                record["error"] = f"server exited with {server.proc.returncode}: {server.output()}"
    except RuntimeError as error:  # the server did not start
        record.update(status="error", error=str(error), result=None)
    return record


def summarize(args, records):
    out = {}
    for load in args.loads:
        by_label = {}
        for r in records:
            if r["workload"] == load.name:
                by_label.setdefault(r["server"], []).append(r)
        out[load.name] = metrics.summarize_workload(load, by_label, load.timeout_s)
    return out


def write_json(path, document):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)  # a run cut short still leaves whole JSON behind


def count_syscalls(root, args):
    """One run of each fan-out workload on parley with the send syscalls counted."""
    method = syscalls.choose_method()
    entries = []
    for name in SYSCALL_WORKLOADS:
        load = workloads.WORKLOADS[name]
        if method is None:
            entries.append({"workload": name, "method": None, "error": "neither perf nor strace"})
            continue
        print(f"bench: syscalls {name} parley ({method})", flush=True)
        rec = measure(root, args, load, workloads.variant("parley", "parley"), warmup=0,
                      counting=method)
        entry = {"workload": name, "method": method, "status": rec.get("status"), "record": rec}
        if rec.get("syscalls") is not None and rec.get("result"):
            entry["count"] = syscalls.per_delivery(rec["syscalls"], rec["result"], load.clients)
        else:
            entry["error"] = rec.get("syscalls_error") or rec.get("error") or "no counts"
        entries.append(entry)
    return entries


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = parse_args(argv)
    command = shlex.join(["bench/run", *argv])
    steps = plan(args)
    if args.dry_run:
        for load, rnd, v in steps:
            server = servers.running_server(servers.command(root, v.server, v.threads, v.storage),
                                            SERVER_CPU if v.pinned else None)
            cmd = loadgen.argv(root, load, "PORT", "PID", args.duration, args.warmup, args.window,
                               args.size, LOADGEN_CPU if v.pinned else None, v.protocol)
            print(f"{load.name} round {rnd} {v.label}:\n  {shlex.join(server.argv)}\n"
                  f"  {shlex.join(cmd)}")
        return 0
    if not args.no_build:
        try:
            build.build(root, args.servers)
        except build.build_error as error:
            print(f"bench: {error}", file=sys.stderr)
            return 2
    if not os.access(loadgen.binary(root), os.X_OK):
        print(f"bench: no load generator at {loadgen.binary(root)} (set BENCH_LOADGEN)",
              file=sys.stderr)
        return 2
    raise_fd_limit(max(load.clients for load in args.loads) + 1000)

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or os.path.join(root, "bench", "results", f"{stamp}.json")
    document = {"command": command, "machine": machine.info(root),
                "config": {"rounds": args.rounds, "duration": args.duration,
                           "warmup": args.warmup, "window": args.window, "size": args.size,
                           "servers": args.servers, "workloads": [w.name for w in args.loads],
                           "loadgen": loadgen.binary(root)},
                "measurements": [], "syscalls": [], "summary": {}}
    for i, (load, rnd, variant) in enumerate(steps, 1):
        print(f"bench: [{i}/{len(steps)}] {load.name} round {rnd} {variant.label}", flush=True)
        record = measure(root, args, load, variant)
        record["round"] = rnd
        document["measurements"].append(record)
        if record["status"] != "ok":
            print(f"bench:   {record['status']}: {record.get('error')}", flush=True)
        document["summary"] = summarize(args, document["measurements"])
        write_json(out, document)
    if args.syscalls:
        if "parley" in args.servers:
            document["syscalls"] = count_syscalls(root, args)
        else:
            print("bench: --syscalls measures parley, which --servers left out", file=sys.stderr)
    document["summary"] = summarize(args, document["measurements"])
    write_json(out, document)

    markdown = report.render(command, document["machine"], vars(args),
                             args.loads, document["summary"], document["syscalls"],
                             document["measurements"])
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write(markdown)
    print()
    print(markdown)
    print(f"bench: raw results in {out} (and the report beside it, .md)")
    parley_failed = [r for r in document["measurements"]
                     if r["server"].startswith("parley") and r["status"] != "ok"]
    return 1 if parley_failed else 0
