"""A local OTLP/HTTP JSON collector for tests: takes POSTed trace exports on 127.0.0.1 (a free
port) and keeps every request, so tests can wait for spans and check the JSON's structure.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Jaeger's collector

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.server.receiver.record(self.path, self.headers.get("Content-Type"), body)
        reply = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # parley killed or stopped with a kept-alive connection open: expected, not worth a trace.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class OtlpReceiver:
    """Use as a context manager; `url` is the traces endpoint to give parley."""

    def __init__(self):
        self.requests = []  # dicts: path, content_type, body (parsed JSON, or None), raw
        self._changed = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1/traces"

    def record(self, path, content_type, raw):
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with self._changed:
            self.requests.append(
                {"path": path, "content_type": content_type, "body": body, "raw": raw})
            self._changed.notify_all()

    def spans(self):
        """Every span received so far, each with its resource's attributes as a dict."""
        with self._changed:
            requests = list(self.requests)
        found = []
        for request in requests:
            for resource_spans in (request["body"] or {}).get("resourceSpans", []):
                resource = attributes(resource_spans.get("resource", {}))
                for scope_spans in resource_spans.get("scopeSpans", []):
                    for span in scope_spans.get("spans", []):
                        found.append(dict(span, resource=resource,
                                          scope=scope_spans.get("scope", {})))
        return found

    def wait_for(self, predicate, timeout):
        """Waits until predicate(spans) is true; returns the spans, or None on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                spans = self.spans()  # the Condition's lock is an RLock: taken again there
                if predicate(spans):
                    return spans
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


def attributes(item):
    """An OTLP attribute list ({key, value: {stringValue|intValue|...}}) as a dict of values."""
    out = {}
    for attribute in item.get("attributes", []):
        (kind, value), = attribute["value"].items()
        out[attribute["key"]] = int(value) if kind == "intValue" else value
    return out
