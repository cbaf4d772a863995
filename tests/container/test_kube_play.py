"""deploy/k8s/ run by `podman kube play`: redis.yaml (claim, Deployment, Service), then Parley's
ConfigMap, Deployment and Service as shipped, with changes a kubelet would not need: the images
under test (Parley's, and Redis from Debian's package: deploy/compose/services.Dockerfile, as no
registry is reachable here), each container port published on a free loopback port (podman
publishes a container port on the same host port otherwise, and 9090 may be taken here), and
the Redis Service's name as a host alias of the Redis pod (podman has no cluster DNS), and one
replica of the three (each of podman's pods would publish the same host ports). The chat check of test_image_runs.py, through the pod; the
root file system is read-only and history goes to Redis's volume; stopping the pod drains it."""
import asyncio
import threading
import time
import urllib.parse

import pytest
import yaml

import container_engine as ce
import deploy_files as files
from parley_client import closed, join, recv

ROOM = "deploy-check"
PLAYED = ("configmap.yaml", "deployment.yaml", "service.yaml")  # podman has no Ingress, PDB
REDIS_IMAGE = "parley-test-redis:latest"
SERVICES_DOCKERFILE = files.repo_path("deploy", "compose", "services.Dockerfile")


def kube_down(manifest, documents):
    ce.engine("kube", "down", manifest, check=False)
    # kube play keeps each ConfigMap it mounts, and each claim, in a volume of that name;
    # kube down does not remove them (podman 4.3).
    for doc in documents:
        if doc["kind"] in ("ConfigMap", "PersistentVolumeClaim"):
            ce.engine("volume", "rm", "-f", doc["metadata"]["name"], check=False)


def pod_address(pod_id):
    infra = ce.engine("pod", "inspect", "--format", "{{.InfraContainerID}}", pod_id).stdout.strip()
    return ce.inspect("container", infra,
                      "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}")


