"""/metrics in the Prometheus text format, from prometheus-client.

Computed at scrape time from the database (the source of truth), so every web process
answers the same and nothing is lost on a restart. Platform-wide totals only: no label
names an organization, so one scraper serves the whole deployment without seeing which
tenant has what. Access needs METRICS_TOKEN (docs/operations.md).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from .selectors import platform_overview


def _seconds(delta) -> float:
    return delta.total_seconds() if delta is not None else 0.0


class QueueCollector:
    def collect(self):
        figures = platform_overview()
        now, outbox, handoffs = figures["now"], figures["outbox"], figures["handoffs"]

        due = GaugeMetricFamily(
            "continuum_outbox_due", "Notifications due and not yet claimed.", labels=["urgent"]
        )
        due.add_metric(["true"], outbox["due_urgent"])
        due.add_metric(["false"], outbox["due"] - outbox["due_urgent"])
        yield due
        yield GaugeMetricFamily(
            "continuum_outbox_oldest_due_age_seconds",
            "How long the oldest due notification has waited (0 when none is due).",
            value=_seconds(now - outbox["oldest_due"]) if outbox["oldest_due"] else 0.0,
        )
        yield GaugeMetricFamily(
            "continuum_outbox_sending", "Notifications leased to a worker.", value=outbox["sending"]
        )
        failed = GaugeMetricFamily(
            "continuum_outbox_failed", "Notifications that failed for good.", labels=["channel"]
        )
        for channel, count in sorted(outbox["failed_by_channel"].items()):
            failed.add_metric([channel], count)
        yield failed
        yield GaugeMetricFamily(
            "continuum_delivery_latency_seconds_avg",
            "Average time from due to sent, over the last 24 hours.",
            value=_seconds(outbox["latency_avg"]),
        )
        yield GaugeMetricFamily(
            "continuum_delivery_latency_seconds_max",
            "Longest time from due to sent, over the last 24 hours.",
            value=_seconds(outbox["latency_max"]),
        )
        runs = GaugeMetricFamily(
            "continuum_handoff_runs", "Handoff runs by state.", labels=["state"]
        )
        for state in ("pending", "stuck", "failed"):
            runs.add_metric([state], handoffs[state])
        yield runs
        imports = GaugeMetricFamily(
            "continuum_import_jobs", "Directory import jobs by status.", labels=["status"]
        )
        for status, count in sorted(figures["imports"].items()):
            imports.add_metric([status], count)
        yield imports


def render() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QueueCollector())
    return generate_latest(registry)
