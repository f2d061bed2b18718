"""Detection (issue 17, item 3): the CIS CloudWatch security alarms on the audit trail's
log group, S3 data events for the application buckets, and the alert subscriptions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from constructs_lib.detection import SECURITY_EVENTS
from tests.conftest import CONFIG_DIR, Synth, resources

GLOBAL, EAST, WEST = "webapp-prod-global", "webapp-prod-us-east-1", "webapp-prod-us-west-2"


def test_every_cis_event_has_a_filter_on_the_trail_log_group_and_an_alarm(default_synth: Synth) -> None:
    doc = default_synth[GLOBAL]
    filters = resources(doc, "aws_cloudwatch_log_metric_filter")
    alarms = {k: v for k, v in resources(doc, "aws_cloudwatch_metric_alarm").items() if k.startswith("security-")}
    assert len(filters) == len(alarms) == len(SECURITY_EVENTS) == 15
    trail_group = "${aws_cloudwatch_log_group.audit_log-group.name}"
    for event in SECURITY_EVENTS:
        f = filters[f"security-alarms_{event.id}-filter"]
        a = alarms[f"security-alarms_{event.id}-alarm"]
        assert f["log_group_name"] == trail_group and f["pattern"] == event.pattern
        metric = f["metric_transformation"]
        assert (metric["name"], metric["namespace"], metric["value"]) == (event.id, "webapp/prod/security", "1")
        # The alarm watches exactly the filter's metric: a name that differs never fires.
        assert (a["metric_name"], a["namespace"]) == (metric["name"], metric["namespace"])
        assert (a["statistic"], a["period"], a["threshold"], a["comparison_operator"]) == (
            "Sum",
            300,
            1,
            "GreaterThanOrEqualToThreshold",
        )
        assert a["treat_missing_data"] == "notBreaching"
        (action,) = a["alarm_actions"]
        assert "aws_sns_topicapp_alarmsarn" in action and EAST in action, "the primary region's alarm topic"
        assert a["provider"] == f["provider"] == "aws.us_east_1"


def test_controls_cover_cloudwatch_1_to_14() -> None:
    controls = {e.control.split(" ")[0] for e in SECURITY_EVENTS}
    assert {f"CloudWatch.{i}" for i in range(1, 15)} <= controls
    by_id = {e.id: e.pattern for e in SECURITY_EVENTS}
    assert '$.userIdentity.type="Root"' in by_id["root-usage"]
    assert "StopLogging" in by_id["trail-changes"] and "ScheduleKeyDeletion" in by_id["cmk-disable-or-delete"]
    assert all(p.count("(") == p.count(")") and p.strip().startswith("{") for p in by_id.values())


def test_trail_records_object_writes_of_every_application_bucket(default_synth: Synth) -> None:
    """Management events all (CIS); object-level writes and deletes of the application
    buckets in every region (reads would bill per event and trip the refused-calls alarm)."""
    (trail,) = resources(default_synth[GLOBAL], "aws_cloudtrail").values()
    management, objects = trail["event_selector"]
    assert management == {"include_management_events": True, "read_write_type": "All"}
    assert objects["include_management_events"] is False and objects["read_write_type"] == "WriteOnly"
    (data,) = objects["data_resource"]
    assert data["type"] == "AWS::S3::Object"
    assert [EAST in v and v.endswith("/") for v in data["values"]] == [True, False]
    assert WEST in data["values"][1]


def test_alert_subscribers_reach_every_region(synthesize: Any, tmp_path: Path) -> None:
    config = tmp_path / "alerts.toml"
    config.write_text(
        (CONFIG_DIR / "default.toml").read_text()
        + '\n[alerts]\nemail = ["oncall@acme.com", "sre@acme.com"]\nhttps = ["https://hooks.acme.com/aws"]\n'
    )
    _, docs = synthesize(config)
    for stack in (EAST, WEST):
        subs = resources(docs[stack], "aws_sns_topic_subscription")
        assert {(s["protocol"], s["endpoint"]) for s in subs.values()} == {
            ("email", "oncall@acme.com"),
            ("email", "sre@acme.com"),
            ("https", "https://hooks.acme.com/aws"),
        }
        assert {s["topic_arn"] for s in subs.values()} == {"${aws_sns_topic.app_alarms.arn}"}
        # Ids from the endpoint, not the position: removing one subscriber keeps the others.
        assert all(re.fullmatch(r"app_alert-(email|https)-[0-9a-f]{8}", k) for k in subs)
        pending = docs[stack]["output"]["alert_subscriptions_pending"]["value"]
        assert set(pending) == {"email:oncall@acme.com", "email:sre@acme.com", "https:https://hooks.acme.com/aws"}
        assert all(v.endswith(".pending_confirmation}") for v in pending.values())


def test_shipped_configs_have_no_subscriber_until_one_is_named(default_synth: Synth) -> None:
    for doc in default_synth.values():
        assert "aws_sns_topic_subscription" not in doc.get("resource", {})


def test_waf_logs_redact_viewer_credentials(default_synth: Synth) -> None:
    (logging,) = resources(default_synth[GLOBAL], "aws_wafv2_web_acl_logging_configuration").values()
    redacted = sorted(f["single_header"]["name"] for f in logging["redacted_fields"])
    assert redacted == ["authorization", "cookie"]
    assert logging["log_destination_configs"] == ["${aws_cloudwatch_log_group.edge_waf-logs.arn}"]
