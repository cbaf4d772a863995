"""deploy/compose/: Redis, two Parley nodes of one cluster and nginx in front (the shipped
deploy/nginx/parley.conf pointed at both), with Jaeger and Prometheus. The PARLEY_* variables
are real keys the binary accepts and start a node on a real Redis, the builds point at
deploy/Dockerfile and the Debian services file, tracing goes to Jaeger's OTLP/HTTP port,
Prometheus scrapes both nodes, and the host ports do not collide. (tests/container runs it.)"""
import os
import re
import shlex
import subprocess
import urllib.parse

import pytest

import deploy_files as files
from redis_server import RedisServer

COMPOSE = files.compose()
SERVICES = COMPOSE["services"]
NODES = ("parley-a", "parley-b")
PARLEY = SERVICES["parley-a"]
ENV = {name: str(value) for name, value in PARLEY["environment"].items()}
SPAN_FLUSH_MAX_S = 5  # docs/tracing.md
DEFAULT = re.compile(r"\$\{\w+:-([^}]*)\}")  # ${NAME:-default}


def node_env(name):
    return {key: str(value) for key, value in SERVICES[name]["environment"].items()}


def with_defaults(text):
    """A compose value with each ${NAME:-default} as its default."""
    return DEFAULT.sub(lambda m: m.group(1), text)


def seconds(duration):
    match = re.fullmatch(r"(\d+)(ms|s|m)", duration)
    value, unit = int(match.group(1)), match.group(2)
    return value / 1000 if unit == "ms" else value * (60 if unit == "m" else 1)


def test_services_are_redis_two_nodes_nginx_jaeger_and_prometheus():
    assert set(SERVICES) == {"redis", *NODES, "nginx", "jaeger", "prometheus"}
    assert SERVICES["jaeger"]["image"].startswith("jaegertracing/all-in-one:")
    assert SERVICES["prometheus"]["image"].startswith("prom/prometheus:")
    for name, service in SERVICES.items():
        assert not with_defaults(service["image"]).endswith(":latest"), f"{name}: pin a version"


def test_every_parley_variable_is_a_configuration_key():
    known = files.env_to_key()
    for node in NODES:
        unknown = [name for name in node_env(node) if name not in known]
        assert not unknown, f"{node}: not configuration variables: {unknown}"
    assert ENV, "the compose file configures nothing"


def test_the_nodes_share_one_redis_service_under_names_of_their_own():
    urls = {node_env(node)["PARLEY_CLUSTER_REDIS"] for node in NODES}
    (url,) = urls
    url = urllib.parse.urlsplit(url)
    assert (url.scheme, url.hostname, url.port) == ("redis", "redis", 6379)
    assert len({node_env(node)["PARLEY_CLUSTER_NODE_ID"] for node in NODES}) == len(NODES)
    for node in NODES:
        assert "redis" in SERVICES[node]["depends_on"]
        assert "ports" not in SERVICES[node], f"{node}: reached through nginx only"
        assert node_env(node)["PARLEY_SECURITY_TRUSTED_PROXIES"]


@pytest.fixture
def redis():
    with RedisServer() as server:
        yield server


def test_the_binary_starts_with_the_compose_environment(start_server, redis):
    # The variables as compose passes them; flags move the ports to free loopback ones and
    # Redis to the test's (flags win over the environment), everything else comes from the file.
    server = start_server("--cluster-redis", redis.url, env=ENV,
                          listen_args=files.quiet_listen_args(
                              "--metrics-port", str(files.free_port()), "--metrics-bind",
                              "127.0.0.1"))
    assert files.wait_for_status(f"{server.http_url}/readyz", 200)
    assert server.wait_for_line(r"exporting spans to http://jaeger:4318/v1/traces", 5)


def test_builds_use_deploy_dockerfile_and_the_debian_services_file():
    here = os.path.join(files.DEPLOY, "compose")
    for node in NODES:
        build = SERVICES[node]["build"]
        context = os.path.normpath(os.path.join(here, build["context"]))
        assert context == files.REPO
        assert os.path.isfile(os.path.join(context, build["dockerfile"]))
        # one tag, compose and k8s
        assert with_defaults(SERVICES[node]["image"]) == files.parley_container()["image"]
    for name, package in (("redis", "redis-server"), ("nginx", "nginx")):
        build = SERVICES[name]["build"]
        dockerfile = files.dockerfile("deploy", "compose", build["dockerfile"])
        stage = dockerfile.stage(build["target"])
        assert stage[0].arguments.split()[0] == "debian:bookworm-slim"
        installs = [p for i in stage if i.keyword == "RUN" for p in files.apt_installs(i.arguments)]
        assert installs == [package], (name, installs)


