"""Scraping a server's /metrics and reading it with prometheus_client's own text parser (Debian's
python3-prometheus-client), not with our own parsing."""
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

WAIT = 5.0


def metrics_port(server):
    match = server.wait_for_line(r"metrics on http://[^:]+:(\d+)/metrics", WAIT)
    assert match, "the server did not say where its metrics are"
    return int(match.group(1))


def scrape(server):
    """{(sample name, frozenset of labels): value} for every sample of one scrape."""
    port = metrics_port(server)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=WAIT) as response:
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
