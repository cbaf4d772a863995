"""deploy/compose/: the PARLEY_* variables are real keys the binary accepts, the build points at
deploy/Dockerfile, tracing goes to the Jaeger service's OTLP/HTTP port, Prometheus scrapes
Parley's metrics port, and the host ports do not collide."""
import os
import re
import urllib.parse

import deploy_files as files

COMPOSE = files.compose()
SERVICES = COMPOSE["services"]
PARLEY = SERVICES["parley"]
ENV = {name: str(value) for name, value in PARLEY["environment"].items()}
SPAN_FLUSH_MAX_S = 5  # docs/tracing.md


def seconds(duration):
    match = re.fullmatch(r"(\d+)(ms|s|m)", duration)
    value, unit = int(match.group(1)), match.group(2)
    return value / 1000 if unit == "ms" else value * (60 if unit == "m" else 1)


def test_services_are_parley_jaeger_and_prometheus():
    assert set(SERVICES) == {"parley", "jaeger", "prometheus"}
    assert SERVICES["jaeger"]["image"].startswith("jaegertracing/all-in-one:")
    assert SERVICES["prometheus"]["image"].startswith("prom/prometheus:")
    for name, service in SERVICES.items():
        assert not service["image"].endswith(":latest"), f"{name}: pin a version"


def test_every_parley_variable_is_a_configuration_key():
    known = files.env_to_key()
    unknown = [name for name in ENV if name not in known]
    assert not unknown, f"not configuration variables (parley --help lists them): {unknown}"
    assert ENV, "the compose file configures nothing"


def test_the_binary_starts_with_the_compose_environment(start_server):
    # The variables as compose passes them; flags move the ports to free loopback ones (flags
    # win over the environment), everything else comes from the file.
    server = start_server(env=ENV, listen_args=files.quiet_listen_args(
        "--metrics-port", str(files.free_port()), "--metrics-bind", "127.0.0.1"))
    assert files.http_get(f"{server.http_url}/healthz")[0] == 200
    assert server.wait_for_line(r"exporting spans to http://jaeger:4318/v1/traces", 5)


def test_build_uses_deploy_dockerfile_from_the_repository_root():
    here = os.path.join(files.DEPLOY, "compose")
    context = os.path.normpath(os.path.join(here, PARLEY["build"]["context"]))
    assert context == files.REPO
    assert os.path.isfile(os.path.join(context, PARLEY["build"]["dockerfile"]))
    assert PARLEY["image"] == files.parley_container()["image"]  # one tag, compose and k8s


def test_tracing_goes_to_the_jaeger_service_otlp_http_port():
    assert ENV["PARLEY_TRACING_ENABLED"] == "true"
    endpoint = urllib.parse.urlsplit(ENV["PARLEY_TRACING_ENDPOINT"])
    assert endpoint.scheme == "http"
    assert endpoint.hostname == "jaeger" and "jaeger" in SERVICES
    assert endpoint.port == 4318 and endpoint.path == "/v1/traces"  # Jaeger's OTLP/HTTP receiver
    assert SERVICES["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    assert "jaeger" in PARLEY["depends_on"]


def test_prometheus_scrapes_parleys_metrics_port_and_path():
    assert ENV["PARLEY_METRICS_ENABLED"] == "true"
    metrics_port = int(ENV.get("PARLEY_METRICS_PORT", "9797"))
    mounts = SERVICES["prometheus"]["volumes"]
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts
    assert os.path.isfile(os.path.join(files.DEPLOY, "compose", "prometheus.yml"))
    (job,) = files.prometheus_config()["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    (target,) = [t for group in job["static_configs"] for t in group["targets"]]
    host, port = target.split(":")
    assert host == "parley" and int(port) == metrics_port


def test_host_ports_do_not_collide():
    published = [port.split(":")[0] for service in SERVICES.values()
                 for port in service.get("ports", [])]
    assert len(published) == len(set(published)), published
    assert "9090:9090" in PARLEY["ports"]


def test_stop_grace_period_covers_the_drain_and_span_flush():
    drain = int(ENV["PARLEY_SERVER_SHUTDOWN_TIMEOUT_MS"]) / 1000
    assert seconds(PARLEY["stop_grace_period"]) > drain + SPAN_FLUSH_MAX_S


def test_history_outlives_the_container_in_a_named_volume():
    workdir = files.dockerfile().final("WORKDIR")  # storage.path is ./parley-data under it
    (mount,) = [v for v in PARLEY["volumes"] if v.endswith(":" + workdir)]
    volume = mount.split(":")[0]
    assert volume in COMPOSE["volumes"], COMPOSE.get("volumes")
    assert not any(name.startswith("PARLEY_STORAGE_") for name in ENV)
