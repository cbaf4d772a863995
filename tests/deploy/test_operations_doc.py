"""docs/operations.md: every test it names exists, every section has its claims in the table,
every flag, variable, key and path it names exists, and its numbers are the manifests'."""
import ast
import os
import re

import deploy_files as files

DOC = files.read("docs", "operations.md")
TABLE_HEADING = "## Claims and their tests"
BODY, _, TABLE = DOC.partition(TABLE_HEADING)
TESTS = files.repo_path("tests")


def table_rows():
    rows = []
    for line in TABLE.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("section", "---"):
            rows.append(cells)
    return rows


def python_test_functions(file_name):
    found = []
    for folder, _, names in os.walk(TESTS):
        if "node_modules" in folder:
            continue
        if file_name in names:
            with open(os.path.join(folder, file_name), encoding="utf-8") as f:
                tree = ast.parse(f.read())
            found += [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    return found


def test_every_test_named_here_exists():
    named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", DOC)
    assert len(named) >= 40, named
    missing = [f"{f}::{t}" for f, t in named if t not in python_test_functions(f)]
    assert not missing, missing
    for path in re.findall(r"`(tests/[\w/.-]+\.mjs)`", DOC):
        assert os.path.isfile(files.repo_path(path)), path


def test_every_section_has_its_claims_in_the_table():
    sections = [h for h in re.findall(r"^## (.+)$", BODY, re.MULTILINE)]
    assert sections == ["Deploy", "Observe", "Scale", "Upgrade without dropping users"]
    rows = table_rows()
    covered = {row[0] for row in rows}
    assert covered >= {"Deploy", "Observe", "Scale", "Upgrade"}, covered
    for section, claim, checked_by in rows:
        assert re.search(r"`(test_\w+\.py::test_\w+|tests/[\w/.-]+)`", checked_by), (section, claim)


def test_every_flag_variable_and_key_named_here_exists():
    keys = files.config_keys()
    flags = files.flag_names()
    prefixes = tuple(f"--{table}-" for table in ("server", "limits", "metrics", "tracing", "log"))
    named_flags = {f for f in re.findall(r"(?<![\w-])(--[a-z][a-z-]*[a-z])", DOC)
                   if f.startswith(prefixes) or f == "--config"}
    assert named_flags, "no Parley flag named?"
    assert named_flags <= flags, named_flags - flags
    variables = set(re.findall(r"\bPARLEY_[A-Z_]+\b", DOC))
    known = set(files.env_to_key()) | {"PARLEY_CONFIG"}
    assert variables and variables <= known, variables - known
    named_keys = {f"{t}.{k}" for t, k in re.findall(
        r"(?<![\w/.-])(server|limits|metrics|tracing|log)\.([a-z_]+)\b(?!\.)", DOC) if k != "md"}
    assert len(named_keys) >= 8 and named_keys <= keys.keys(), named_keys - keys.keys()


def test_every_path_named_here_exists():
    paths = set(re.findall(
        r"(?<![\w./:-])((?:deploy|docs|scripts|tests|build)/[\w./-]*[\w/])", DOC))
    assert len(paths) >= 10, paths
    missing = [p for p in paths if not os.path.exists(files.repo_path(p))]
    assert not missing, missing
    for link in re.findall(r"\]\(([\w.-]+\.md)(?:#[\w-]+)?\)", DOC):
        assert os.path.isfile(files.repo_path("docs", link)), link
    for anchor in re.findall(r"\]\(#([\w-]+)\)", DOC):
        headings = [re.sub(r"[^\w -]", "", h).lower().replace(" ", "-")
                    for h in re.findall(r"^#+ (.+)$", DOC, re.MULTILINE)]
        assert anchor in headings, anchor
    assert os.path.isfile(files.repo_path(".dockerignore"))


def test_runtime_packages_named_here_are_the_images():
    (line,) = [l for l in DOC.splitlines() if l.startswith("apt-get install")]
    runs = [i.arguments for i in files.dockerfile().stage("runtime") if i.keyword == "RUN"]
    image = [name for run in runs for name in files.apt_installs(run)]
    assert files.apt_installs(line) == image


def default_of(flag):
    return int(re.search(re.escape(flag) + r" INT\s+\(default (\d+)", files.help_text()).group(1))


def test_numbers_here_are_the_manifests():
    config = files.configmap_toml()
    container = files.parley_container()
    pod = files.deployment()["spec"]["template"]
    service = files.k8s_named("Service", "parley")["spec"]["ports"][0]
    ingress = files.k8s_one("Ingress")["metadata"]["annotations"]
    resources = container["resources"]
    compose = files.compose()["services"]
    parley_env = compose["parley-a"]["environment"]
    prometheus = files.prometheus_config()
    logstash = files.read("deploy", "elk", "logstash.conf")
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"][1]
    drain = config["server"]["shutdown_timeout_ms"] // 1000
    assert parley_env["PARLEY_TRACING_ENDPOINT"] == "http://jaeger:4318/v1/traces"
    assert '"http://elasticsearch:9200"' in logstash and '"parley-%{+YYYY.MM.dd}"' in logstash
    scrape_interval = re.fullmatch(r"(\d+)s", prometheus["global"]["scrape_interval"]).group(1)
    grace = pod["spec"]["terminationGracePeriodSeconds"]
    expected = [
        f"port {config['server']['port']}, {config['server']['threads']} event loops, "
        f"{drain} s drain, metrics on {config['metrics']['port']}",
        f"preStop sleep of {pre_stop} s",
        f"`terminationGracePeriodSeconds: {grace}`",
        f"requests {resources['requests']['cpu']} CPU / {resources['requests']['memory']}, "
        f"limits {resources['limits']['cpu']} CPUs / {resources['limits']['memory']}",
        f"port {service['port']}, node port {service['nodePort']}",
        f"timeouts of {ingress['nginx.ingress.kubernetes.io/proxy-read-timeout']} s",
        f"`server.threads` is {config['server']['threads']}",
        f"the {grace} s grace period ({pre_stop} s preStop +\n   {drain} s drain",
        f"waits up to {drain} s",
        f"`prometheus.io/port: \"{pod['metadata']['annotations']['prometheus.io/port']}\"`",
        "`http://jaeger:4318/v1/traces`",
        f"every {scrape_interval} s",
        f"`stop_grace_period` ({compose['parley-a']['stop_grace_period'].rstrip('s')} s)",
        f"`{config['tracing']['endpoint']}`",
        "`http://elasticsearch:9200`",
        "index `parley-YYYY.MM.dd`",
        f"{default_of('--limits-ping-interval-ms') // 1000} s ping interval",
        f"`limits.max_queued_bytes` ({default_of('--limits-max-queued-bytes') >> 20} MiB)",
        f"`limits.soft_queued_bytes` ({default_of('--limits-soft-queued-bytes') >> 20} MiB)",
        f"`limits.slow_consumer_grace_ms` "
        f"({default_of('--limits-slow-consumer-grace-ms') // 1000} s)",
        f"default {default_of('--server-shutdown-timeout-ms') // 1000} s drain",
        f"user {pod['spec']['securityContext']['runAsUser']}",
        f"scrapes `parley-a:{parley_env['PARLEY_METRICS_PORT']}/metrics` and "
        f"`parley-b:{parley_env['PARLEY_METRICS_PORT']}/metrics`",
    ]
    missing = [phrase for phrase in expected if phrase not in DOC]
    assert not missing, missing
    # The ConfigMap's tracing is off and its logs are text on stdout, as the table says.
    assert "tracing (off until you have a collector), text logs on stdout" in DOC
    assert config["tracing"]["enabled"] is False
    assert config["log"]["format"] == "text" and config["log"].get("file", "") == ""
    # Published host ports named in the compose table.
    for service_name, port in (("nginx", "8080"), ("jaeger", "16686"), ("prometheus", "9091")):
        assert any(re.match(rf"(\$\{{CHAT_PORT:-)?{port}\}}?:", p)
                   for p in compose[service_name]["ports"]), (service_name, port)
        assert f":{port}" in DOC
    # "on its own port so that the Service and Ingress never expose it"
    assert files.container_port(container, service["targetPort"]) != config["metrics"]["port"]
