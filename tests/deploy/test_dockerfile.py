"""deploy/Dockerfile and .dockerignore, checked without a container engine: the base images, the
user, the runtime packages against what the binary links, the HEALTHCHECK run for real against
the binary, and the build stage's configure step run on a copy of the build context."""
import asyncio
import fnmatch
import os
import re
import shlex
import shutil
import signal
import subprocess
import time

import pytest

import deploy_files as files
from parley_client import closed, join
from parley_server import ParleyServer, binary_path

DOCKERFILE = files.dockerfile()
BASE = "debian:bookworm-slim"


def test_runtime_and_build_stages_are_debian_bookworm_slim_and_the_image_is_runtime():
    froms = [i.arguments.split() for i in DOCKERFILE.instructions if i.keyword == "FROM"]
    assert froms == [[BASE, "AS", "runtime"], [BASE, "AS", "build"], ["runtime"]], froms
    with open("/etc/debian_version", encoding="ascii") as f:  # what the package checks rely on
        assert f.read().startswith("12."), "this machine is not Debian 12 (bookworm)"


def test_final_stage_runs_as_a_numeric_non_root_user_that_it_creates():
    user = DOCKERFILE.final("USER")
    uid, _, gid = user.partition(":")
    # Numeric, so Kubernetes' runAsNonRoot can check it; not 0.
    assert uid.isdigit() and int(uid) > 0, f"USER {user}"
    assert gid.isdigit() and int(gid) > 0
    creates = [i.arguments for i in DOCKERFILE.stage("runtime")
               if i.keyword == "RUN" and "useradd" in i.arguments]
    assert creates and f"--uid {uid} --gid {gid}" in creates[0]
    assert f"groupadd --system --gid {gid}" in creates[0]
    base = files.base_image_packages()
    assert all(files.package_of(shutil.which(tool)) in base for tool in ("useradd", "groupadd"))


def test_history_goes_to_a_working_directory_the_user_owns():
    """storage.path defaults to ./parley-data, relative to the working directory: the image's
    must exist and belong to its user, or the server cannot start there."""
    workdir = DOCKERFILE.final("WORKDIR")
    uid, gid = DOCKERFILE.final("USER").split(":")
    creates = [i.arguments for i in DOCKERFILE.stage("runtime") if i.keyword == "RUN"]
    assert any(f"install -d -o {uid} -g {gid} -m 0750 {workdir}" in run for run in creates)
    assert re.search(r'--storage-path TEXT\s+\(default "\./parley-data"', files.help_text())


def test_runtime_packages_provide_every_library_the_binary_links_and_nothing_more():
    runs = [i.arguments for i in DOCKERFILE.stage("runtime") if i.keyword == "RUN"]
    installed = [name for run in runs for name in files.apt_installs(run)]
    assert installed, "the final stage installs no runtime packages"
    assert not [p for p in installed if p.endswith("-dev")], installed
    base = files.base_image_packages()
    libraries = files.linked_libraries(binary_path())
    providers = {soname: files.package_of(path) for soname, path in libraries.items()}
    missing = {s: p for s, p in providers.items() if p not in installed and p not in base}
    assert not missing, f"libraries no package of the final stage provides: {missing}"
    unused = set(installed) - set(providers.values())
    assert not unused, f"installed in the final stage but linked by nothing: {unused}"
    # Installed with --no-install-recommends, lists removed: a slim image stays slim.
    assert all("--no-install-recommends" in run for run in runs if "apt-get install" in run)
    assert all("rm -rf /var/lib/apt/lists/*" in run for run in runs if "apt-get install" in run)


