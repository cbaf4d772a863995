"""What the results were measured on."""
import datetime
import os
import platform
import subprocess


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def command_output(cmd, cwd=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def info(root):
    commit = command_output(["git", "rev-parse", "--short", "HEAD"], root)
    dirty = command_output(["git", "status", "--porcelain", "--untracked-files=no"], root)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "kernel": platform.release(),
        "node": command_output(["node", "--version"]),
        "commit": commit + ("-dirty" if dirty else ""),
        "loadavg_at_start": os.getloadavg(),
    }
