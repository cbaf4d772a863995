"""Reads the files under deploy/ (and what they refer to) for the deployment tests.

Not a test file. Everything here parses; nothing asserts, so each test says what it checks.
"""
import functools
import json
import os
import re
import shlex
import socket
import subprocess
import threading
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import yaml

from parley_server import binary_path, server_environment

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEPLOY = os.path.join(REPO, "deploy")


def repo_path(*parts):
    return os.path.join(REPO, *parts)


def read(*parts):
    with open(repo_path(*parts), encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- the binary's configuration keys


@dataclass(frozen=True)
class Key:
    name: str  # server.shutdown_timeout_ms
    flag: str  # --server-shutdown-timeout-ms
    env: str  # PARLEY_SERVER_SHUTDOWN_TIMEOUT_MS


@functools.lru_cache(maxsize=None)
def help_text():
    """What `parley --help` prints (without this process's own PARLEY_* variables)."""
    return subprocess.run([binary_path(), "--help"], capture_output=True, text=True, check=True,
                          env=server_environment()).stdout


@functools.lru_cache(maxsize=None)
def config_keys():
    """Every configuration key, as `parley --help` lists them: {key name: Key}."""
    text = help_text()
    keys = {}
    table = None
    for line in text.splitlines():
        section = re.fullmatch(r"\[(\w+)\]", line.strip())
        if section:
            table = section.group(1)
            continue
        flag = re.match(r"  --([a-z0-9-]+)", line)
        if table and flag and flag.group(1).startswith(table + "-"):
            rest = flag.group(1)[len(table) + 1:].replace("-", "_")
            name = f"{table}.{rest}"
            keys[name] = Key(name, "--" + flag.group(1),
                             "PARLEY_" + name.upper().replace(".", "_"))
    return keys


def env_to_key():
    return {key.env: key for key in config_keys().values()}


def flag_names():
    """Every flag `parley --help` names, the older aliases included."""
    return set(re.findall(r"(--[a-z][a-z0-9-]+)", help_text()))


# ---------------------------------------------------------------- YAML


def yaml_documents(*parts):
    with open(repo_path(*parts), encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def k8s_files():
    folder = os.path.join(DEPLOY, "k8s")
    return sorted(os.path.join("deploy", "k8s", name) for name in os.listdir(folder)
                  if name.endswith((".yaml", ".yml")))


@functools.lru_cache(maxsize=None)
def k8s_objects():
    """{kind: [object, ...]} over every manifest in deploy/k8s/."""
    objects = {}
    for path in k8s_files():
        for doc in yaml_documents(path):
            objects.setdefault(doc["kind"], []).append(doc)
    return objects


def k8s_one(kind):
    found = k8s_objects().get(kind, [])
    if len(found) != 1:
        raise LookupError(f"expected one {kind} in deploy/k8s/, found {len(found)}")
    return found[0]


def k8s_named(kind, name):
    found = [o for o in k8s_objects().get(kind, []) if o["metadata"]["name"] == name]
    if len(found) != 1:
        raise LookupError(f"expected one {kind} {name} in deploy/k8s/, found {len(found)}")
    return found[0]


def deployment(name="parley"):
    return k8s_named("Deployment", name)


def parley_container():
    containers = deployment()["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == "parley")


def configmap_toml_text():
    """The parley.toml the Deployment mounts, as text."""
    container = parley_container()
    args = container.get("args", [])
    config_path = args[args.index("--config") + 1]
    mount_dir, file_name = os.path.split(config_path)
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == mount_dir)
    volumes = deployment()["spec"]["template"]["spec"]["volumes"]
    volume = next(v for v in volumes if v["name"] == mount["name"])
    configmap = next(c for c in k8s_objects()["ConfigMap"]
                     if c["metadata"]["name"] == volume["configMap"]["name"])
    return configmap["data"][file_name]


def configmap_toml():
    return tomllib.loads(configmap_toml_text())


def container_port(container, port):
    """A probe's or Service's port (a number or a container port's name) as a number."""
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in container["ports"] if p.get("name") == port)


def compose():
    return yaml_documents("deploy", "compose", "docker-compose.yml")[0]


def prometheus_config():
    return yaml_documents("deploy", "compose", "prometheus.yml")[0]


def filebeat_config():
    return yaml_documents("deploy", "elk", "filebeat.yml")[0]


# ---------------------------------------------------------------- Dockerfile


@dataclass
class Instruction:
    keyword: str  # upper case: FROM, RUN, ...
    arguments: str  # the rest, continuation lines joined
    stage: int  # 0 for the first FROM's stage


@dataclass
class Dockerfile:
    instructions: list = field(default_factory=list)

    def stage(self, index_or_name):
        """The instructions of one stage, by index (0 for the first) or by its `AS` name."""
        index = index_or_name
        if isinstance(index_or_name, str):
            index = next(i.stage for i in self.instructions if i.keyword == "FROM"
                         and i.arguments.split()[-2:] == ["AS", index_or_name])
        return [i for i in self.instructions if i.stage == index]

    @property
    def stages(self):
        return max(i.stage for i in self.instructions) + 1

    def final(self, keyword):
        """The arguments of the last `keyword` instruction that holds in the image: of the final
        stage, or of the stage it starts FROM when it has none (or None)."""
        index = self.stages - 1
        while True:
            instructions = self.stage(index)
            found = [i for i in instructions if i.keyword == keyword]
            if found:
                return found[-1].arguments
            parent = instructions[0].arguments.split()[0]
            named = [i.stage for i in self.instructions if i.keyword == "FROM"
                     and i.arguments.split()[-2:] == ["AS", parent]]
            if not named:
                return None
            index = named[0]


def dockerfile(*parts):
    """Parses a Dockerfile the way the builder reads it: comment lines dropped (also inside a
    continued instruction), backslash-newline continuations joined."""
    parsed = Dockerfile()
    stage = -1
    pending = ""
    for raw in read(*(parts or ("deploy", "Dockerfile"))).splitlines():
        if raw.lstrip().startswith("#"):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = (pending + raw).strip()
        pending = ""
        if not line:
            continue
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        parsed.instructions.append(Instruction(keyword, arguments.strip(), stage))
    return parsed


def exec_form(arguments):
    """A JSON-array (exec form) argument list: ["a", "b"] -> [a, b]; shell form -> sh -c."""
    if arguments.lstrip().startswith("["):
        return json.loads(arguments)
    return ["/bin/sh", "-c", arguments]


def healthcheck_command(arguments):
    """HEALTHCHECK [--options] CMD ... -> (options dict, command list)."""
    options_text, _, command = arguments.partition("CMD ")
    options = dict(re.findall(r"--([a-z-]+)=(\S+)", options_text))
    return options, exec_form(command)


# ---------------------------------------------------------------- Debian packages


@functools.lru_cache(maxsize=None)
def installed_packages():
    """{package: (essential, dependency names)} of this Debian machine."""
    out = subprocess.run(
        ["dpkg-query", "-W",
         "-f=${Package}\t${Essential}\t${Pre-Depends}, ${Depends}\t${Status}\n"],
        capture_output=True, text=True, check=True).stdout
    packages = {}
    for line in out.splitlines():
        name, essential, depends, status = line.split("\t")
        if not status.endswith("installed"):
            continue
        alternatives = []
        for dependency in depends.split(","):
            dependency = dependency.strip()
            if dependency:
                alternatives.append([re.split(r"[\s:(]", a.strip())[0]
                                     for a in dependency.split("|")])
        packages[name] = (essential == "yes", alternatives)
    return packages


def base_image_packages():
    """The packages of debian:bookworm-slim, as far as this machine can tell: every Essential
    package and apt (the image is made of those), with everything they depend on."""
    packages = installed_packages()
    wanted = [name for name, (essential, _) in packages.items() if essential] + ["apt"]
    closure = set()
    while wanted:
        name = wanted.pop()
        if name in closure or name not in packages:
            continue
        closure.add(name)
        for alternatives in packages[name][1]:
            present = [a for a in alternatives if a in packages]
            if present and not any(a in closure for a in present):
                wanted.append(present[0])
    return closure


def package_of(path):
    """The Debian package that installed a file (dpkg -S), under its name or its real path."""
    for candidate in (path, os.path.realpath(path)):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    raise LookupError(f"no Debian package owns {path}")


def linked_libraries(binary):
    """{soname: resolved path} of every shared library ldd lists for binary."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    return dict(re.findall(r"^\s*(\S+) => (/\S+)", out, re.MULTILINE))


def apt_installs(run_arguments):
    """The package names of every `apt-get install` in a RUN instruction."""
    names = []
    for command in re.split(r"&&|;", run_arguments):
        words = shlex.split(command)
        if "apt-get" in words and "install" in words:
            after = words[words.index("install") + 1:]
            names += [w for w in after if not w.startswith("-")]
    return names


# ---------------------------------------------------------------- network


def free_port():
    """A TCP port free on 127.0.0.1 right now (for a second listener the harness cannot learn
    from the log, such as the metrics port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    """(status, body bytes, headers) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def wait_for_status(url, status, timeout=10.0, period=0.2):
    """Asks for url, as a readiness probe does, every `period` seconds until it answers `status`
    (a cluster node listens before both its Redis connections are up); whether it did."""
    deadline = time.monotonic() + timeout
    while True:
        if http_get(url)[0] == status:
            return True
        if time.monotonic() >= deadline:
            return False
        threading.Event().wait(period)


def quiet_listen_args(*extra):
    """Listen on a free loopback port whatever the config file or environment says."""
    return ("--server-port", "0", "--server-bind", "127.0.0.1", *extra)