def test_build_stage_installs_the_build_packages_from_scripts_bootstrap():
    build = DOCKERFILE.stage("build")
    runs = [i.arguments for i in build if i.keyword == "RUN"]
    assert any(run.startswith("scripts/bootstrap build") for run in runs), runs
    copies = [i.arguments for i in build if i.keyword == "COPY"]
    # bootstrap is copied alone first, so the package layer is cached across source changes.
    assert copies[0] == "scripts/bootstrap scripts/bootstrap"
    bootstrap = files.read("scripts", "bootstrap")
    build_part = bootstrap[bootstrap.index("build_pkgs=("):bootstrap.index("test_pkgs=(")]
    assert "nodejs" not in build_part and "npm" not in build_part


def dockerignore_patterns():
    patterns = []
    for line in files.read(".dockerignore").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert not line.startswith("!"), "exceptions are not handled by this test's matcher"
            patterns.append(line.strip("/"))
    return patterns


def ignored(relative, patterns):
    """Docker's rule: a path is left out when it or a folder above it matches a pattern
    (filepath.Match, plus ** for any number of folders)."""
    parts = relative.split("/")
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        for pattern in patterns:
            regex = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*")
            regex = regex.replace(r"\?", "[^/]")
            if re.fullmatch(regex, prefix) or fnmatch.fnmatchcase(prefix, pattern):
                return True
    return False


def test_dockerignore_leaves_out_build_trees_and_node_modules():
    patterns = dockerignore_patterns()
    for path in ["build/release/parley", "tests/node_modules/ws/index.js", "node_modules/x",
                 ".git/HEAD", "tests/deploy/__pycache__/x.pyc"]:
        assert ignored(path, patterns), path
    for path in ["src/app/main.cpp", "web/index.html", "CMakePresets.json", "scripts/bootstrap",
                 "deploy/Dockerfile", "cmake/embed_files.cmake"]:
        assert not ignored(path, patterns), path


def test_build_stage_configures_from_the_docker_build_context(tmp_path):
    """Copies what `docker build -f deploy/Dockerfile .` would send (the repo minus
    .dockerignore) and runs the build stage's CMake configure command in it, so a context that
    leaves out a needed file, or a bad preset or option, fails here rather than in a docker
    build. (Compiling is left to the release build itself, for time.)"""
    patterns = dockerignore_patterns()
    context = tmp_path / "src"

    def skip(folder, names):
        relative = os.path.relpath(folder, files.REPO)
        base = "" if relative == "." else relative + "/"
        return [n for n in names if ignored(base + n, patterns)]

    shutil.copytree(files.REPO, context, ignore=skip, symlinks=True)
    runs = [i.arguments for i in DOCKERFILE.stage("build") if i.keyword == "RUN"]
    build = next(run for run in runs if "cmake --build" in run)
    configure, _, compile_step = build.partition("&&")
    assert shlex.split(compile_step) == [
        "cmake", "--build", "--preset", "release", "--target", "parley"]
    result = subprocess.run(shlex.split(configure), cwd=context, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(context / "build" / "release" / "build.ninja", encoding="utf-8") as f:
        # The target's output is the file build/release/parley.
        assert re.search(r"^build parley: CXX_EXECUTABLE_LINKER", f.read(), re.MULTILINE)
    # The final stage copies the binary from where that preset puts it.
    workdir = next(i.arguments for i in DOCKERFILE.stage("build") if i.keyword == "WORKDIR")
    copy = next(i.arguments for i in DOCKERFILE.stage(DOCKERFILE.stages - 1)
                if i.keyword == "COPY")
    assert copy.split() == [
        "--from=build", f"{workdir}/build/release/parley", "/usr/local/bin/parley"]


def test_expose_names_the_default_http_and_metrics_ports():
    exposed = [int(p) for p in DOCKERFILE.final("EXPOSE").split()]
    assert exposed == [9090, 9797]  # the defaults of server.port and metrics.port (--help)
    help_text = files.help_text()
    assert re.search(r"--server-port INT\s+\(default 9090", help_text)
    assert re.search(r"--metrics-port INT\s+\(default 9797", help_text)


def test_entrypoint_and_cmd_start_the_server(start_server):
    entrypoint = files.exec_form(DOCKERFILE.final("ENTRYPOINT"))
    cmd = files.exec_form(DOCKERFILE.final("CMD"))
    assert entrypoint == ["/usr/local/bin/parley"]
    server = start_server(*cmd, listen_args=files.quiet_listen_args(
        "--metrics-port", str(files.free_port()), "--metrics-bind", "127.0.0.1"))
    assert files.http_get(f"{server.http_url}/healthz")[0] == 200


def run_healthcheck(port):
    _, command = files.healthcheck_command(DOCKERFILE.final("HEALTHCHECK"))
    env = {"PATH": "/usr/bin:/bin"}
    if port is not None:
        env["PARLEY_SERVER_PORT"] = str(port)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=10)


