"""Configuration from a TOML file, PARLEY_* variables and flags: flags > env > file > defaults.

The server's "listening on http://ADDRESS:PORT/" line shows which server.bind and server.port
won, so each test gives them from different sources (127.0.0.x are all loopback addresses).
"""
import os
import re
import subprocess

import pytest

from parley_server import LISTENING, ParleyServer, binary_path, server_environment

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
LISTENING_ON = re.compile(r"listening on http://([^\s/]+):(\d+)/")


def write(tmp_path, text, name="parley.toml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def listening(server):
    match = server.wait_for_line(LISTENING_ON, 5)
    return match.group(1), int(match.group(2))


def refused(*args, env=None):
    """Runs parley, which must refuse to start; returns (exit code, stdout, stderr)."""
    result = subprocess.run([binary_path(), *args], env=server_environment(env),
                            capture_output=True, text=True, timeout=20)
    return result.returncode, result.stdout, result.stderr


def assert_refused_with(expected, *args, env=None):
    code, out, err = refused(*args, env=env)
    assert code == 2, f"exit code {code}; stderr: {err!r}"
    assert out == ""
    assert err == f"parley: {expected}\n", "want one line on stderr"


def documented_keys():
    """Keys, flags and variables from docs/configuration.md (a unit test checks it against the code)."""
    row = re.compile(r"^\| `([a-z_]+\.[a-z_]+)` \| `(--[a-z-]+)`.*?\| `(PARLEY_[A-Z_]+)` \|")
    with open(os.path.join(REPO, "docs", "configuration.md")) as doc:
        return [m.groups() for m in map(row.match, doc) if m]


# ---------------------------------------------------------------- sources and precedence


def test_file_sets_port_and_address(start_server, tmp_path):
    path = write(tmp_path, '[server]\nport = 0\nbind = "127.0.0.2"\n')
    server = start_server("--config", path, listen_args=())
    address, port = listening(server)
    assert address == "127.0.0.2"
    assert port not in (0, 9090)  # port 0 from the file, not the default 9090


def test_parley_config_names_the_file(start_server, tmp_path):
    path = write(tmp_path, '[server]\nport = 0\nbind = "127.0.0.2"\n')
    server = start_server(listen_args=(), env={"PARLEY_CONFIG": path})
    assert listening(server)[0] == "127.0.0.2"


def test_environment_overrides_the_file(start_server, tmp_path):
    path = write(tmp_path, '[server]\nport = 0\nbind = "127.0.0.2"\n')
    server = start_server("--config", path, listen_args=(), env={"PARLEY_SERVER_BIND": "127.0.0.3"})
    assert listening(server)[0] == "127.0.0.3"


def test_flag_overrides_the_environment_and_the_file(start_server, tmp_path):
    path = write(tmp_path, '[server]\nport = 9\nbind = "127.0.0.2"\n')
    server = start_server("--config", path, "--server-bind", "127.0.0.1", listen_args=(),
                          env={"PARLEY_SERVER_BIND": "127.0.0.3", "PARLEY_SERVER_PORT": "0"})
    address, port = listening(server)
    assert address == "127.0.0.1"   # flag over env over file
    assert port not in (9, 9090)    # env over file


def test_old_flag_names_still_work(start_server):
    server = start_server(listen_args=("--port", "0", "--bind", "127.0.0.3"))
    assert listening(server)[0] == "127.0.0.3"


def test_sample_parley_toml_starts_the_server(start_server):
    # The repository's sample turns on metrics and tracing, as the tutorial's ballerina.conf did;
    # the metrics port is moved off its fixed default so parallel runs cannot collide.
    server = start_server("--config", os.path.join(REPO, "parley.toml"), "--metrics-port", "0",
                          "--metrics-bind", "127.0.0.1")
    assert listening(server)[0] == "127.0.0.1"
    assert server.proc.poll() is None


def test_help_lists_every_key_and_exits_0():
    result = subprocess.run([binary_path(), "--help"], env=server_environment(),
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0
    assert result.stderr == ""
    keys = documented_keys()
    assert len(keys) >= 24
    for key, flag, env in keys:
        assert re.search(rf"^  {re.escape(flag)}[\s\[]", result.stdout, re.M), f"{flag} ({key}) not in --help"
    assert "PARLEY_" in result.stdout and "--config FILE" in result.stdout


def test_every_documented_variable_is_accepted(start_server):
    server = start_server(env={"PARLEY_LOG_ACCESS": "false", "PARLEY_METRICS_PORT": "0",
                               "PARLEY_TRACING_SAMPLE_RATIO": "0.5", "PARLEY_LOG_LEVEL": "debug"})
    assert listening(server)


# ---------------------------------------------------------------- refusals: one line, exit 2


def test_value_out_of_range_in_the_file(tmp_path):
    path = write(tmp_path, "[limits]\nmax_queued_bytes = 12\n")
    assert_refused_with(f"{path}: limits.max_queued_bytes = 12: must be between 1024 and 17179869184",
                        "--config", path)


def test_unknown_key_in_the_file(tmp_path):
    path = write(tmp_path, "[server]\nprot = 9090\n")
    assert_refused_with(f"{path}: unknown key 'server.prot' (docs/configuration.md lists the keys)",
                        "--config", path)


def test_unknown_table_in_the_file(tmp_path):
    # The tutorial's own spelling is not ours: it must not be ignored silently either.
    path = write(tmp_path, "[b7a.observability.metrics]\nenabled=true\n")
    assert_refused_with(f"{path}: unknown table 'b7a' (docs/configuration.md lists the keys)",
                        "--config", path)


def test_wrong_type_in_the_file(tmp_path):
    path = write(tmp_path, '[server]\nport = "9090"\n')
    assert_refused_with(f'{path}: server.port = "9090": must be a whole number, not a string',
                        "--config", path)


def test_toml_syntax_error_with_line_and_column(tmp_path):
    path = write(tmp_path, "[metrics]\nenabled = tru\n")
    code, out, err = refused("--config", path)
    assert code == 2 and out == ""
    assert err.startswith(f"parley: {path}:2:14: ") and err.count("\n") == 1, err


def test_missing_file():
    assert_refused_with("/nonexistent/parley.toml: cannot read: No such file or directory",
                        "--config", "/nonexistent/parley.toml")


def test_environment_value_not_a_number():
    assert_refused_with("PARLEY_SERVER_PORT='abc': not a number", env={"PARLEY_SERVER_PORT": "abc"})


def test_environment_value_out_of_range():
    assert_refused_with("PARLEY_SERVER_PORT='70000': must be between 0 and 65535",
                        env={"PARLEY_SERVER_PORT": "70000"})


def test_environment_boolean_must_be_true_or_false():
    assert_refused_with("PARLEY_METRICS_ENABLED='yes': must be true or false",
                        env={"PARLEY_METRICS_ENABLED": "yes"})


def test_unknown_parley_variable():
    assert_refused_with("PARLEY_SERVR_PORT: not a configuration variable (parley --help lists them)",
                        env={"PARLEY_SERVR_PORT": "1"})


def test_flag_value_not_a_number():
    assert_refused_with("--server-port='abc': not a number", "--port", "abc")


def test_flag_value_not_among_the_choices():
    assert_refused_with("--log-format='xml': must be one of text, json", "--log-format", "xml")


def test_unknown_flag():
    assert_refused_with("The following argument was not expected: --prot "
                        "(parley --help lists the flags)", "--prot")


def test_a_broken_file_is_refused_even_where_a_flag_overrides_it(tmp_path):
    path = write(tmp_path, '[server]\nport = "x"\n')
    assert_refused_with(f'{path}: server.port = "x": must be a whole number, not a string',
                        "--config", path, "--port", "0")
