"""Fixtures for the container tests (ctest test `container`, labels `deploy` and `container`):
deploy/Dockerfile, deploy/k8s/ and deploy/compose/ run by a real container engine.

The image under test is deploy/Dockerfile's `runtime` stage plus the release build's binary
(what the Dockerfile's last stage does with the binary its `build` stage compiles, from the same
sources, compiler and Debian packages): compiling a second time inside the image would take
longer than this whole suite may. IMAGE_UNDER_TEST=parley:0.1.0 runs an image built by
`make image` instead.

Where neither podman nor docker can run a container, the run prints a SKIP line saying why and
exits 77, which ctest reports as skipped.
"""
import os
import shutil
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for path in (HERE, os.path.join(HERE, "..", "support"), os.path.join(HERE, "..", "deploy"),
             os.path.join(HERE, "..", "integration", "python")):
    path = os.path.normpath(path)
    if path not in sys.path:
        sys.path.insert(0, path)

import container_engine as ce  # noqa: E402
import deploy_files as files  # noqa: E402
from parley_server import binary_path, built_with_memory_checker  # noqa: E402

SKIPPED = 77  # ctest's SKIP_RETURN_CODE for this test (tests/CMakeLists.txt)
RUNTIME_TAG = "parley-test-runtime:latest"
TEST_TAG = "parley-test:latest"
REPORT = []  # lines for the end of the run: what was measured, what was skipped and why


def report(line):
    REPORT.append(line)


def pytest_sessionstart(session):
    name, why_not = ce.engine_name()
    if name is None:
        pytest.exit(f"SKIP: container tests: {why_not}", returncode=SKIPPED)
    os.environ["CONTAINER_ENGINE"] = name  # later scripts/container calls skip the check


def pytest_terminal_summary(terminalreporter):
    for line in REPORT:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def engine_name():
    return os.environ["CONTAINER_ENGINE"]


def final_stage_copy():
    """(source, destination) of the one COPY of deploy/Dockerfile's last stage, which must be
    `FROM runtime` and nothing else: the image under test repeats exactly that."""
    dockerfile = files.dockerfile()
    last = dockerfile.stage(dockerfile.stages - 1)
    assert [i.keyword for i in last] == ["FROM", "COPY"], last
    assert last[0].arguments == "runtime"
    source, destination = last[1].arguments.split()[1:]
    return source, destination


@pytest.fixture(scope="session")
def image(engine_name, tmp_path_factory):
    """The tag of the image under test, built once per run."""
    wanted = os.environ.get("IMAGE_UNDER_TEST")
    if wanted:
        ce.engine("image", "inspect", wanted)
        return wanted
    binary = binary_path()
    assert not built_with_memory_checker(), "the container tests run the release build only"
    ce.script("base-image")
    # An engine may answer `info` and still be unable to start any container (a sandbox that
    # forbids namespaces, say): that too is "cannot run here", not a failure of Parley's files.
    probe = ce.engine("run", "--rm", "debian:bookworm-slim", "true", check=False)
    if probe.returncode != 0:
        pytest.exit(f"SKIP: container tests: {engine_name} cannot start a container here: "
                    f"{probe.stderr.strip()[-300:]}", returncode=SKIPPED)
    ce.script("image", "--target", "runtime", "-t", RUNTIME_TAG)
    context = tmp_path_factory.mktemp("image-context")
    shutil.copy2(binary, context / "parley")
    _, destination = final_stage_copy()
    (context / "Containerfile").write_text(f"FROM {RUNTIME_TAG}\nCOPY parley {destination}\n")
    options = ["--format", "docker"] if engine_name == "podman" else []
    ce.engine("rmi", TEST_TAG, check=False)  # the last run's, so they do not pile up untagged
    ce.engine("build", *options, "-t", TEST_TAG, "-f", context / "Containerfile", context,
              timeout=300)
    return TEST_TAG
