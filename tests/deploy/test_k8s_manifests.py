"""deploy/k8s/ against the binary: the ConfigMap's parley.toml starts the real server (a node of a
cluster, on a real redis-server standing in for the Redis Service), every probe path answers 200
on the port the manifests name, readiness follows Redis, and the ports, names, user, grace
period, replicas and timeouts agree with each other and with the server's behaviour."""
import asyncio
import math
import os
import re

import urllib.parse

import pytest

import deploy_files as files
from parley_client import RawWs, closed, http_request, join, recv, upgrade_headers
from redis_server import RedisServer

CONFIG = files.configmap_toml()
CONTAINER = files.parley_container()
POD = files.deployment()["spec"]["template"]
REDIS = files.deployment("parley-redis")["spec"]["template"]
(REDIS_CONTAINER,) = REDIS["spec"]["containers"]
PROBES = {name: CONTAINER[name] for name in ("readinessProbe", "livenessProbe", "startupProbe")
          if name in CONTAINER}
# docs/tracing.md: after the drain the span exporter gets 2 s, 5 s if a request to a hung
# collector was under way. The grace period must leave room for the worst case.
SPAN_FLUSH_MAX_S = 5


@pytest.fixture
def redis():
    """The Redis the ConfigMap's cluster.redis names, as a real redis-server on loopback."""
    with RedisServer() as server:
        yield server


def start_with_configmap(start_server, tmp_path, redis, *extra, node_id="parley-0"):
    """A node as a pod of the Deployment starts it: the ConfigMap's file, the pod name as
    PARLEY_CLUSTER_NODE_ID, and the test's Redis in place of the Service's address."""
    path = tmp_path / "parley.toml"
    path.write_text(files.configmap_toml_text())
    server = start_server("--config", str(path), "--cluster-redis", redis.url, *extra,
                          env={"PARLEY_CLUSTER_NODE_ID": node_id},
                          listen_args=files.quiet_listen_args(
                              "--metrics-port", str(files.free_port()), "--metrics-bind",
                              "127.0.0.1"))
    # The Service sends users to a pod once its readiness probe passes: once both its Redis
    # connections are up, a moment after it listens.
    assert files.wait_for_status(f"{server.http_url}/readyz", 200)
    return server


def test_manifests_hold_parley_and_its_redis_a_budget_and_an_ingress():
    kinds = {kind: len(objects) for kind, objects in files.k8s_objects().items()}
    assert kinds == {"ConfigMap": 1, "Deployment": 2, "Service": 2, "Ingress": 1,
                     "PodDisruptionBudget": 1, "PersistentVolumeClaim": 1}, kinds
    assert files.k8s_named("Service", "parley")["spec"]["type"] == "NodePort"
    assert files.k8s_named("Service", "parley-redis")["spec"].get("type", "ClusterIP") == \
        "ClusterIP"  # only the Parley pods reach Redis


