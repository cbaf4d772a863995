"""Starting a server under test, learning its port, and stopping it."""
import collections
import os
import re
import signal
import subprocess
import threading
import time

LISTENING = re.compile(r"listening on http://([^\s/]+):(\d+)/")
START_TIMEOUT_S = 20
STOP_GRACE_S = 3


def command(root, server, threads, storage="sqlite", data_dir="DATA_DIR"):
    """The argv that starts `server` on a free port of 127.0.0.1. Parley keeps its history in
    `data_dir` (a fresh folder per run: no run inherits another's rooms)."""
    if server == "parley":
        return [f"{root}/build/release/parley", "--port", "0", "--bind", "127.0.0.1",
                "--threads", str(threads), "--log-level", "warn",
                "--storage-engine", storage, "--storage-path", data_dir,
                # The load generator's senders go far past a person's 20 messages a second, and
                # its thousands of clients all come from 127.0.0.1.
                "--limits-messages-per-second", "0", "--limits-connections-per-ip", "0",
                "--limits-accepts-per-second-per-ip", "0"]
    if server == "node":
        return ["node", f"{root}/bench/peers/node/server.mjs", "--port", "0"]
    if server == "beast":
        return [f"{root}/build/release/bench/peers/beast/parley-beast-peer", "--port", "0",
                "--threads", str(threads)]
    raise ValueError(f"unknown server {server}")


def listening_ports(pid):
    """Ports on which process `pid` has a TCP socket in LISTEN state (from /proc)."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return set()
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] == "0A" and cols[9] in inodes:  # 0A: TCP_LISTEN
                        ports.add(int(cols[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return ports


class running_server:
    """A server process started for one measurement. Use as a context manager."""

    def __init__(self, argv, cpu=None):
        self.argv = (["taskset", "-c", str(cpu)] if cpu is not None else []) + list(argv)
        self.proc = None
        self.port = None
        self.tail = collections.deque(maxlen=30)  # its last output lines, for error messages
        self._line_port = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def pid(self):
        return self.proc.pid  # taskset execs the server: same pid

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, errors="replace")
        threading.Thread(target=self._drain, daemon=True).start()
        # The listening line names the port; parley at --log-level warn prints none, so the
        # listening socket is also looked for in /proc.
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._line_port:
                self.port = self._line_port
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} at start: "
                                   f"{self.output()}")
            ports = listening_ports(self.proc.pid)
            if len(ports) == 1:
                self.port = ports.pop()
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server printed no listening line within {START_TIMEOUT_S} s: "
                           f"{self.output()}")

    def _drain(self):  # read all output: a full pipe would stall the server
        for line in self.proc.stdout:
            self.tail.append(line.rstrip("\n"))
            match = LISTENING.search(line)
            if match and self._line_port is None:
                self._line_port = int(match.group(2))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def output(self):
        return " | ".join(self.tail) or "(no output)"

    def stop(self):
        """SIGTERM, then SIGKILL after a few seconds. Returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
