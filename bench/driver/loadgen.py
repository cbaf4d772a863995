"""Running parley-loadgen once and reading its one JSON object."""
import json
import os
import signal
import subprocess
import time

# Checked here; the number each workload reads is checked where it is read (metrics.py).
REQUIRED_KEYS = ("mode", "clients")
KILL_MARGIN_S = 60  # past its own --timeout-s (plus the run), the load generator is killed


def binary(root):
    """The load generator: $BENCH_LOADGEN (e.g. a stub for testing bench/run) or the build's.
    Not a PARLEY_ name: the servers inherit this environment, and parley refuses PARLEY_
    variables it does not know."""
    return os.environ.get("BENCH_LOADGEN") or f"{root}/build/release/bench/loadgen/parley-loadgen"


def argv(root, load, port, pid, duration, warmup, window, size, cpu=None, protocol="legacy"):
    """The command line for one run of workload `load` against the server at `port`/`pid`."""
    cmd = ["taskset", "-c", str(cpu)] if cpu is not None else []
    cmd += [binary(root), "--mode", load.mode, "--host", "127.0.0.1", "--port", str(port),
            "--clients", str(load.clients)]
    if protocol != "legacy":
        cmd += ["--protocol", protocol]
    if load.rooms > 1:
        cmd += ["--rooms", str(load.rooms)]
    cmd += list(load.extra_args)
    if load.senders:
        cmd += ["--senders", str(load.senders)]
    if load.rate:
        cmd += ["--rate", str(load.rate)]
    elif load.mode == "fanout":
        cmd += ["--window", str(window)]
    cmd += ["--size", str(size), "--duration", str(duration), "--warmup", str(warmup),
            "--server-pid", str(pid), "--timeout-s", str(load.timeout_s), "--json"]
    return cmd


def parse(stdout):
    """The JSON object in the load generator's stdout; raises ValueError when there is none."""
    text = stdout.strip()
    if not text:
        raise ValueError("no output")
    try:
        result = json.loads(text)
    except json.JSONDecodeError:
        # Tolerate stray lines around the object: take the last line that parses.
        for line in reversed(text.splitlines()):
            try:
                result = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
        else:
            raise ValueError(f"not JSON: {text[:200]!r}")
    if not isinstance(result, dict):
        raise ValueError(f"not a JSON object: {text[:200]!r}")
    missing = [k for k in REQUIRED_KEYS if k not in result]
    if missing:
        raise ValueError(f"missing keys {', '.join(missing)}")
    return result


def run(cmd, limit_s):
    """Runs the load generator. Returns a dict: status (ok | unclean | timeout | error),
    exit_code, elapsed_s, result (the parsed JSON or None), error (text or None)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=limit_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own process group: taskset and the tool
        proc.communicate()
        return {"status": "timeout", "exit_code": None, "result": None,
                "elapsed_s": time.monotonic() - started,
                "error": f"killed after {limit_s} s without an answer"}
    record = {"exit_code": proc.returncode, "elapsed_s": time.monotonic() - started,
              "result": None, "error": None}
    try:
        record["result"] = parse(out)
    except ValueError as error:
        record["status"] = "error"
        record["error"] = f"exit {proc.returncode}: {error}; stderr: {err.strip()[-500:]}"
        return record
    if proc.returncode == 0:
        record["status"] = "ok"
    else:
        result = record["result"]
        timed_out = result.get("timed_out") or "timeout" in str(result.get("error", "")).lower()
        record["status"] = "timeout" if timed_out else "unclean"
        record["error"] = (f"exit {proc.returncode}: lost {result.get('lost')}, out of order "
                           f"{result.get('out_of_order')}, errors {result.get('errors')}; "
                           f"stderr: {err.strip()[-300:]}")
    return record