@pytest.fixture(scope="module")
def redis(engine_name, image, tmp_path_factory):
    """{"pod": id, "container": id, "address": IP}: redis.yaml played, its image Debian's."""
    if engine_name != "podman":
        pytest.skip(f"{engine_name} cannot play Kubernetes YAML (podman kube play can)")
    ce.engine("build", "--target", "redis", "-t", REDIS_IMAGE, "-f", SERVICES_DOCKERFILE,
              files.repo_path("deploy", "compose"), timeout=300)
    documents = files.yaml_documents("deploy", "k8s", "redis.yaml")
    deployment = next(doc for doc in documents if doc["kind"] == "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    container["image"] = REDIS_IMAGE
    manifest = tmp_path_factory.mktemp("kube-redis") / "redis.yaml"
    manifest.write_text(yaml.safe_dump_all(documents))
    kube_down(manifest, documents)  # what a killed run left
    container_id = None
    try:
        played = ce.engine("kube", "play", "--replace", manifest).stdout
        pod_id = played.split("Pod:")[1].split()[0]
        container_id = played.split("Container:")[1].split()[0]
        ce.wait_for_log(container_id, r"Ready to accept connections")
        yield {"pod": pod_id, "container": container_id, "address": pod_address(pod_id)}
    finally:
        if container_id:
            print(f"---- redis pod output ----\n{ce.logs(container_id)[-3000:]}")
        kube_down(manifest, documents)


@pytest.fixture(scope="module")
def pod(engine_name, image, redis, tmp_path_factory):
    """{"pod": id, "container": id, "http": Endpoint, "manifest": path}: the played pod."""
    documents = [doc for name in PLAYED for doc in files.yaml_documents("deploy", "k8s", name)]
    deployment = next(doc for doc in documents if doc["kind"] == "Deployment")
    service = urllib.parse.urlsplit(files.configmap_toml()["cluster"]["redis"]).hostname
    deployment["spec"]["replicas"] = 1
    deployment["spec"]["template"]["spec"]["hostAliases"] = [
        {"ip": redis["address"], "hostnames": [service]}]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    container["image"] = image
    host_ports = {}
    for port in container["ports"]:
        port["hostIP"] = "127.0.0.1"
        port["hostPort"] = host_ports[port["name"]] = files.free_port()
    manifest = tmp_path_factory.mktemp("kube") / "parley.yaml"
    manifest.write_text(yaml.safe_dump_all(documents))

    kube_down(manifest, documents)  # what a killed run left
    container_id = None
    try:
        played = ce.engine("kube", "play", "--replace", manifest).stdout
        pod_id = played.split("Pod:")[1].split()[0]
        container_id = played.split("Container:")[1].split()[0]
        ce.wait_for_log(container_id, r"listening on http://0\.0\.0\.0:9090/")
        endpoint = ce.Endpoint(host_ports["http"], host_ports["metrics"])
        # Ready once both its Redis connections are up, a moment after it listens: what the
        # readiness probe waits for.
        deadline = time.monotonic() + 30
        while (status := ce.http_get(f"{endpoint.http_url}/readyz")[0]) != 200:
            assert time.monotonic() < deadline, f"/readyz: {status}"
            threading.Event().wait(0.2)
        yield {"pod": pod_id, "container": container_id, "manifest": manifest, "http": endpoint}
    finally:
        if container_id:  # gone after the last test
            print(f"---- pod output ----\n{ce.logs(container_id)}")
        kube_down(manifest, documents)


def test_the_pod_serves_probes_chat_and_metrics_through_its_port_mapping(pod):
    endpoint = pod["http"]
    for path in ("/healthz", "/readyz"):  # the Deployment's probes
        assert ce.http_get(f"{endpoint.http_url}{path}")[0] == 200, path

    async def chat():
        alice = await join(endpoint, "alice", query=f"room={ROOM}")
        bob = await join(endpoint, "bob", query=f"room={ROOM}")
        assert await recv(alice) == "bob connected to chat"
        await alice.send("hello from the pod")
        assert await recv(bob) == "alice: hello from the pod"
        await asyncio.gather(alice.close(), bob.close())
    asyncio.run(chat())
    status, body = ce.http_get(f"http://127.0.0.1:{endpoint.metrics_port}/metrics")
    assert status == 200 and "parley_messages_received_total 1" in body.splitlines()


def test_the_root_is_read_only_and_history_goes_to_redis_on_its_volume(pod, redis):
    container = pod["container"]
    assert ce.inspect("container", container, "{{.HostConfig.ReadonlyRootfs}}") == "true"
    assert ce.engine("exec", container, "touch", "/usr/local/x", check=False).returncode != 0
    assert ce.wait_for_log(container, r"cluster: connected to Redis parley-redis:6379")
    # The chat of the first test is in the room's stream, in Redis's append-only file.
    stream = ce.engine("exec", redis["container"], "redis-cli", "XLEN",
                       f"parley:{{{ROOM}}}:stream").stdout.strip()
    assert int(stream) >= 3, stream  # two joins and a message at least
    redis_mounts = ce.inspect("container", redis["container"],
                              "{{range .Mounts}}{{.Destination}} {{end}}").split()
    assert "/data" in redis_mounts, redis_mounts
    listing = ce.engine("exec", redis["container"], "ls", "/data").stdout.split()
    assert "appendonlydir" in listing, listing


def test_stopping_the_pod_closes_users_with_1001_and_kube_down_removes_it(pod):
    """`pod stop` is what a kubelet does to a terminating pod: SIGTERM, the drain, exit 0.
    (Podman 4.3's `kube down` removes a running pod without stopping it first, which cuts the
    connections: its users would see 1006, so the pod is stopped before it.)"""
    endpoint = pod["http"]
    grace = files.deployment()["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]

    async def scenario():
        alice = await join(endpoint, "alice", query=f"room={ROOM}")
        loop = asyncio.get_running_loop()
        stopping = loop.run_in_executor(None, lambda: ce.engine(
            "pod", "stop", "-t", str(grace), pod["pod"], timeout=grace + 30))
        code, reason, _ = await closed(alice, timeout=grace)
        assert (code, reason) == (1001, "Server is shutting down.")
        await stopping
    asyncio.run(scenario())
    assert ce.exit_code(pod["container"]) == 0, ce.logs(pod["container"])
    ce.engine("kube", "down", pod["manifest"])
    assert ce.engine("pod", "exists", pod["pod"], check=False).returncode == 1
