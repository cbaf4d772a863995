"""Counting a server's send syscalls during a run: perf's syscall tracepoints when the kernel
allows them, else strace (which slows the server down a lot: its numbers are counts, not speed)."""
import os
import shutil
import signal
import subprocess
import tempfile

SEND_SYSCALLS = ("writev", "sendmsg", "sendto", "write")
PERF_EVENTS = ",".join(f"syscalls:sys_enter_{name}" for name in SEND_SYSCALLS)


def ensure_tools():
    """Installs perf and strace with apt when missing (Debian: linux-perf, strace)."""
    missing = [pkg for tool, pkg in (("perf", "linux-perf"), ("strace", "strace"))
               if shutil.which(tool) is None]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=False)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", *missing], check=False,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def perf_works():
    """Whether `perf stat` can count the send syscall tracepoints here."""
    if shutil.which("perf") is None:
        return False
    try:
        probe = subprocess.run(["perf", "stat", "-x,", "-e", PERF_EVENTS, "true"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and parse_perf(probe.stderr) is not None


def choose_method():
    ensure_tools()
    if perf_works():
        return "perf"
    return "strace" if shutil.which("strace") else None


class counter:
    """Counts the send syscalls of process `pid` (all its threads) from start() to stop()."""

    def __init__(self, method, pid):
        self.method = method
        self.pid = pid
        self.out = tempfile.NamedTemporaryFile(prefix="parley-syscalls-", suffix=".txt",
                                               delete=False)
        self.out.close()
        self.proc = None

    def start(self):
        if self.method == "perf":
            cmd = ["perf", "stat", "-x,", "-e", PERF_EVENTS, "-p", str(self.pid),
                   "-o", self.out.name]
        else:
            cmd = ["strace", "-c", "-f", "-e", f"trace={','.join(SEND_SYSCALLS)}",
                   "-p", str(self.pid), "-o", self.out.name]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)

    def stop(self):
        """Detaches and returns {syscall: count}, or None when nothing could be read."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # both print their totals on SIGINT
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        with open(self.out.name) as f:
            text = f.read()
        os.unlink(self.out.name)
        counts = parse_perf(text) if self.method == "perf" else parse_strace(text)
        if counts is None:
            raise RuntimeError(f"{self.method} gave no counts: {(text + err).strip()[-400:]}")
        return counts


def parse_perf(text):
    """{syscall: count} from `perf stat -x,` output; None when no send syscall line is there.
    "<not counted>" (the threads never ran that syscall) is 0."""
    counts = {}
    for line in text.splitlines():
        fields = line.split(",")
        if len(fields) < 3 or not fields[2].startswith("syscalls:sys_enter_"):
            continue
        name = fields[2].removeprefix("syscalls:sys_enter_")
        counts[name] = int(fields[0]) if fields[0].strip().isdigit() else 0
    return counts or None


def parse_strace(text):
    """{syscall: count} from the table `strace -c` prints; None when there is no table."""
    counts = {}
    in_table = False
    for line in text.splitlines():
        fields = line.split()
        if fields[:2] == ["%", "time"]:
            in_table = True
            continue
        if not in_table or not fields or fields[0].startswith("-") or fields[-1] == "total":
            continue
        if fields[-1] in SEND_SYSCALLS and len(fields) >= 5:
            counts[fields[-1]] = int(fields[3])
    return counts if in_table else None


def per_delivery(counts, result, clients):
    """Send syscalls per message delivered over the whole run (warm-up 0): the deliveries, the
    join notices and the greetings. Leave notices at the end are not counted in, so this errs
    high."""
    delivered = (result.get("deliveries") or 0) + (result.get("join_notices") or 0) + clients
    total = sum(counts.values())
    return {"send_syscalls": total, "by_syscall": counts, "delivered": delivered,
            "per_delivery": total / delivered if delivered else None}