def test_configmap_parley_toml_starts_the_server_and_every_probe_answers_200(start_server,
                                                                             tmp_path, redis):
    server = start_with_configmap(start_server, tmp_path, redis)
    assert PROBES.keys() >= {"readinessProbe", "livenessProbe"}
    for name, probe in PROBES.items():
        path = probe["httpGet"]["path"]
        # Ready once both its Redis connections are up, as the kubelet would find it.
        assert files.wait_for_status(f"{server.http_url}{path}", 200), \
            f"{name} {path}: {files.http_get(f'{server.http_url}{path}')[:2]}"
    assert PROBES["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert PROBES["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_probes_and_container_port_are_the_port_the_config_listens_on():
    port = CONFIG["server"]["port"]
    assert files.container_port(CONTAINER, "http") == port
    for name, probe in PROBES.items():
        assert files.container_port(CONTAINER, probe["httpGet"]["port"]) == port, name
    assert CONFIG["server"]["bind"] == "0.0.0.0"  # probes come from the kubelet, not loopback


def test_args_mount_and_configmap_name_the_same_file():
    args = CONTAINER["args"]
    assert args[0] == "--config" and "--config" in files.flag_names()
    assert os.path.dirname(args[1]) in [m["mountPath"] for m in CONTAINER["volumeMounts"]]
    assert "[server]" in files.configmap_toml_text()


def test_service_and_ingress_route_to_the_http_port():
    service = files.k8s_named("Service", "parley")
    ingress = files.k8s_one("Ingress")
    (service_port,) = service["spec"]["ports"]
    assert files.container_port(CONTAINER, service_port["targetPort"]) == CONFIG["server"]["port"]
    assert 30000 <= service_port["nodePort"] <= 32767
    # The Service selects the Deployment's pods, and the Deployment owns them.
    assert service["spec"]["selector"].items() <= POD["metadata"]["labels"].items()
    owned = files.deployment()["spec"]["selector"]["matchLabels"]
    assert owned.items() <= POD["metadata"]["labels"].items()
    backends = [path["backend"]["service"] for rule in ingress["spec"]["rules"]
                for path in rule["http"]["paths"]]
    for backend in backends:
        assert backend["name"] == service["metadata"]["name"]
        port = backend["port"]
        assert (port.get("name") == service_port["name"]
                or port.get("number") == service_port["port"])


def test_grace_period_covers_prestop_drain_and_span_flush():
    grace = POD["spec"]["terminationGracePeriodSeconds"]
    command = CONTAINER["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "/bin/sleep"
    # sleep is in the image: coreutils is Essential, so debian:bookworm-slim has it.
    assert files.package_of(command[0]) in files.base_image_packages()
    pre_stop = float(command[1])
    drain = CONFIG["server"]["shutdown_timeout_ms"] / 1000
    assert grace > pre_stop + drain + SPAN_FLUSH_MAX_S, (grace, pre_stop, drain)
    assert drain >= 10, "a drain shorter than the clients' close handshakes is no drain"


def test_rolling_update_adds_the_new_pod_before_stopping_the_old_one():
    strategy = files.deployment()["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0
    assert strategy["rollingUpdate"]["maxSurge"] >= 1


def test_three_replicas_share_their_rooms_through_the_redis_service():
    assert files.deployment()["spec"]["replicas"] == 3
    url = urllib.parse.urlsplit(CONFIG["cluster"]["redis"])
    service = files.k8s_named("Service", "parley-redis")
    (port,) = service["spec"]["ports"]
    assert (url.scheme, url.hostname, url.port) == ("redis", service["metadata"]["name"],
                                                    port["port"])
    assert service["spec"]["selector"].items() <= REDIS["metadata"]["labels"].items()
    assert files.container_port(REDIS_CONTAINER, port["targetPort"]) == 6379
    assert "storage" not in CONFIG, "a cluster keeps history in Redis, not in the pods"


def test_each_node_is_named_after_its_pod():
    (variable,) = [e for e in CONTAINER["env"] if e["name"] == "PARLEY_CLUSTER_NODE_ID"]
    assert variable["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert variable["name"] == files.config_keys()["cluster.node_id"].env


def test_voluntary_disruptions_leave_all_but_one_pod_serving():
    budget = files.k8s_one("PodDisruptionBudget")["spec"]
    assert budget["selector"]["matchLabels"].items() <= POD["metadata"]["labels"].items()
    assert budget["maxUnavailable"] == 1 < files.deployment()["spec"]["replicas"]


def test_redis_keeps_its_data_on_the_claim_and_one_pod_at_a_time_uses_it():
    args = REDIS_CONTAINER["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    (mount,) = REDIS_CONTAINER["volumeMounts"]
    assert args[args.index("--dir") + 1] == mount["mountPath"]
    (volume,) = [v for v in REDIS["spec"]["volumes"] if v["name"] == mount["name"]]
    claim = files.k8s_named("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    redis = files.deployment("parley-redis")["spec"]
    assert redis["replicas"] == 1 and redis["strategy"]["type"] == "Recreate"
    security = REDIS["spec"]["securityContext"]
    assert security["runAsNonRoot"] and security["fsGroup"] == security["runAsUser"]


def test_the_ingress_controller_is_a_trusted_proxy():
    networks = [n.strip() for n in CONFIG["security"]["trusted_proxies"].split(",")]
    assert networks and not {"0.0.0.0/0", "::/0"} & set(networks), networks
    assert "trusted_proxies" in files.config_keys()["security.trusted_proxies"].name


def test_readiness_follows_redis_and_liveness_does_not(start_server, tmp_path, redis):
    """A pod that has lost Redis leaves the Service (its sends would be refused) and is not
    restarted (that would not bring Redis back); it is ready again once Redis is."""
    server = start_with_configmap(start_server, tmp_path, redis)
    ready, live = (CONTAINER[p]["httpGet"]["path"] for p in ("readinessProbe", "livenessProbe"))
    assert files.wait_for_status(f"{server.http_url}{ready}", 200)
    redis.stop()
    assert files.wait_for_status(f"{server.http_url}{ready}", 503)
    assert files.http_get(f"{server.http_url}{live}")[0] == 200
    redis.start_again()
    assert files.wait_for_status(f"{server.http_url}{ready}", 200)


def test_ingress_timeouts_outlast_the_ping_interval():
    annotations = files.k8s_one("Ingress")["metadata"]["annotations"]
    ping_s = CONFIG.get("limits", {}).get("ping_interval_ms", 30000) / 1000  # the default
    assert ping_s > 0, "with pings off, a quiet chat meets the proxy's timeout"
    for name in ("proxy-read-timeout", "proxy-send-timeout"):
        timeout = int(annotations[f"nginx.ingress.kubernetes.io/{name}"])
        # A quiet connection is pinged after one interval; twice that covers the pong too.
        assert timeout > 2 * ping_s, (name, timeout)


def test_pod_runs_as_the_images_non_root_user_with_a_read_only_root():
    uid, gid = (int(x) for x in files.dockerfile().final("USER").split(":"))
    security = POD["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True
    assert (security["runAsUser"], security["runAsGroup"]) == (uid, gid)
    container_security = CONTAINER["securityContext"]
    assert container_security["readOnlyRootFilesystem"] is True  # Parley logs to stdout here
    assert container_security["allowPrivilegeEscalation"] is False
    assert CONFIG.get("log", {}).get("file", "") == ""


def cpu_cores(quantity):
    quantity = str(quantity)
    return int(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def test_event_loops_match_the_cpu_limit_and_resources_are_bounded():
    resources = CONTAINER["resources"]
    assert resources["requests"].keys() >= {"cpu", "memory"}
    assert resources["limits"].keys() >= {"cpu", "memory"}
    threads = CONFIG["server"]["threads"]
    # 0 would mean one loop per core of the node, whatever the pod's limit.
    assert threads == math.ceil(cpu_cores(resources["limits"]["cpu"])), threads
    assert cpu_cores(resources["requests"]["cpu"]) <= cpu_cores(resources["limits"]["cpu"])


def test_metrics_port_and_path_agree_across_config_container_and_annotations():
    annotations = POD["metadata"]["annotations"]
    assert CONFIG["metrics"]["enabled"] is True
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == CONFIG["metrics"]["port"]
    assert files.container_port(CONTAINER, "metrics") == CONFIG["metrics"]["port"]
    assert annotations["prometheus.io/path"] == "/metrics"


def test_image_is_the_version_cmake_builds():
    version = re.search(r"project\(parley VERSION (\S+)", files.read("CMakeLists.txt")).group(1)
    assert CONTAINER["image"] == f"parley:{version}"


def test_rolling_update_moves_users_to_the_new_pod_with_one_reconnect(start_server, tmp_path,
                                                                     redis):
    """The upgrade, in small: old and new pod run the ConfigMap's configuration on one Redis;
    the new one is ready; SIGTERM to the old one closes its users with 1001 and a reason and it
    exits 0; they reconnect to the new one under the same names. (/readyz turning 503 during the
    drain: tests/integration/python/test_shutdown.py.)"""
    old = start_with_configmap(start_server, tmp_path, redis, node_id="parley-old")
    new = start_with_configmap(start_server, tmp_path, redis, node_id="parley-new")
    assert files.wait_for_status(f"{new.http_url}/readyz", 200)

    async def scenario():
        alice = await join(old, "alice")
        bob = await join(old, "bob")
        assert await recv(alice) == "bob connected to chat"
        loop = asyncio.get_running_loop()
        exiting = loop.run_in_executor(None, old.terminate, 30)
        results = await asyncio.gather(closed(alice), closed(bob))
        assert [(code, reason) for code, reason, _ in results] == [
            (1001, "Server is shutting down.")] * 2
        assert await exiting == 0
        alice = await join(new, "alice")
        await alice.send("back")
        assert await recv(alice) == "alice: back"
        bob = await join(new, "bob")
        assert await recv(alice) == "bob connected to chat"
        await alice.send("hello bob")
        # A legacy client gets no history: bob's first message after the greeting is the next.
        assert await recv(bob) == "alice: hello bob"
        await asyncio.gather(alice.close(), bob.close())
    asyncio.run(scenario())


def test_a_draining_pod_refuses_new_users_and_stays_alive(start_server, tmp_path, redis):
    """While the old pod drains (here held open by a client that never answers the close),
    /readyz says 503, an upgrade gets 503, and /healthz still says 200, so the liveness probe
    does not restart a pod that is only draining."""
    server = start_with_configmap(start_server, tmp_path, redis)

    async def scenario():
        mute = await RawWs.join(server, "mute")
        loop = asyncio.get_running_loop()
        exiting = loop.run_in_executor(None, server.terminate, 30)
        code, _, _ = await mute.expect_close(timeout=5)
        assert code == 1001  # draining has begun

        def probe(path, headers=None):
            return http_request(server, "GET", path, headers).status
        assert await loop.run_in_executor(None, probe, "/readyz") == 503
        assert await loop.run_in_executor(None, probe, "/chat/late", upgrade_headers()) == 503
        assert await loop.run_in_executor(None, probe, "/healthz") == 200
        mute.close_tcp()
        assert await exiting == 0
    asyncio.run(scenario())
