"""Prometheus text format where the manifests say Prometheus scrapes: metrics.port, /metrics.

Serving /metrics is the metrics branch's work. Until it is merged this test fails, on purpose
and with a message saying so: the manifests promise the endpoint, and nothing serves it yet.
"""
import socket

import pytest

import deploy_files as files

CONFIG = files.configmap_toml()


def scrape(port):
    try:
        return files.http_get(f"http://127.0.0.1:{port}/metrics", timeout=3)
    except (OSError, socket.timeout) as error:
        pytest.fail(f"nothing serves /metrics on metrics.port ({error}). Metrics come with the "
                    "metrics branch; this test passes once it is merged.", pytrace=False)


def test_metrics_are_served_where_prometheus_scrapes(start_server, tmp_path):
    path = tmp_path / "parley.toml"
    path.write_text(files.configmap_toml_text())
    port = files.free_port()
    start_server("--config", str(path), listen_args=files.quiet_listen_args(
        "--metrics-port", str(port), "--metrics-bind", "127.0.0.1"))
    status, body, headers = scrape(port)
    assert status == 200
    assert headers.get_content_type() == "text/plain"  # Prometheus text exposition format
    assert b"# TYPE " in body
    assert b"http_requests_total" in body  # DESIGN.md's seed name
