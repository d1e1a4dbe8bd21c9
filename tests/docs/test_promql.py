"""Every metric and label the docs name in a PromQL expression exists in a real ``/metrics``.

The docs once suggested ``compositor_output_state{state="reconnecting"}`` while the metric had no
``state`` label: an alert that could never fire. Here a real ``compositor serve`` (with a file
output, so the output metrics exist) is scraped, and each ``compositor_*`` name in README.md and
docs/*.md must be a metric family (or one of its ``_bucket``/``_sum``/``_count`` series), and each
label matcher written after it must be one of that family's labels.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.serve import ServeProcess, http_json, wait_for
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
_SELECTOR = re.compile(r"\b(compositor_[a-z0-9_]+)(\{([^}]*)\})?")
_MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)")
_SUFFIXES = ("_bucket", "_sum", "_count", "_created")


def doc_selectors() -> Iterator[tuple[str, str, frozenset[str]]]:
    """(document, metric name, label names matched) for every metric the docs name."""
    for path in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        for match in _SELECTOR.finditer(path.read_text()):
            labels = frozenset(m.group(1) for m in _MATCHER.finditer(match.group(3) or ""))
            yield path.name, match.group(1), labels


def scrape(url: str) -> dict[str, set[str]]:
    """Metric name (family and each sample name) -> the label names its samples carry."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    names: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        labels = names.setdefault(family.name, set())
        for sample in family.samples:
            labels.update(sample.labels)
            names.setdefault(sample.name, set()).update(sample.labels)
    return names


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    folder = tmp_path_factory.mktemp("promql")
    serve = ServeProcess(folder, "--demo", "--width", "320", "--height", "180", "--fps", "10",
                         "--output", str(folder / "out.flv"),
                         "--obs-websocket-port", str(free_port())).start()
    try:
        wait_for(lambda: http_json("GET", serve.url + "/api/v1/output")[1].get("frames", 0) > 5,
                 60, "frames to be encoded")
        # Labelled families have no samples (so no label names) before their first event.
        status, _ = http_json("POST", serve.url + "/api/v1/commits", {"ops": [
            {"op": "update", "id": "lower-third", "patch": {"opacity": 0.9}}]})
        assert status == 200
        return scrape(serve.url)
    finally:
        serve.terminate()


def test_the_docs_name_metrics() -> None:
    assert sum(1 for _ in doc_selectors()) >= 10


def test_every_documented_metric_and_label_exists(metrics: dict[str, set[str]]) -> None:
    missing = []
    for document, name, labels in doc_selectors():
        family = name if name in metrics else next(
            (name[: -len(s)] for s in _SUFFIXES if name.endswith(s) and name[: -len(s)] in metrics),
            None)
        if family is None and name.endswith("_total") and name[:-6] in metrics:
            family = name[:-6]
        if family is None:
            missing.append(f"{document}: {name} is not in /metrics")
            continue
        for label in labels - metrics.get(name, metrics[family]) - {"le", "quantile"}:
            missing.append(f"{document}: {name} has no label {label!r}")
    assert not missing, "\n".join(missing)