def test_redis_keeps_its_data_on_a_named_volume():
    redis = SERVICES["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    data = command[command.index("--dir") + 1]
    (mount,) = redis["volumes"]
    volume, path = mount.split(":")
    assert path == data and volume in COMPOSE["volumes"]
    assert not any(name.startswith("PARLEY_STORAGE_") for name in ENV)  # a cluster keeps none


def test_nginx_runs_the_shipped_conf_pointed_at_both_nodes(tmp_path):
    nginx = SERVICES["nginx"]
    (mount,) = nginx["volumes"]
    source, target, mode = mount.split(":")
    assert os.path.normpath(os.path.join(files.DEPLOY, "compose", source)) == \
        files.repo_path("deploy", "nginx", "parley.conf")
    assert mode == "ro"
    # The container's command, run here on the shipped file, nginx itself left out.
    shell, flag, script = nginx["command"]
    assert (shell, flag) == ("sh", "-c")
    assert script.endswith("&& exec nginx -g 'daemon off;'")
    output = tmp_path / "parley.conf"
    script = script.replace(target, shlex.quote(files.repo_path("deploy", "nginx", "parley.conf")))
    script = script.replace("/etc/nginx/conf.d/parley.conf", shlex.quote(str(output)))
    script = script.replace("exec nginx -g 'daemon off;'", "true")
    subprocess.run(["sh", "-c", script], check=True, timeout=10)
    upstream = re.search(r"upstream parley \{(.*?)\n\}", output.read_text(), re.DOTALL).group(1)
    port = int(re.search(r"--server-port INT\s+\(default (\d+)", files.help_text()).group(1))
    assert re.findall(r"^\s*server (\S+)", upstream, re.MULTILINE) == \
        [f"{node}:{port}" for node in NODES]
    assert set(NODES) <= set(nginx["depends_on"])


def test_tracing_goes_to_the_jaeger_service_otlp_http_port():
    assert ENV["PARLEY_TRACING_ENABLED"] == "true"
    endpoint = urllib.parse.urlsplit(ENV["PARLEY_TRACING_ENDPOINT"])
    assert endpoint.scheme == "http"
    assert endpoint.hostname == "jaeger" and "jaeger" in SERVICES
    assert endpoint.port == 4318 and endpoint.path == "/v1/traces"  # Jaeger's OTLP/HTTP receiver
    assert SERVICES["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    # Spans wait in memory while Jaeger is not up yet: the nodes do not wait for it.
    assert "jaeger" not in PARLEY["depends_on"]


def test_prometheus_scrapes_both_nodes_metrics_port_and_path():
    assert ENV["PARLEY_METRICS_ENABLED"] == "true"
    metrics_port = int(ENV.get("PARLEY_METRICS_PORT", "9797"))
    mounts = SERVICES["prometheus"]["volumes"]
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts
    assert os.path.isfile(os.path.join(files.DEPLOY, "compose", "prometheus.yml"))
    (job,) = files.prometheus_config()["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    targets = [t for group in job["static_configs"] for t in group["targets"]]
    assert targets == [f"{node}:{metrics_port}" for node in NODES]


def test_host_ports_do_not_collide():
    published = [with_defaults(port).rsplit(":", 1)[0] for service in SERVICES.values()
                 for port in service.get("ports", [])]
    assert len(published) == len(set(published)), published
    assert "${CHAT_PORT:-8080}:80" in SERVICES["nginx"]["ports"]


def test_stop_grace_period_covers_the_drain_and_span_flush():
    for node in NODES:
        drain = int(node_env(node)["PARLEY_SERVER_SHUTDOWN_TIMEOUT_MS"]) / 1000
        assert seconds(SERVICES[node]["stop_grace_period"]) > drain + SPAN_FLUSH_MAX_S
