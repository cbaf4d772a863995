"""Scraping a server's /metrics and reading it with prometheus_client's own text parser (Debian's
python3-prometheus-client), not with our own parsing."""
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

WAIT = 5.0


def metrics_url(server):
    """The metrics URL the server logged, at 127.0.0.1 (https:// with metrics.tls)."""
    match = server.wait_for_line(r"metrics on (https?)://[^:]+:(\d+)/metrics", WAIT)
    assert match, "the server did not say where its metrics are"
    return f"{match.group(1)}://127.0.0.1:{match.group(2)}/metrics"


def scrape(server):
    """{(sample name, frozenset of labels): value} for every sample of one scrape; over https://
    the server's ssl_context (the certificates the test trusts) checks the metrics port too."""
    url = metrics_url(server)
    context = server.ssl_context if url.startswith("https:") else None
    with urllib.request.urlopen(url, timeout=WAIT, context=context) as response:
        assert response.status == 200
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels):
    """A sample's value; 0 when the series does not exist (yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def delta(before, after, name, **labels):
    return value(after, name, **labels) - value(before, name, **labels)


def wait_for_scrape(server, predicate, what, timeout=WAIT):
    """Scrapes until predicate(samples) holds (the server counts as it finishes work); returns
    that scrape."""
    deadline = time.monotonic() + timeout
    while True:
        samples = scrape(server)
        if predicate(samples):
            return samples
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling the metrics endpoint, not synchronising with the server
