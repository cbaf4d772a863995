"""deploy/k8s/ run by `podman kube play`: the ConfigMap, Deployment and Service as shipped, with
two changes a kubelet would not need: the image under test, and each container port published
on a free loopback port (podman publishes a container port on the same host port otherwise,
and 9090 may be taken here). The chat check of test_image_runs.py, through the pod; the root
file system is read-only and history goes to the pod's volume; stopping the pod drains it."""
import asyncio

import pytest
import yaml

import container_engine as ce
import deploy_files as files
from parley_client import closed, join, recv

ROOM = "deploy-check"
PLAYED = ("configmap.yaml", "deployment.yaml", "service.yaml")  # podman has no Ingress


@pytest.fixture(scope="module")
def pod(engine_name, image, tmp_path_factory):
    """{"pod": id, "container": id, "http": Endpoint, "manifest": path}: the played pod."""
    if engine_name != "podman":
        pytest.skip(f"{engine_name} cannot play Kubernetes YAML (podman kube play can)")
    documents = [doc for name in PLAYED for doc in files.yaml_documents("deploy", "k8s", name)]
    deployment = next(doc for doc in documents if doc["kind"] == "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    container["image"] = image
    host_ports = {}
    for port in container["ports"]:
        port["hostIP"] = "127.0.0.1"
        port["hostPort"] = host_ports[port["name"]] = files.free_port()
    manifest = tmp_path_factory.mktemp("kube") / "parley.yaml"
    manifest.write_text(yaml.safe_dump_all(documents))

    played = ce.engine("kube", "play", "--replace", manifest).stdout
    pod_id = played.split("Pod:")[1].split()[0]
    container_id = played.split("Container:")[1].split()[0]
    try:
        ce.wait_for_log(container_id, r"listening on http://0\.0\.0\.0:9090/")
        yield {"pod": pod_id, "container": container_id, "manifest": manifest,
               "http": ce.Endpoint(host_ports["http"], host_ports["metrics"])}
    finally:
        print(f"---- pod output ----\n{ce.logs(container_id)}")  # gone after the last test
        ce.engine("kube", "down", manifest, check=False)
        # kube play keeps each ConfigMap it mounts in a volume of that name; kube down does not
        # remove it (podman 4.3).
        for doc in documents:
            if doc["kind"] == "ConfigMap":
                ce.engine("volume", "rm", doc["metadata"]["name"], check=False)


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


def test_the_root_is_read_only_and_history_goes_to_the_pods_volume(pod):
    container = pod["container"]
    assert ce.inspect("container", container, "{{.HostConfig.ReadonlyRootfs}}") == "true"
    assert ce.engine("exec", container, "touch", "/usr/local/x", check=False).returncode != 0
    path = files.configmap_toml()["storage"]["path"]
    mounts = ce.inspect("container", container, "{{range .Mounts}}{{.Destination}} {{end}}")
    assert [m for m in mounts.split() if path.startswith(m + "/")], (path, mounts)
    listing = ce.engine("exec", container, "ls", path).stdout.split()
    assert "parley.db" in listing and "parley.lock" in listing, listing


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
