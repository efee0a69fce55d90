"""Metrics never pile up when they are disabled (the local runtime disables them)."""

from __future__ import annotations

from handlers.observability import add_report_metrics, log_metrics, metrics
from local.lambda_router import LocalLambdaContext
from vpr.models import TokenUsage


def test_disabled_metrics_are_dropped_after_each_invocation(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "CareerVP/Vpr")
    seen: list[int] = []

    @log_metrics
    def handler(event: dict, context: object) -> None:
        add_report_metrics(TokenUsage(model="offline", input_tokens=3, output_tokens=5), 100)
        seen.append(len(metrics.metric_set))

    for _ in range(3):
        handler({}, LocalLambdaContext(function_name="generate"))

    assert seen == [5, 5, 5]  # five metrics per report, recorded each time...
    assert metrics.metric_set == {}  # ...and none kept: Powertools would keep and later print them
