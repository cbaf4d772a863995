"""The container engine for the container tests, through scripts/container (podman or docker,
whichever runs here). Not a test file: nothing here asserts.
"""
import os
import queue
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPTS = os.path.join(REPO, "scripts")
NO_ENGINE = 3  # scripts/container's exit code when neither podman nor docker can run


def engine_name():
    """("podman" | "docker", None), or (None, why neither can run here)."""
    result = subprocess.run([os.path.join(SCRIPTS, "container"), "which"], capture_output=True,
                            text=True, timeout=90)
    if result.returncode == NO_ENGINE:
        return None, result.stderr.strip()
    if result.returncode != 0:
        raise RuntimeError(f"scripts/container which: {result.stderr}")
    return result.stdout.strip(), None


def engine(*args, check=True, timeout=120, input=None):
    """Runs `scripts/container ARGS` (podman or docker ARGS); returns the CompletedProcess."""
    result = subprocess.run([os.path.join(SCRIPTS, "container"), *map(str, args)],
                            capture_output=True, text=True, timeout=timeout, input=input)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {result.returncode}:\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


def script(name, *args, timeout=600):
    """Runs scripts/NAME ARGS, its output passed through (a build shows its steps)."""
    subprocess.run([os.path.join(SCRIPTS, name), *map(str, args)], check=True, timeout=timeout)


def inspect(what, name, template):
    return engine(what, "inspect", "--format", template, name).stdout.strip()


def published_port(container, port):
    """The host port the engine published container port `port` on ("127.0.0.1:41234")."""
    line = engine("port", container, f"{port}/tcp").stdout.strip().splitlines()[0]
    return int(line.rsplit(":", 1)[1])


def exit_code(container):
    return int(inspect("container", container, "{{.State.ExitCode}}"))


def logs(container):
    result = engine("logs", container, check=False)
    return result.stdout + result.stderr


@dataclass(frozen=True)
class Endpoint:
    """Where a containerised Parley answers on this host: what the integration suite's client
    helpers (parley_client.py) need of a server."""
    port: int
    metrics_port: int = 0

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.port}"


def http_get(url, timeout=5.0):
    """(status, body text) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for_log(container, pattern, timeout=30.0, occurrence=1):
    """Follows the container's output (every run's) until the occurrence-th line matching
    pattern; returns that match. Raises
    TimeoutError with the output so far, or RuntimeError when the container stops first."""
    regex = re.compile(pattern)
    follower = subprocess.Popen([os.path.join(SCRIPTS, "container"), "logs", "-f", container],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()

    def pump():
        for line in follower.stdout:
            lines.put(line)
        lines.put(None)  # the container stopped (logs -f ends with it)
    threading.Thread(target=pump, daemon=True).start()
    seen = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                raise TimeoutError(f"no line matching {pattern!r} in {timeout} s:\n"
                                   + "".join(seen)) from None
            if line is None:
                raise RuntimeError(f"{container} stopped before printing {pattern!r}:\n"
                                   + "".join(seen))
            seen.append(line)
            match = regex.search(line)
            if match:
                occurrence -= 1
                if occurrence == 0:
                    return match
    finally:
        follower.kill()
        follower.wait()
