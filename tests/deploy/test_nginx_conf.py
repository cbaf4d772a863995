"""deploy/nginx/parley.conf without running a chat through it (tests/cluster/test_nginx.py does):
Debian's nginx accepts it as it is, it balances by open connections, passes WebSocket upgrades
and the client's address on, and its timeouts outlast a quiet WebSocket's ping."""
import re
import subprocess

import deploy_files as files
import nginx_server

CONF = files.read("deploy", "nginx", "parley.conf")


def directives(name):
    """The arguments of every `name ...;` directive, comments left out."""
    text = re.sub(r"#[^\n]*", "", CONF)
    return [m.group(1).strip() for m in re.finditer(rf"^\s*{name}\s+([^;]*);", text, re.MULTILINE)]


def seconds(value):
    match = re.fullmatch(r"(\d+)(ms|s|m)?", value)
    number, unit = int(match.group(1)), match.group(2) or "s"
    return number / 1000 if unit == "ms" else number * (60 if unit == "m" else 1)


def ping_interval_s():
    return int(re.search(r"--limits-ping-interval-ms INT\s+\(default (\d+)",
                         files.help_text()).group(1)) / 1000


def test_debian_nginx_accepts_the_file_as_shipped(tmp_path):
    # Inside http {} as /etc/nginx/conf.d/ includes it; the upstream and listen lines unchanged.
    (tmp_path / "parley.conf").write_text(CONF)
    main = nginx_server.MAIN_CONF.format(prefix=tmp_path)
    (tmp_path / "nginx.conf").write_text(main)
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-e", "stderr"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_the_test_config_differs_only_in_upstream_servers_and_listen():
    generated = nginx_server.site_config(CONF, ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"], 8)
    kept = [line for line in CONF.splitlines()
            if not re.match(r"\s*(server 127|listen )", line)]
    assert [line for line in generated.splitlines()
            if not re.match(r"\s*(server 127|listen )", line)] == kept
    assert re.findall(r"server (127\.0\.0\.1:\d) max_fails", generated) == \
        ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]


def test_upstream_balances_by_open_connections_counted_across_workers():
    upstream = re.search(r"upstream parley \{(.*?)\n\}", CONF, re.DOTALL).group(1)
    assert re.search(r"^\s*least_conn;", upstream, re.MULTILINE)
    assert re.search(r"^\s*zone parley \w+;", upstream, re.MULTILINE)
    assert directives("proxy_pass") == ["http://parley"]


def test_websocket_upgrades_and_the_client_address_are_passed_on():
    headers = dict(h.split(None, 1) for h in directives("proxy_set_header"))
    assert directives("proxy_http_version") == ["1.1"]
    assert headers["Upgrade"] == "$http_upgrade"
    assert headers["Connection"] == "$parley_connection"
    assert re.search(r"map \$http_upgrade \$parley_connection \{\s*default\s+upgrade;\s*''\s+close;",
                     CONF)
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["Host"] == "$http_host"  # with the port: the Origin check's "self"


def test_timeouts_outlast_a_quiet_websockets_ping_and_its_drop():
    # Parley pings a quiet connection after the interval and drops it after twice that.
    for name in ("proxy_read_timeout", "proxy_send_timeout"):
        (value,) = directives(name)
        assert seconds(value) > 2 * ping_interval_s(), (name, value)


def test_a_down_or_draining_node_is_skipped():
    # A draining node answers upgrades 503 (tests/cluster/test_nginx.py runs it).
    (retry,) = directives("proxy_next_upstream")
    assert {"error", "timeout", "http_503"} <= set(retry.split())
    assert "non_idempotent" not in retry
