"""The workloads bench/run knows: what the load generator is asked, what is read off its answer,
which way is better, and the issue's target for it."""
from dataclasses import dataclass, field

SERVERS = ("parley", "node", "beast")


@dataclass(frozen=True)
class variant:
    """One server configuration measured in a workload."""
    label: str      # the row in the report: "parley", "node", "parley 2 threads", ...
    server: str     # parley | node | beast
    threads: int = 1
    pinned: bool = True  # server on CPU 0 and load generator on CPU 1
    protocol: str = "legacy"  # the load generator's --protocol: legacy | v1
    storage: str = "sqlite"   # parley's --storage-engine (its default), in a fresh folder


@dataclass(frozen=True)
class workload:
    name: str
    mode: str                   # the load generator's --mode: fanout | connect | idle | storm
    clients: int
    kind: str                   # throughput | latency | connect | memory | scaling | comparison
                                # | storm
    summary: str                # one line for the report
    senders: int | None = None
    rate: int | None = None     # messages/s (with one sender, total = per sender)
    rooms: int = 1              # the load generator's --rooms
    timeout_s: int = 120        # the load generator's --timeout-s
    target: str = ""            # the target, as the report prints it
    min_ratio: float | None = None  # target on parley/peer (throughput) or peer/parley;
                                    # comparison: on the first variant / the second
    max_s: float | None = None  # storm: target on the seconds to every replay (worst round)
    extra_args: tuple = ()      # more load generator arguments
    fixed_variants: tuple = field(default=())  # set: these instead of one variant per server

    def variants(self, servers):
        if self.fixed_variants:
            return list(self.fixed_variants)
        return [variant(s, s) for s in servers]


WORKLOADS = {w.name: w for w in (
    workload("fanout-100x4", "fanout", 100, "throughput", senders=4,
             summary="100 clients, 4 senders with a window of messages in flight",
             target="parley ≥ 30× Node ws and ≥ 30× the Beast build", min_ratio=30),
    workload("fanout-100x1", "fanout", 100, "throughput", senders=1,
             summary="100 clients, 1 sender with a window of messages in flight",
             target="parley ≥ 10× Node ws and ≥ 10× the Beast build", min_ratio=10),
    workload("fanout-1000x4", "fanout", 1000, "throughput", senders=4,
             summary="1,000 clients, 4 senders with a window of messages in flight",
             target="parley ≥ 30× Node ws and ≥ 30× the Beast build", min_ratio=30),
    workload("fanout-1000x1", "fanout", 1000, "throughput", senders=1,
             summary="1,000 clients, 1 sender with a window of messages in flight",
             target="parley ≥ 10× Node ws and ≥ 10× the Beast build", min_ratio=10),
    workload("rate-1000", "fanout", 1000, "latency", senders=1, rate=200,
             summary="1,000 clients, one sender at a steady 200 messages/s; delivery latency",
             target="parley p99 < 50 ms with every message delivered"),
    workload("connect-5000", "connect", 5000, "connect", timeout_s=300,
             summary="5,000 clients connect one after another; every join notice delivered",
             target="parley: 5,000 connected with all 12,497,500 join notices in < 10 s"),
    workload("idle-10000", "idle", 10000, "memory", timeout_s=300,
             summary="10,000 idle connections; server RSS growth per connection, read after 5 quiet "
                     "seconds (parley-loadgen --settle-s)",
             target="parley ≤ 1 KiB RSS per idle connection"),
    workload("scale-2threads", "fanout", 1000, "scaling", senders=4,
             summary="fanout-1000x4 on parley with 2 event loops vs 1, nothing pinned",
             target="reported, no number set (see the note on 2-core machines)",
             fixed_variants=(variant("parley 2 threads", "parley", 2, False),
                             variant("parley 1 thread", "parley", 1, False))),
    # Issue 9 (rooms, parley.v1, history): ratios between parley configurations in one run.
    workload("v1-fanout-1000x4", "fanout", 1000, "comparison", senders=4,
             summary="fanout-1000x4 with the load generator speaking parley.v1 vs the legacy "
                     "protocol (JSON `send` requests, `message` events counted)",
             target="parley.v1 ≥ 0.85× the legacy protocol's deliveries/s", min_ratio=0.85,
             fixed_variants=(variant("parley v1", "parley", protocol="v1"),
                             variant("parley legacy", "parley"))),
    workload("history-fanout-1000x4", "fanout", 1000, "comparison", senders=4,
             summary="fanout-1000x4 in parley.v1 with history on SQLite (the default) vs "
                     "`--storage-engine memory`",
             target="SQLite ≥ 0.90× memory's deliveries/s", min_ratio=0.90,
             fixed_variants=(variant("parley sqlite", "parley", protocol="v1"),
                             variant("parley memory", "parley", protocol="v1",
                                     storage="memory"))),
    workload("rooms-100x10", "fanout", 1000, "comparison", senders=100, rooms=100,
             summary="100 rooms × 10 members, 1 sender in each (client i in room i % 100)",
             target="reported beside the one-room figures",
             fixed_variants=(variant("parley v1", "parley", protocol="v1"),
                             variant("parley legacy", "parley"))),
    workload("storm-1000", "storm", 1000, "storm", timeout_s=60, max_s=2.0,
             summary="1,000 parley.v1 clients drop their connections; 1,000 messages are "
                     "sent while they are away; all reconnect at once with since = the last "
                     "id − 1,000",
             target="every reconnect has its replay within 2 s on one core (`--threads 1`)",
             extra_args=("--history", "1000", "--since-back", "1000",
                         "--connect-concurrency", "1000"),
             fixed_variants=(variant("parley", "parley", protocol="v1"),)),
)}


def join_notices_expected(clients):
    """Join notices when `clients` connect one by one: the k-th is announced to k-1 others."""
    return clients * (clients - 1) // 2


def select(names):
    """The workloads named in a comma list (all when empty); raises ValueError on unknown."""
    if not names:
        return list(WORKLOADS.values())
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in WORKLOADS]
    if unknown:
        raise ValueError(f"unknown workload(s) {', '.join(unknown)}; "
                         f"known: {', '.join(WORKLOADS)}")
    return [WORKLOADS[n] for n in chosen]
