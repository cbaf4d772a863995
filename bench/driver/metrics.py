"""What each kind of workload reads off the load generator's answers, and the summary over
rounds: median (min-max) per server, ratios against parley, and whether the target is met."""
import collections

from . import stats
from .workloads import join_notices_expected

# kind -> (key in the load generator's JSON, higher is better, unit for the report)
PRIMARY = {
    "throughput": ("deliveries_per_s", True, "deliveries/s"),
    "scaling": ("deliveries_per_s", True, "deliveries/s"),
    "latency": ("latency_us.p99", False, "µs p99"),
    "connect": ("connect_s", False, "s to connect all"),
    "memory": ("rss_per_conn_bytes", False, "bytes RSS per connection"),
    "comparison": ("deliveries_per_s", True, "deliveries/s"),
    "storm": ("storm_s", False, "s to every replay"),
}
# kind -> further numbers summarized alongside
EXTRAS = {
    "throughput": ("messages_sent", "deliveries"),
    "scaling": ("messages_sent", "deliveries"),
    "latency": ("latency_us.p50", "latency_us.p999", "latency_us.max", "lost", "deliveries"),
    "connect": ("join_notices",),
    "memory": ("rss_before", "rss_after"),
    "comparison": ("messages_sent", "deliveries", "server_cpu_util"),
    "storm": ("storm_all_s", "storm_server_cpu_s", "resumed", "replayed", "replay_min",
              "replay_gaps"),
}
LATENCY_TARGET_US = 50_000
CONNECT_TARGET_S = 10
RSS_TARGET_BYTES = 1024
PER_CPU = "deliveries_per_server_cpu_s"
STORM_MIN_REPLAY = 1000  # events each reconnect must get: --since-back and parley's max_replay


def value(result, key):
    """result["a"]["b"] for key "a.b"; None when absent or not a number."""
    node = result
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, (int, float)) and not isinstance(node, bool) else None


def per_server_cpu_s(result):
    """Deliveries per second of server CPU time in the measured window: what a delivery costs
    the server, whatever share of its core the machine gave it (the machine is shared)."""
    rate, cpu = value(result, "deliveries_per_s"), value(result, "server_cpu_util")
    return rate / cpu if rate is not None and cpu else None


def summarize_variant(records, kind):
    """Summary of one server's runs in one workload. Numbers come from clean runs; when no run
    was clean, from the unclean ones, and the summary says so."""
    key = PRIMARY[kind][0]
    statuses = collections.Counter(r["status"] for r in records)
    used = [r for r in records if r["status"] == "ok"]
    clean = bool(used)
    if not used:
        used = [r for r in records if r["status"] == "unclean" and r.get("result")]
    values = [v for v in (value(r["result"], key) for r in used) if v is not None]
    extras = {k: stats.summarize([v for v in (value(r["result"], k) for r in used)
                                  if v is not None]) for k in EXTRAS[kind]}
    if kind == "comparison":
        extras[PER_CPU] = stats.summarize([v for v in (per_server_cpu_s(r["result"])
                                                       for r in used) if v is not None])
    return {"runs": len(records), "statuses": dict(statuses), "clean": clean,
            "primary": stats.summarize(values), "extras": extras}


def peer_ratio(kind, parley_median, peer_median):
    """How many times better parley is than the peer (>1: parley wins), on medians."""
    higher_is_better = PRIMARY[kind][1]
    if higher_is_better:
        return stats.ratio(parley_median, peer_median)
    return stats.ratio(peer_median, parley_median)


def median(summary):
    return summary["primary"]["median"] if summary and summary["primary"] else None


def summarize_workload(load, records_by_label, timeout_s):
    """Summary of a workload: per variant, the ratios, and the target verdict."""
    variants = {label: summarize_variant(recs, load.kind)
                for label, recs in records_by_label.items()}
    out = {"kind": load.kind, "metric": PRIMARY[load.kind][0], "unit": PRIMARY[load.kind][2],
           "variants": variants, "ratios": {}}
    if load.kind in ("scaling", "comparison"):
        labels = list(variants)
        if len(labels) == 2:
            first, second = variants[labels[0]], variants[labels[1]]
            out["ratios"][f"{labels[0]} / {labels[1]}"] = {
                "value": stats.ratio(median(first), median(second)),
                "clean": first["clean"] and second["clean"]}
            if load.kind == "comparison":
                a, b = first["extras"][PER_CPU], second["extras"][PER_CPU]
                out["cpu_ratio"] = {"value": stats.ratio(a and a["median"], b and b["median"]),
                                    "clean": first["clean"] and second["clean"]}
    else:
        base = median(variants.get("parley"))
        parley_clean = bool(variants.get("parley")) and variants["parley"]["clean"]
        for label, summary in variants.items():
            if label == "parley":
                continue
            entry = {"value": peer_ratio(load.kind, base, median(summary)),
                     "clean": summary["clean"] and parley_clean}
            # A peer that timed out connecting took at least the timeout: a lower bound.
            if entry["value"] is None and load.kind == "connect" and base:
                if summary["statuses"].get("timeout"):
                    entry = {"value": timeout_s / base, "at_least": True, "clean": parley_clean}
            out["ratios"][f"parley / {label}"] = entry
    out["target_met"] = target_met(load, variants, out["ratios"])
    return out


def target_met(load, variants, ratios):
    """True / False against the issue's target, None when not measured enough to say."""
    if load.kind == "comparison":
        if load.min_ratio is None or len(ratios) != 1:
            return None
        (entry,) = ratios.values()
        if entry["value"] is None:
            return None
        return entry["clean"] and entry["value"] >= load.min_ratio
    parley = variants.get("parley")
    if not parley or not parley["primary"]:
        return None
    if not parley["clean"]:
        return False
    if load.kind == "throughput":
        values = [r["value"] for r in ratios.values()]
        if not values or any(v is None for v in values):
            return None
        return all(v >= load.min_ratio for v in values)
    if load.kind == "latency":
        lost = parley["extras"]["lost"]
        return parley["primary"]["max"] < LATENCY_TARGET_US and (lost is None or lost["max"] == 0)
    if load.kind == "connect":
        notices = parley["extras"]["join_notices"]
        all_notices = notices is not None and notices["min"] >= join_notices_expected(load.clients)
        return parley["primary"]["max"] < CONNECT_TARGET_S and all_notices
    if load.kind == "memory":
        return parley["primary"]["max"] <= RSS_TARGET_BYTES
    if load.kind == "storm":
        # Every reconnect resumed, each with a full replay (since_back events, or the server's
        # max_replay when that is smaller: then a gap stands for the rest), in time.
        resumed, fewest = parley["extras"]["resumed"], parley["extras"]["replay_min"]
        complete = (resumed is not None and resumed["min"] >= load.clients and
                    fewest is not None and fewest["min"] >= STORM_MIN_REPLAY)
        return parley["primary"]["max"] < load.max_s and complete
    return None