def test_healthcheck_passes_against_a_running_server_and_fails_without_one(start_server):
    options, command = files.healthcheck_command(DOCKERFILE.final("HEALTHCHECK"))
    # Only bash (Essential in every Debian image): no curl or wget to install.
    assert command[0] == "/bin/bash"
    assert files.package_of(command[0]) in files.base_image_packages()
    assert "/healthz" in command[-1]
    assert options.keys() >= {"interval", "timeout", "retries"}
    server = start_server()
    result = run_healthcheck(server.port)
    assert result.returncode == 0, result.stderr
    port = server.port
    server.stop()
    assert run_healthcheck(port).returncode != 0


def first_log_hour(start_server, tz):
    server = start_server(env={"TZ": tz})
    return int(re.match(r"\d{4}-\d\d-\d\d (\d\d):", server.lines[0]).group(1))


def test_image_logs_in_utc_for_the_logstash_date_filter(start_server):
    env = dict(re.findall(r"(\w+)=(\S+)", DOCKERFILE.final("ENV")))
    assert env.get("TZ") == "UTC"
    assert 'timezone => "UTC"' in files.read("deploy", "elk", "logstash.conf")
    # Log dates follow TZ (POSIX zone strings need no tzdata), so the image's TZ decides them.
    utc = first_log_hour(start_server, "UTC")
    plus_nine = first_log_hour(start_server, "XXX-9")
    assert plus_nine in ((utc + 9) % 24, (utc + 10) % 24)  # an hour may turn between the two


def child_of(pid, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
                children = f.read().split()
        except FileNotFoundError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.02)
    raise TimeoutError("unshare started no child")


def test_sigterm_drains_parley_running_as_pid_1():
    """A container's first process is PID 1, which the kernel shields from signals it has no
    handler for. Parley blocks SIGTERM and takes it with sigwait; blocked signals are delivered
    even to PID 1. Run it as PID 1 of a new PID namespace (what a container is, without the
    engine) and send SIGTERM from outside, as the container runtime does."""
    wrapper = ["unshare", "--pid", "--fork", "--kill-child"]
    if os.geteuid() != 0:
        wrapper.insert(1, "--map-root-user")
    probe = subprocess.run([*wrapper, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a PID namespace here: {probe.stderr.strip()}")
    server = ParleyServer("--shutdown-timeout-ms", "3000")
    server.args = [*wrapper, *server.args]
    server.start()
    try:
        parley = child_of(server.proc.pid)
        with open(f"/proc/{parley}/status", encoding="ascii") as f:
            nspid = re.search(r"^NSpid:\s+(.*)$", f.read(), re.MULTILINE).group(1).split()
        assert nspid[-1] == "1", f"parley is not PID 1 in its namespace: NSpid {nspid}"

        async def scenario():
            alice = await join(server, "alice")
            os.kill(parley, signal.SIGTERM)
            code, reason, _ = await closed(alice, timeout=5)
            assert (code, reason) == (1001, "Server is shutting down.")
        asyncio.run(scenario())
        assert server.proc.wait(10) == 0  # unshare exits with its child's status
        assert server.wait_for_line(r"\[parley\.server\] - stopped", 5)
    finally:
        server.stop()
