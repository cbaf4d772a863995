"""The history store at start-up: a folder it cannot use stops the server with one clear line,
and two servers never share one folder (their ids would collide)."""
import os
import subprocess

import pytest

from parley_server import LOOPBACK_ANY_PORT, ParleyServer, binary_path, server_environment


def start_refused(*args):
    """Runs parley, which must fail to start; returns (exit code, stderr)."""
    result = subprocess.run([binary_path(), *LOOPBACK_ANY_PORT, *args], env=server_environment(),
                            capture_output=True, text=True, timeout=20)
    return result.returncode, result.stderr


def test_a_path_under_a_regular_file_stops_start_up_with_one_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    code, err = start_refused("--storage-path", str(blocker / "data"))
    assert code == 1, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"parley: storage.path: cannot use '{blocker / 'data'}': "), err


def test_a_read_only_folder_stops_start_up(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    os.chmod(folder, 0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user writes into read-only folders (root): nothing to refuse")
        code, err = start_refused("--storage-path", str(folder))
        assert code == 1, err
        assert "storage.path: cannot use" in err
    finally:
        os.chmod(folder, 0o755)


def test_a_second_server_on_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    with ParleyServer("--storage-path", str(tmp_path)):
        code, err = start_refused("--storage-path", str(tmp_path))
        assert code == 1, err
        assert err == (f"parley: storage.path: cannot use '{tmp_path}': "
                       "another parley process uses this folder\n")
    # Once the first has stopped, the folder is free again.
    with ParleyServer("--storage-path", str(tmp_path)) as again:
        assert again.port


def test_the_memory_engine_makes_no_folder(tmp_path):
    folder = tmp_path / "never-made"
    with ParleyServer("--storage-engine", "memory", "--storage-path", str(folder)) as server:
        assert server.port
    assert not folder.exists()
