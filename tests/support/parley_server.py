"""Starts the real parley binary on a free loopback port for a test, and stops it afterwards.

The binary comes from $PARLEY_BIN (ctest sets it); the port is read from the server's own
"listening on http(s)://HOST:PORT/" log line, so tests never pick ports themselves.
The server gets the test's environment without its PARLEY_* variables (the server takes every
PARLEY_* variable as configuration and refuses unknown ones), plus what the test passes in env.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

LISTENING = re.compile(r"listening on (https?)://[^\s]+:(\d+)/")


def binary_path():
    path = os.environ.get("PARLEY_BIN")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "build", "release", "parley")
    return os.path.abspath(path)


_memory_checker = None


def built_with_memory_checker():
    """Whether the binary runs under ASan or TSan: they keep freed memory (ASan's quarantine) and
    shadow it, so its RSS says nothing about what the server itself holds."""
    global _memory_checker
    if _memory_checker is None:
        with open(binary_path(), "rb") as binary:
            content = binary.read()
        _memory_checker = b"__asan_init" in content or b"__tsan_init" in content
    return _memory_checker


LOOPBACK_ANY_PORT = ("--port", "0", "--bind", "127.0.0.1")


def server_environment(extra=None):
    """This process's environment without PARLEY_* variables (PARLEY_BIN...), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(extra or {})
    return env


def names_storage(args, env):
    """Whether the command line or environment already says where (or whether) history is kept."""
    keys = ("--storage-path", "--storage-engine")
    return any(str(a).startswith(keys) for a in args) or any(
        k in (env or {}) for k in ("PARLEY_STORAGE_PATH", "PARLEY_STORAGE_ENGINE"))


class ParleyServer:
    """A running parley process. Use as a context manager, or call start()/stop().

    listen_args come first on the command line (a free loopback port unless the test says
    otherwise); env adds environment variables. Unless the test says where history lives, the
    server keeps it in a fresh temporary folder, removed at stop(): no test sees another's rooms.
    """

    def __init__(self, *args, env=None, listen_args=LOOPBACK_ANY_PORT, start_timeout=15.0):
        self.args = [binary_path(), *listen_args, *args]
        self.temporary_storage = None
        if not names_storage(args, env):
            self.temporary_storage = tempfile.mkdtemp(prefix="parley-test-")
            self.args += ["--storage-path", self.temporary_storage]
        self.env = server_environment(env)
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self.tls = False  # the server said https://: its URLs are wss:// and https://
        # What clients trust a TLS server with (the test's ssl.SSLContext); None: the defaults.
        self.ssl_context = None
        self.lines = []  # every stdout/stderr line the server printed, in order
        self._lines_changed = threading.Condition()

    def start(self):
        self.proc = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
            env=self.env,
        )
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        match = self.wait_for_line(LISTENING, self.start_timeout)
        if match is None:
            self.stop()
            raise RuntimeError("parley did not start: " + "".join(self.lines))
        self.tls = match.group(1) == "https"
        self.port = int(match.group(2))
        return self

    def _pump(self):
        for line in self.proc.stdout:
            with self._lines_changed:
                self.lines.append(line)
                self._lines_changed.notify_all()
        with self._lines_changed:
            self._lines_changed.notify_all()

    def wait_for_line(self, pattern, timeout, start_at=0):
        """Waits until a printed line (from index start_at on) matches pattern; returns the match or None."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        seen = start_at
        with self._lines_changed:
            while True:
                for line in self.lines[seen:]:
                    match = regex.search(line)
                    if match:
                        return match
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and seen == len(self.lines)):
                    return None
                self._lines_changed.wait(min(remaining, 0.2))

    @property
    def url(self):
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}"

    @property
    def http_url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def terminate(self, timeout=10.0):
        """Sends SIGTERM and returns the exit code (None if it did not exit in time)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc:
            self._pump_thread.join(10)  # every line the server printed, up to its exit
        if self.temporary_storage:
            shutil.rmtree(self.temporary_storage, ignore_errors=True)
            self.temporary_storage = None
        self.assert_no_sanitizer_report()

    def assert_no_sanitizer_report(self):
        """Fails the test when a sanitizer build of the server reported an error."""
        reports = [line for line in self.lines if "Sanitizer" in line or "runtime error:" in line]
        if reports:
            raise AssertionError("sanitizer report from parley:\n" + "".join(self.lines))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
