"""Starts a real redis-server (Debian's package) on a free loopback port for a test.

Nothing is saved to disk; the server's "Ready to accept connections" line says when it is up.
redis-server cannot be told to pick its own port and report it, so the port is one the kernel
just handed out for a moment; when another process takes it first, start() tries another.
"""
import re
import shutil
import socket
import subprocess
import tempfile

from output_lines import OutputLines

READY = re.compile(r"Ready to accept connections")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, start_timeout=10.0):
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self.folder = None
        self.output = None  # what it printed

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self, attempts=3):
        for _ in range(attempts):
            if self._start_once(free_port()):
                return self
        raise RuntimeError("redis-server did not start: " + "".join(self.lines))

    def restart_empty(self):
        """Kills the server and starts a new one, with no data, on the same port."""
        self.stop()
        self.start_again()

    def start_again(self):
        """Starts a stopped server again, with no data, on the port it had."""
        if not self._start_once(self.port):
            raise RuntimeError("redis-server did not restart: " + "".join(self.lines))

    @property
    def lines(self):
        return self.output.lines if self.output else []

    def _start_once(self, port):
        self.port = port
        self.folder = tempfile.mkdtemp(prefix="parley-redis-")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.folder],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.output = OutputLines(self.proc, self.proc.stdout)
        if self.output.wait_for(READY, self.start_timeout):
            return True
        self.stop()
        return False

    def command(self, *args):
        """One command through redis-cli; returns its output without the final newline."""
        out = subprocess.run(["redis-cli", "-p", str(self.port), *map(str, args)],
                             capture_output=True, text=True, timeout=10, check=True)
        return out.stdout.rstrip("\n")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
