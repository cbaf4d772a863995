"""Building what a benchmark run needs, the way a developer would."""
import os
import subprocess


class build_error(Exception):
    pass


def targets(servers, fake_loadgen):
    wanted = ["parley"] if "parley" in servers else []
    if not fake_loadgen:
        wanted.append("parley-loadgen")
    if "beast" in servers:
        wanted.append("parley-beast-peer")
    return wanted


def build(root, servers):
    """scripts/bootstrap test (node deps and tools), then the release preset's targets."""
    steps = [["scripts/bootstrap", "test"],
             ["cmake", "--preset", "release"]]
    wanted = targets(servers, bool(os.environ.get("BENCH_LOADGEN")))
    if wanted:
        # nice and -j2: the machine's two cores are shared.
        steps.append(["nice", "cmake", "--build", "--preset", "release", "-j", "2", "--target",
                      *wanted])
    for step in steps:
        print(f"bench: {' '.join(step)}", flush=True)
        done = subprocess.run(step, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        if done.returncode != 0:
            hint = ""
            if "parley-loadgen" in done.stdout and "unknown target" in done.stdout:
                hint = ("\nparley-loadgen is not in this tree yet (bench/loadgen); "
                        "set BENCH_LOADGEN=/path/to/parley-loadgen to use another build")
            raise build_error(f"{' '.join(step)} failed:\n{done.stdout[-3000:]}{hint}")
