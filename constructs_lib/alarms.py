"""CloudWatch metric alarms from a table: each row says what it watches and why; the
product's alarms all notify one encrypted SNS topic per region."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .naming import Naming

ALARM_PERIOD_SECONDS = 60
"""Every alarm evaluates one-minute datapoints (EC2 detailed monitoring and ALB metrics
are published per minute); ``evaluation_periods`` is then a count of minutes."""


@dataclass(frozen=True, kw_only=True)
class AlarmSpec:
    """One alarm: construct id (also the name's role), metric, statistic and threshold."""

    id: str
    description: str
    namespace: str
    metric_name: str
    statistic: str
    evaluation_periods: int
    threshold: float
    comparison_operator: str
    treat_missing_data: str | None = None
    """Default: None, CloudWatch's default (missing)."""
    notify_ok: bool = True
    """Default: true, the topic also hears when the alarm clears."""
    period_seconds: int = ALARM_PERIOD_SECONDS
    """Default: one-minute datapoints (``ALARM_PERIOD_SECONDS``)."""


def metric_alarm(
    scope: Construct,
    spec: AlarmSpec,
    *,
    provider: AwsProvider,
    naming: Naming,
    dimensions: Mapping[str, str] | None,
    actions: Sequence[str],
    construct_id: str | None = None,
) -> CloudwatchMetricAlarm:
    """The alarm ``spec`` over ``dimensions`` (None: a metric without dimensions), firing
    ``actions`` (and, with ``notify_ok``, the same actions when it clears). Its construct
    id is ``construct_id``, default ``spec.id`` (which always names the alarm)."""
    return CloudwatchMetricAlarm(
        scope,
        construct_id or spec.id,
        provider=provider,
        alarm_name=naming.name(spec.id),
        alarm_description=spec.description,
        namespace=spec.namespace,
        metric_name=spec.metric_name,
        dimensions=dict(dimensions) if dimensions is not None else None,
        statistic=spec.statistic,
        period=spec.period_seconds,
        evaluation_periods=spec.evaluation_periods,
        threshold=spec.threshold,
        comparison_operator=spec.comparison_operator,
        treat_missing_data=spec.treat_missing_data,
        alarm_actions=list(actions),
        ok_actions=list(actions) if spec.notify_ok else None,
    )
