"""The Markdown that bench/run prints, ready to paste into bench/RESULTS.md."""
from .workloads import join_notices_expected

VERDICT = {True: "**met**", False: "**not met**", None: "not measured"}


def number(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


def spread(summary, scale=1.0, digits=0):
    """'median (min–max)' of a summary, scaled (e.g. µs to ms)."""
    if not summary:
        return "–"
    med, lo, hi = (summary[k] / scale for k in ("median", "min", "max"))
    if summary["n"] == 1:
        return number(med, digits)
    return f"{number(med, digits)} ({number(lo, digits)}–{number(hi, digits)})"


def runs_cell(variant):
    ok = variant["statuses"].get("ok", 0)
    others = ", ".join(f"{n} {status}" for status, n in sorted(variant["statuses"].items())
                       if status != "ok")
    cell = f"{ok}/{variant['runs']}"
    return f"{cell} ({others})" if others else cell


def ratio_cell(entry):
    if entry is None or entry.get("value") is None:
        return "–"
    prefix = "≥ " if entry.get("at_least") else ""
    v = entry["value"]
    cell = f"{prefix}{v:.1f}×" if v >= 10 else f"{prefix}{v:.2f}×"
    return cell if entry.get("clean", True) else f"{cell} (unclean runs)"


def primary_cell(variant, load, scale=1.0, digits=0):
    if variant["primary"] is None:
        if variant["statuses"].get("timeout"):
            return f"timed out (> {load.timeout_s} s)"
        return "no result"
    cell = spread(variant["primary"], scale, digits)
    return cell if variant["clean"] else f"{cell} (unclean runs)"


def workload_section(load, summary, config):
    lines = [f"### {load.name}", "", f"{load.summary}."]
    if load.mode == "fanout":
        shape = f"--rate {load.rate}" if load.rate else f"--window {config['window']}"
        rooms = f", {load.rooms} rooms" if load.rooms > 1 else ""
        lines.append(f"Load: {shape}{rooms}, {config['size']}-byte messages, "
                     f"{config['duration']} s measured after {config['warmup']} s of warm-up.")
    if load.extra_args:
        lines.append(f"Load generator: `{' '.join(load.extra_args)}`.")
    lines.append(f"{config['rounds']} round(s), a fresh server each; median (min–max).")
    lines += [f"Target: {load.target} — {VERDICT[summary['target_met']]}.", ""]
    variants, ratios = summary["variants"], summary["ratios"]
    ratio_of = lambda label: ratios.get(f"parley / {label}")  # noqa: E731
    kind = load.kind
    if kind in ("throughput", "scaling"):
        head = ["server", "deliveries/s", "clean runs"]
        rows = [[label, primary_cell(v, load), runs_cell(v)] for label, v in variants.items()]
    elif kind == "comparison":
        head = ["server", "deliveries/s", "server CPU (cores)",
                "deliveries per server CPU second", "clean runs"]
        rows = [[label, primary_cell(v, load), spread(v["extras"]["server_cpu_util"], 1, 2),
                 spread(v["extras"]["deliveries_per_server_cpu_s"]), runs_cell(v)]
                for label, v in variants.items()]
    elif kind == "storm":
        head = ["server", "s to every replay", "s to every join notice", "server CPU s",
                "reconnects resumed", "events replayed", "fewest in one", "gaps", "clean runs"]
        rows = [[label, primary_cell(v, load, 1, 2), spread(v["extras"]["storm_all_s"], 1, 2),
                 spread(v["extras"]["storm_server_cpu_s"], 1, 2), spread(v["extras"]["resumed"]),
                 spread(v["extras"]["replayed"]), spread(v["extras"]["replay_min"]),
                 spread(v["extras"]["replay_gaps"]), runs_cell(v)]
                for label, v in variants.items()]
    elif kind == "latency":
        head = ["server", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "lost", "clean runs"]
        rows = [[label, spread(v["extras"]["latency_us.p50"], 1000, 1),
                 primary_cell(v, load, 1000, 1), spread(v["extras"]["latency_us.p999"], 1000, 1),
                 spread(v["extras"]["latency_us.max"], 1000, 1), spread(v["extras"]["lost"]),
                 runs_cell(v)] for label, v in variants.items()]
    elif kind == "connect":
        head = ["server", "seconds to connect all",
                f"join notices (of {join_notices_expected(load.clients):,})", "clean runs"]
        rows = [[label, primary_cell(v, load, 1, 2), spread(v["extras"]["join_notices"]),
                 runs_cell(v)] for label, v in variants.items()]
    else:  # memory
        head = ["server", "RSS bytes per connection", "RSS after, MiB", "clean runs"]
        rows = [[label, primary_cell(v, load), spread(v["extras"]["rss_after"], 1 << 20, 1),
                 runs_cell(v)] for label, v in variants.items()]
    if kind not in ("scaling", "comparison", "storm"):
        head.append("parley's advantage")
        for row in rows:
            row.append("—" if row[0] == "parley" else ratio_cell(ratio_of(row[0])))
    lines += table(head, rows)
    if kind == "comparison":
        for name, entry in ratios.items():
            wanted = f" (target ≥ {load.min_ratio:.2f}×)" if load.min_ratio else ""
            lines += ["", f"Ratio {name}: {ratio_cell(entry)}{wanted}, on medians; per server "
                          f"CPU second: {ratio_cell(summary.get('cpu_ratio'))}."]
    if kind == "scaling":
        for name, entry in ratios.items():
            lines += ["", f"Ratio {name}: {ratio_cell(entry)}. On a 2-core machine the load "
                          "generator shares both cores with the server's two loops, so this "
                          "shows what contention costs, not how far more cores would scale."]
    return lines + [""]


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def syscalls_section(entries):
    if not entries:
        return []
    lines = ["### Send syscalls per delivery (parley)", "",
             "writev + sendmsg + sendto + write over the whole run (warm-up 0), divided by the "
             "messages delivered (fan-out deliveries + join notices + greetings; leave notices "
             "are not counted, so this errs high). Target: well under 0.1 at 4 senders.", ""]
    rows = []
    for e in entries:
        if e.get("error"):
            rows.append([e["workload"], e.get("method") or "–", "–", "–", e["error"]])
            continue
        count = e["count"]
        rows.append([e["workload"], e["method"], number(count["send_syscalls"]),
                     number(count["delivered"]), f"{count['per_delivery']:.4f}"
                     if count["per_delivery"] is not None else "–"])
    lines += table(["workload", "counted with", "send syscalls", "delivered", "per delivery"],
                   rows)
    if any(e.get("method") == "strace" for e in entries):
        lines += ["", "strace stops the server at every syscall: these runs count syscalls, "
                      "their speed means nothing."]
    return lines + [""]


def load_range(measurements):
    """The 1-minute load average seen before the runs: other work on the machine shows here."""
    loads = [m["loadavg_before"] for m in measurements if "loadavg_before" in m]
    return f", before the runs {min(loads):.2f}–{max(loads):.2f}" if loads else ""


def render(command, machine, config, loads, summaries, syscall_entries, measurements):
    lines = ["## Results", "", f"Command: `{command}`", "",
             f"Machine: {machine['nproc']} CPUs, {machine['cpu']}; kernel {machine['kernel']}; "
             f"Node {machine['node'] or '–'}; parley {machine['commit']}; {machine['date']}; "
             f"load average at start {', '.join(f'{x:.2f}' for x in machine['loadavg_at_start'])}"
             f"{load_range(measurements)}.", ""]
    lines += ["Server pinned to CPU 0 (`taskset -c 0`), load generator to CPU 1, except in "
              "scale-2threads (nothing pinned).", ""]
    for load in loads:
        lines += workload_section(load, summaries[load.name], config)
    lines += syscalls_section(syscall_entries)
    lines += ["### Targets", ""]
    lines += table(["workload", "target", "verdict"],
                   [[load.name, load.target, VERDICT[summaries[load.name]["target_met"]]]
                    for load in loads])
    return "\n".join(lines) + "\n"
