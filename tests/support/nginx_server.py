"""Starts Debian's nginx with deploy/nginx/parley.conf in front of test nodes.

The shipped file is used as it is, but for two things a test must change: the `upstream parley`
block's `server` lines become the test's nodes, and its `listen` lines one free loopback port.
nginx runs in the foreground from a temporary prefix (its own main config, pid file, temp paths
and logs), so it needs no root and touches nothing of the machine's nginx. Like redis-server,
nginx cannot pick its own port and report it: the port is one the kernel just handed out, and
start() tries another when someone else took it first.
"""
import os
import re
import shutil
import socket
import subprocess
import tempfile

from output_lines import OutputLines

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SHIPPED_CONF = os.path.join(REPO, "deploy", "nginx", "parley.conf")
UPSTREAM = re.compile(r"(upstream parley \{\n)(.*?)(\n\})", re.DOTALL)
UPSTREAM_SERVER = re.compile(r"^(\s*)server \S+(.*;)$", re.MULTILINE)
READY = re.compile(r"start worker process")
LISTEN = re.compile(r"^(\s*)listen [^;]+;\n", re.MULTILINE)

MAIN_CONF = """daemon off;
master_process on;
worker_processes 2;
pid {prefix}/nginx.pid;
error_log stderr notice;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/parley.conf;
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config(shipped, nodes, port):
    """The shipped parley.conf with `upstream parley` holding `nodes` ("host:port", ...) and one
    `listen` on 127.0.0.1:port. Raises ValueError when the file no longer has those parts."""
    upstream = UPSTREAM.search(shipped)
    if upstream is None:
        raise ValueError("deploy/nginx/parley.conf has no `upstream parley { ... }` block")
    servers = UPSTREAM_SERVER.findall(upstream.group(2))
    if not servers:
        raise ValueError("`upstream parley` lists no server")
    indent, options = servers[0]
    body = UPSTREAM_SERVER.sub("", upstream.group(2)).rstrip("\n")
    body += "".join(f"\n{indent}server {node}{options}" for node in nodes)
    text = shipped[:upstream.start(2)] + body + shipped[upstream.end(2):]
    listens = LISTEN.findall(text)
    if not listens:
        raise ValueError("deploy/nginx/parley.conf has no `listen` line")
    first = True

    def one_listen(match):
        nonlocal first
        line = f"{match.group(1)}listen 127.0.0.1:{port};\n" if first else ""
        first = False
        return line
    return LISTEN.sub(one_listen, text)


class NginxServer:
    """nginx proxying to `nodes` (objects with .port, as ParleyServer) through the shipped file."""

    def __init__(self, nodes, start_timeout=10.0):
        self.nodes = [f"127.0.0.1:{node.port}" for node in nodes]
        self.start_timeout = start_timeout
        self.prefix = None
        self.proc = None
        self.port = None
        self.output = None  # what it printed (nginx: its error log, on stderr)

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, attempts=3):
        with open(SHIPPED_CONF, encoding="utf-8") as f:
            shipped = f.read()
        self.prefix = tempfile.mkdtemp(prefix="parley-nginx-")
        # Run as root (a CI container), nginx's workers become `nobody`: they must reach here.
        os.chmod(self.prefix, 0o755)
        with open(os.path.join(self.prefix, "nginx.conf"), "w", encoding="utf-8") as f:
            f.write(MAIN_CONF.format(prefix=self.prefix))
        for _ in range(attempts):
            port = free_port()
            with open(os.path.join(self.prefix, "parley.conf"), "w", encoding="utf-8") as f:
                f.write(site_config(shipped, self.nodes, port))
            if self._start_once(port):
                return self
        raise RuntimeError("nginx did not start:\n" + self.error_log())

    @property
    def lines(self):
        return self.output.lines if self.output else []

    def _start_once(self, port):
        self.port = port
        self.proc = subprocess.Popen(
            ["nginx", "-p", self.prefix, "-c", os.path.join(self.prefix, "nginx.conf"),
             "-e", "stderr"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.output = OutputLines(self.proc, self.proc.stderr)
        # The master binds its listen sockets before it starts the workers.
        if self.output.wait_for(READY, self.start_timeout):
            return True
        self._kill()
        return False

    def error_log(self):
        return "".join(self.lines)

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: the master stops its workers, then itself
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def stop(self):
        self._kill()
        if self.prefix:
            shutil.rmtree(self.prefix, ignore_errors=True)
            self.prefix = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
