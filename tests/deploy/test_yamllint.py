"""yamllint, strict (a warning fails too), with the repository's .yamllint, on every YAML file
under deploy/."""
import os
import subprocess

import deploy_files as files


def yaml_files():
    found = []
    for folder, _, names in os.walk(files.DEPLOY):
        found += [os.path.relpath(os.path.join(folder, n), files.REPO) for n in names
                  if n.endswith((".yaml", ".yml"))]
    return sorted(found)


def test_every_yaml_file_under_deploy_lints_clean():
    paths = yaml_files()
    assert {"deploy/k8s/deployment.yaml", "deploy/compose/docker-compose.yml",
            "deploy/compose/prometheus.yml", "deploy/elk/filebeat.yml"} <= set(paths), paths
    result = subprocess.run(["yamllint", "--strict", "--format", "parsable", "-c", ".yamllint",
                             *paths, ".yamllint"], cwd=files.REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_reports_a_warning_as_a_failure(tmp_path):
    """The lint above would pass vacuously if --strict did not fail on warnings."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: value\n")  # no '---': a document-start warning
    result = subprocess.run(["yamllint", "--strict", "-c", files.repo_path(".yamllint"), str(bad)],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "document-start" in result.stdout
