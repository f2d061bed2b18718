"""The global stack: CloudFront, Route 53 failover, WAF, audit trail, replication."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Synth, resources

EAST, WEST, GLOBAL = "webapp-prod-us-east-1", "webapp-prod-us-west-2", "webapp-prod-global"
DEV_EAST, DEV_WEST, DEV_GLOBAL = "webapp-dev-us-east-1", "webapp-dev-us-west-2", "webapp-dev-global"


def remote(stack: str) -> str:
    return f"${{data.terraform_remote_state.cross-stack-reference-input-{stack}.outputs."


def resolves_to(docs: Synth, expr: str, source_stack: str) -> str:
    """The expression a cross-stack reference stands for in its source stack."""
    output = expr.split(".outputs.")[1].rstrip("}")
    return docs[source_stack]["output"][output]["value"]


def distribution(doc: dict[str, Any]) -> dict[str, Any]:
    (d,) = resources(doc, "aws_cloudfront_distribution").values()
    return d


def test_global_stack_has_a_provider_per_region_cloudfronts_first(default_synth: Synth) -> None:
    """us-east-1 for CloudFront, WAF and Route 53 (and that region's origin rule), one
    more per other region for its origin rule and its bucket's replication."""
    doc = default_synth[GLOBAL]
    assert [p["region"] for p in doc["provider"]["aws"]] == ["us-east-1", "us-west-2"]


def test_origin_group_fails_over_from_primary_to_secondary(default_synth: Synth) -> None:
    d = distribution(default_synth[GLOBAL])
    origins = {o["origin_id"]: o for o in d["origin"]}
    # Delegated: the primary origin is the Route 53 failover name (writes follow it), the
    # secondary its region's name; both covered by the ALBs' certificates.
    assert origins["primary"]["domain_name"] == "origin.${var.domain}"
    assert origins["secondary"]["domain_name"] == "us-west-2.origin.${var.domain}"
    assert {o["custom_origin_config"]["origin_protocol_policy"] for o in origins.values()} == {"https-only"}
    assert {tuple(o["custom_origin_config"]["origin_ssl_protocols"]) for o in origins.values()} == {("TLSv1.2",)}
    (group,) = d["origin_group"]
    assert [m["origin_id"] for m in group["member"]] == ["primary", "secondary"]
    assert group["failover_criteria"]["status_codes"] == [500, 502, 503, 504]
    assert d["default_cache_behavior"]["target_origin_id"] == "failover"
    assert all(o["connection_timeout"] <= 3 and o["connection_attempts"] == 1 for o in origins.values())


def test_cloudfront_never_serves_plain_http(default_synth: Synth) -> None:
    d = distribution(default_synth[GLOBAL])
    behaviours = [d["default_cache_behavior"], *d["ordered_cache_behavior"]]
    assert {b["viewer_protocol_policy"] for b in behaviours} == {"redirect-to-https"}
    assert d["is_ipv6_enabled"] is True
    assert d["logging_config"]["bucket"].endswith(".bucket_regional_domain_name}")


def test_writes_go_to_the_primary_origin_with_every_method(default_synth: Synth) -> None:
    d = distribution(default_synth[GLOBAL])
    (api,) = [b for b in d["ordered_cache_behavior"] if b["path_pattern"] == "/api/*"]
    assert api["target_origin_id"] == "primary" and "POST" in api["allowed_methods"]
    assert api["cache_policy_id"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "writes and API answers are never cached"
    assert d["default_cache_behavior"]["allowed_methods"] == ["GET", "HEAD", "OPTIONS"]


def test_waf_is_attached_with_managed_rules_and_rate_limit(default_synth: Synth) -> None:
    doc = default_synth[GLOBAL]
    ((acl_name, acl),) = resources(doc, "aws_wafv2_web_acl").items()
    assert acl["scope"] == "CLOUDFRONT" and acl["provider"] == "aws.us_east_1"
    assert distribution(doc)["web_acl_id"] == f"${{aws_wafv2_web_acl.{acl_name}.arn}}"
    groups = {r["statement"].get("managed_rule_group_statement", {}).get("name") for r in acl["rule"]}
    assert {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    } <= groups
    (rate,) = [r for r in acl["rule"] if "rate_based_statement" in r["statement"]]
    assert rate["statement"]["rate_based_statement"]["limit"] == 2000
    (logging,) = resources(doc, "aws_wafv2_web_acl_logging_configuration").values()
    assert logging["resource_arn"] == f"${{aws_wafv2_web_acl.{acl_name}.arn}}"


def failover_records(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in resources(doc, "aws_route53_record").values() if "failover_routing_policy" in r]


def test_disposable_origins_are_the_albs_over_http(dev_synth: Synth) -> None:
    """Only a disposable config (dev.toml) goes without a delegated domain: CloudFront
    then reaches each ALB by its AWS name, over HTTP (no certificate can name it)."""
    origins = {o["origin_id"]: o for o in distribution(dev_synth[DEV_GLOBAL])["origin"]}
    assert resolves_to(dev_synth, origins["primary"]["domain_name"], DEV_EAST) == "${aws_lb.app_alb.dns_name}"
    assert origins["secondary"]["domain_name"].startswith(remote(DEV_WEST))
    assert {o["custom_origin_config"]["origin_protocol_policy"] for o in origins.values()} == {"http-only"}


def test_each_alb_has_one_health_check_and_one_failover_record(default_synth: Synth) -> None:
    doc = default_synth[GLOBAL]
    checks = resources(doc, "aws_route53_health_check")
    assert len(checks) == 2
    for check in checks.values():
        assert (check["type"], check["port"], check["resource_path"]) == ("HTTPS", 443, "/health")
        assert check["fqdn"] in ("us-east-1.origin.${var.domain}", "us-west-2.origin.${var.domain}")
        assert (check["request_interval"], check["failure_threshold"], check["measure_latency"]) == (10, 3, True)
        assert len(check["regions"]) >= 3
    records = failover_records(doc)
    assert sorted(r["failover_routing_policy"]["type"] for r in records) == ["PRIMARY", "SECONDARY"]
    assert {r["name"] for r in records} == {"origin.${var.domain}"}
    by_type = {r["failover_routing_policy"]["type"]: r for r in records}
    assert by_type["PRIMARY"]["alias"]["name"].startswith(remote(EAST))
    assert by_type["SECONDARY"]["alias"]["name"].startswith(remote(WEST))
    assert {r["health_check_id"] for r in records} == {f"${{aws_route53_health_check.{k}.id}}" for k in checks}
    assert all(r["alias"]["evaluate_target_health"] is True for r in records)


def test_user_facing_names_alias_cloudfront(default_synth: Synth) -> None:
    records = resources(default_synth[GLOBAL], "aws_route53_record").values()
    to_cdn = {(r["name"], r["type"]) for r in records if r.get("alias", {}).get("zone_id") == "Z2FDTNDATAQYW2"}
    assert to_cdn == {(n, t) for n in ("${var.domain}", "www.${var.domain}") for t in ("A", "AAAA")}


def test_not_delegated_means_nothing_waits_on_validation(dev_synth: Synth) -> None:
    for doc in dev_synth.values():
        assert "aws_acm_certificate_validation" not in doc.get("resource", {})
    assert distribution(dev_synth[DEV_GLOBAL])["viewer_certificate"] == {"cloudfront_default_certificate": True}


def test_origin_secret_is_generated_not_written_and_never_a_plain_output(default_synth: Synth) -> None:
    doc = default_synth[GLOBAL]
    value = "${aws_secretsmanager_secret_version.origin-secret_value.secret_string}"
    for o in distribution(doc)["origin"]:
        (header,) = o["custom_header"]
        assert header == {"name": "X-Origin-Verify", "value": value}
    secrets = resources(doc, "aws_secretsmanager_secret")
    assert sorted(secrets) == ["origin-secret_secret", "origin-secret_secret-b"]
    for secret in secrets.values():
        assert secret["provider"] == "aws.us_east_1" and secret["kms_key_id"] == "${aws_kms_key.edge-key_key.arn}"
    assert sorted(doc["data"]["aws_secretsmanager_random_password"]) == [
        "origin-secret_generated",
        "origin-secret_generated-b",
    ], "one generator per slot, or both slots would get the same value"
    import tomllib

    from tests.test_data_tier import walk

    for name in ("default.toml", "dev.toml", "mysql.toml"):
        keys = [path for path, _ in walk(tomllib.loads((ROOT / "config" / name).read_text()))]
        assert not [k for k in keys if "secret" in k.lower() or "header" in k.lower()], name
    for doc in default_synth.values():
        for output in doc.get("output", {}).values():
            if "secret_string" in json.dumps(output["value"]) or "X-Origin" in json.dumps(output):
                assert output.get("sensitive") is True


def test_audit_trail_is_multi_region_validated_and_encrypted(default_synth: Synth) -> None:
    doc = default_synth[GLOBAL]
    (trail,) = resources(doc, "aws_cloudtrail").values()
    assert trail["is_multi_region_trail"] is True and trail["enable_log_file_validation"] is True
    assert trail["kms_key_id"].startswith("${aws_kms_key.") and trail["cloud_watch_logs_group_arn"]
    (lifecycle,) = [
        v for k, v in resources(doc, "aws_s3_bucket_lifecycle_configuration").items() if k.startswith("audit")
    ]
    rule = lifecycle["rule"][0]
    assert [(t["days"], t["storage_class"]) for t in rule["transition"]] == [(30, "STANDARD_IA"), (90, "GLACIER")]
    assert rule["expiration"] == [{"days": 365}]
    key = json.loads(resources(doc, "aws_kms_key")["edge-key_key"]["policy"])
    assert any("cloudtrail.amazonaws.com" in json.dumps(s["Principal"]) for s in key["Statement"])


def test_every_region_admits_cloudfront_through_a_rule_of_the_edge(default_synth: Synth) -> None:
    """The origin secret, the distribution's header and each ALB's rule that admits it
    are in one stack: one apply changes them together, and no regional apply (a role
    swap during a failover) changes what an ALB accepts. No regional stack holds the
    secret or a rule with it."""
    doc = default_synth[GLOBAL]
    rules = resources(doc, "aws_lb_listener_rule")
    assert sorted(rules) == ["origin-access_from-cloudfront-us-east-1", "origin-access_from-cloudfront-us-west-2"]
    for region, stack in (("us-east-1", EAST), ("us-west-2", WEST)):
        rule = rules[f"origin-access_from-cloudfront-{region}"]
        assert rule["provider"] == f"aws.{region.replace('-', '_')}"
        assert rule["condition"] == [
            {
                "http_header": {
                    "http_header_name": "X-Origin-Verify",
                    "values": [
                        "${aws_secretsmanager_secret_version.origin-secret_value.secret_string}",
                        "${aws_secretsmanager_secret_version.origin-secret_value-b.secret_string}",
                    ],
                }
            }
        ]
        assert resolves_to(default_synth, rule["listener_arn"], stack) == "${aws_lb_listener.app_https.arn}"
        (action,) = rule["action"]
        assert resolves_to(default_synth, action["target_group_arn"], stack) == "${aws_lb_target_group.app_tg.arn}"
        regional = default_synth[stack]
        assert list(resources(regional, "aws_secretsmanager_secret")) == ["data_master-secret"], "no origin secret"
        assert list(resources(regional, "aws_lb_listener_rule")) == ["app_health-check"]


def test_app_buckets_replicate_both_ways_with_the_destination_key(default_synth: Synth) -> None:
    """Each region's bucket replicates to the other's, whatever the roles: what the
    surviving region stores during a failover reaches the other when it returns."""
    configs = resources(default_synth[GLOBAL], "aws_s3_bucket_replication_configuration")
    assert sorted(configs) == [
        "app-bucket-replication-us-east-1_configuration",
        "app-bucket-replication-us-west-2_configuration",
    ]
    for source, destination in ((EAST, WEST), (WEST, EAST)):
        region = source.removeprefix("webapp-prod-")
        config = configs[f"app-bucket-replication-{region}_configuration"]
        assert config["provider"] == f"aws.{region.replace('-', '_')}"
        assert config["bucket"].startswith(remote(source))
        (rule,) = config["rule"]
        assert (
            resolves_to(default_synth, rule["destination"]["bucket"], destination)
            == "${aws_s3_bucket.app_app-bucket_bucket.arn}"
        )
        assert (
            resolves_to(
                default_synth, rule["destination"]["encryption_configuration"]["replica_kms_key_id"], destination
            )
            == "${aws_kms_key.key_key.arn}"
        )
        assert rule["delete_marker_replication"]["status"] == "Enabled"


def variant(tmp_path: Path, name: str, extra: str, replace: tuple[str, str] | None = None) -> Path:
    text = (ROOT / "config/default.toml").read_text()
    if replace:
        text = text.replace(*replace)
    path = tmp_path / name
    path.write_text(text + extra)
    return path


THIRD = """
[[regions]]
name = "eu-west-1"
role = "secondary"
vpc_cidr = "10.2.0.0/16"
az_count = 3
"""


@pytest.fixture(scope="module")
def three_regions(synthesize: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Synth]:
    text = (ROOT / "config/default.toml").read_text()
    head, sep, tail = text.partition("[network]")
    path = tmp_path_factory.mktemp("cfg") / "three.toml"
    path.write_text(head + THIRD + "\n" + sep + tail)
    return synthesize(path)


def test_three_regions_put_both_secondaries_behind_the_secondary_record(three_regions: tuple[Path, Synth]) -> None:
    _, docs = three_regions
    assert set(docs) == {GLOBAL, EAST, WEST, "webapp-prod-eu-west-1"}
    doc = docs[GLOBAL]
    assert len(resources(doc, "aws_route53_health_check")) == 3
    latency = [r for r in resources(doc, "aws_route53_record").values() if "latency_routing_policy" in r]
    assert sorted(r["latency_routing_policy"]["region"] for r in latency) == ["eu-west-1", "us-west-2"]
    (secondary,) = [r for r in failover_records(doc) if r["failover_routing_policy"]["type"] == "SECONDARY"]
    assert secondary["alias"]["name"] == "secondaries.origin.${var.domain}"
    assert len(distribution(doc)["origin_group"][0]["member"]) == 2, "CloudFront allows two members"
    configs = resources(doc, "aws_s3_bucket_replication_configuration")
    assert [r["id"] for r in configs["app-bucket-replication-us-east-1_configuration"]["rule"]] == [
        "to-us-west-2",
        "to-eu-west-1",
    ]
    assert [r["id"] for r in configs["app-bucket-replication-eu-west-1_configuration"]["rule"]] == [
        "to-us-east-1",
        "to-us-west-2",
    ]
    plan = next(iter(resources(docs[EAST], "aws_backup_plan").values()))
    assert len(plan["rule"][0]["copy_action"]) == 2


DELEGATED = """delegated = true
domain = "shop.acme.com"
zone_id = "Z0123456789ABCDEFGHIJ"
"""


@pytest.fixture(scope="module")
def delegated(synthesize: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Synth]:
    """default.toml with the domain and its zone in the config (not variables)."""
    return synthesize(
        variant(tmp_path_factory.mktemp("cfg"), "delegated.toml", "", replace=("delegated = true\n", DELEGATED))
    )


def test_delegated_domain_gets_validated_certificates_and_tls_to_origins(delegated: tuple[Path, Synth]) -> None:
    _, docs = delegated
    for stack in (EAST, WEST):
        (cert,) = resources(docs[stack], "aws_acm_certificate").values()
        region = stack.removeprefix("webapp-prod-")
        assert cert["domain_name"] == f"{region}.origin.shop.acme.com"
        assert cert["subject_alternative_names"] == ["origin.shop.acme.com"]
        assert list(resources(docs[stack], "aws_lb_listener")) == ["app_https"]
    d = distribution(docs[GLOBAL])
    assert d["viewer_certificate"]["minimum_protocol_version"] == "TLSv1.2_2021"
    assert d["aliases"] == ["shop.acme.com", "www.shop.acme.com"]
    origins = {o["origin_id"]: o for o in d["origin"]}
    assert origins["primary"]["domain_name"] == "origin.shop.acme.com"
    assert origins["secondary"]["domain_name"] == "us-west-2.origin.shop.acme.com"
    assert {o["custom_origin_config"]["origin_protocol_policy"] for o in origins.values()} == {"https-only"}
    assert {c["type"] for c in resources(docs[GLOBAL], "aws_route53_health_check").values()} == {"HTTPS"}
    assert "aws_route53_zone" not in docs[GLOBAL]["resource"]
    assert docs[GLOBAL]["data"]["aws_route53_zone"]["edge_zone"]["zone_id"] == "Z0123456789ABCDEFGHIJ"
    for doc in docs.values():
        assert "hosted_zone_id" not in doc.get("variable", {}) and "domain" not in doc.get("variable", {})


def test_variants_validate(
    three_regions: tuple[Path, Synth], delegated: tuple[Path, Synth], terraform: Any, tmp_path: Path
) -> None:
    stacks = [Path(outdir) / "stacks" / stack for outdir, docs in (three_regions, delegated) for stack in sorted(docs)]
    assert len(stacks) == 7
    terraform.validate_many(stacks, tmp_path / "validate")


def test_without_a_domain_every_stack_requires_one_and_its_zone(default_synth: Synth) -> None:
    """config/default.toml names no domain nor zone (they must be the user's): every
    stack declares both required variables, so a deploy stops at the first stack's plan.
    The zone exists already (delegated): the stacks look it up and create none."""
    for stack, doc in default_synth.items():
        for name in ("domain", "hosted_zone_id"):
            variable = doc["variable"][name]
            assert "default" not in variable and variable["nullable"] is False, (stack, name)
    assert "aws_route53_zone" not in default_synth[GLOBAL]["resource"]
    assert default_synth[GLOBAL]["data"]["aws_route53_zone"]["edge_zone"]["zone_id"] == "${var.hosted_zone_id}"
    for stack in (EAST, WEST):
        (validation,) = resources(default_synth[stack], "aws_route53_record").values()
        assert validation["zone_id"] == "${var.hosted_zone_id}"


def test_a_disposable_config_without_a_domain_creates_its_zone(dev_synth: Synth) -> None:
    assert resources(dev_synth[DEV_GLOBAL], "aws_route53_zone")["edge_zone"]["name"] == "${var.domain}"
    assert all("hosted_zone_id" not in doc["variable"] for doc in dev_synth.values())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "No value for required variable"),
        (("-var", "domain=shop.example.com"), "not a special-use name"),
        (("-var", "domain=webapp.test"), "not a special-use name"),
        (("-var", "domain=Shop.acme.com"), "lowercase DNS name"),
    ],
)
def test_domain_variable_refuses_what_route53_refuses(
    default_synth: Synth, terraform: Any, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    """The synthesized variable block alone (no provider, no network): Terraform's own
    validation stops a plan, as ``config.domain_problem`` stops synth and preflight."""
    block = {"variable": {"domain": default_synth[GLOBAL]["variable"]["domain"]}}
    (tmp_path / "main.tf.json").write_text(json.dumps(block))
    terraform.run(tmp_path, "init", "-input=false")
    result = terraform.run(tmp_path, "plan", "-input=false", *args, check=False)
    assert result.returncode == 1 and words in " ".join(result.stderr.split()), result.stderr


@pytest.mark.parametrize(
    ("args", "ok"),
    [
        (("-var", "hosted_zone_id=Z0123456789ABC"), True),
        (("-var", "hosted_zone_id=z0123"), False),
        (("-var", "hosted_zone_id=/hostedzone/Z0123"), False),
        (("-var", "domain=" + "a" * 39 + ".acme.com"), False),
        (("-var", "domain=" + "a" * 38 + ".acme.com"), True),
    ],
)
def test_zone_and_domain_variables_refuse_what_acm_and_route53_refuse(
    default_synth: Synth, terraform: Any, tmp_path: Path, args: tuple[str, ...], ok: bool
) -> None:
    """A delegated config's ALB certificates name us-west-2.origin.<domain>: ACM takes
    64 characters (RequestCertificate), so the domain variable takes at most 47."""
    variables = default_synth[GLOBAL]["variable"]
    name = args[1].split("=")[0]
    (tmp_path / "main.tf.json").write_text(json.dumps({"variable": {name: variables[name]}}))
    terraform.run(tmp_path, "init", "-input=false")
    result = terraform.run(tmp_path, "plan", "-input=false", *args, check=False)
    assert (result.returncode == 0) == ok, result.stderr


def test_domain_variable_accepts_a_domain_you_own(default_synth: Synth, terraform: Any, tmp_path: Path) -> None:
    block = {"variable": {"domain": default_synth[GLOBAL]["variable"]["domain"]}}
    (tmp_path / "main.tf.json").write_text(json.dumps(block))
    terraform.run(tmp_path, "init", "-input=false")
    terraform.run(tmp_path, "plan", "-input=false", "-var", "domain=shop.acme.com")


def test_a_rotation_switches_what_cloudfront_sends_while_every_alb_accepts_both(
    synthesize: Any, tmp_path: Path
) -> None:
    """edge.origin_secret_active = "b" (step 2 of README, Rotating the origin secret):
    CloudFront sends slot b; the rules accept b and the previous a, so requests signed
    with either during CloudFront's rollout pass (no 403 window)."""
    _, docs = synthesize(
        variant(
            tmp_path, "b.toml", "", replace=("delegated = true\n", 'delegated = true\norigin_secret_active = "b"\n')
        )
    )
    doc = docs[GLOBAL]
    value = "${aws_secretsmanager_secret_version.origin-secret_value%s.secret_string}"
    for o in distribution(doc)["origin"]:
        assert o["custom_header"] == [{"name": "X-Origin-Verify", "value": value % "-b"}]
    for rule in resources(doc, "aws_lb_listener_rule").values():
        assert rule["condition"][0]["http_header"]["values"] == [value % "-b", value % ""]


def test_replication_is_measured_alarmed_and_syncs_replica_changes(default_synth: Synth) -> None:
    """S3 Replication metrics on every rule, an alarm per rule on OperationsFailedReplication
    to the source region's topic, and replica modification sync (two-way replication)."""
    doc = default_synth[GLOBAL]
    alarms = resources(doc, "aws_cloudwatch_metric_alarm")
    for source, destination in ((EAST, WEST), (WEST, EAST)):
        region, other = source.removeprefix("webapp-prod-"), destination.removeprefix("webapp-prod-")
        config = resources(doc, "aws_s3_bucket_replication_configuration")[
            f"app-bucket-replication-{region}_configuration"
        ]
        (rule,) = config["rule"]
        assert rule["destination"]["metrics"] == {"status": "Enabled"}
        assert rule["source_selection_criteria"]["replica_modifications"] == {"status": "Enabled"}
        alarm = alarms[f"app-bucket-replication-{region}_failed-to-{other}"]
        assert alarm["alarm_name"] == f"{source}-replication-failed-to-{other}"
        assert (alarm["namespace"], alarm["metric_name"]) == ("AWS/S3", "OperationsFailedReplication")
        assert alarm["provider"] == f"aws.{region.replace('-', '_')}", "S3 publishes in the source region"
        assert alarm["dimensions"]["RuleId"] == rule["id"]
        assert resolves_to(default_synth, alarm["dimensions"]["SourceBucket"], source) == (
            "${aws_s3_bucket.app_app-bucket_bucket.id}"
        )
        assert resolves_to(default_synth, alarm["dimensions"]["DestinationBucket"], destination) == (
            "${aws_s3_bucket.app_app-bucket_bucket.id}"
        )
        (action,) = alarm["alarm_actions"]
        assert resolves_to(default_synth, action, source) == "${aws_sns_topic.app_alarms.arn}"


def test_cloudtrail_may_use_the_key_for_this_trail_of_this_account_only(default_synth: Synth) -> None:
    """CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail": data keys
    for this trail (aws:SourceArn) and trails of this account (encryption context), never
    kms:Decrypt for the service. The trail bucket has no Bucket Key, so every log file
    keeps CloudTrail's encryption context the condition checks."""
    doc = default_synth[GLOBAL]
    statements = json.loads(resources(doc, "aws_kms_key")["edge-key_key"]["policy"])["Statement"]
    trail = [s for s in statements if "cloudtrail.amazonaws.com" in json.dumps(s["Principal"])]
    assert {s["Sid"]: s["Action"] for s in trail} == {
        "CloudTrailEncryptsThisTrailsLogs": "kms:GenerateDataKey*",
        "CloudTrailDescribesKey": "kms:DescribeKey",
    }
    for s in trail:
        assert s["Condition"]["StringEquals"]["aws:SourceArn"].endswith(":trail/webapp-prod-us-east-1-trail")
        assert ":cloudtrail:us-east-1:" in s["Condition"]["StringEquals"]["aws:SourceArn"]
    (encrypt,) = [s for s in trail if s["Action"] == "kms:GenerateDataKey*"]
    assert encrypt["Condition"]["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"].endswith(":trail/*")
    (trail_resource,) = resources(doc, "aws_cloudtrail").values()
    assert trail_resource["name"] == "webapp-prod-us-east-1-trail"
    (sse,) = resources(doc, "aws_s3_bucket_server_side_encryption_configuration")["audit_bucket_encryption"]["rule"]
    assert sse["bucket_key_enabled"] is False


def test_the_shared_origin_name_has_one_validation_record_in_the_home_region(
    default_synth: Synth, delegated: tuple[Path, Synth]
) -> None:
    """ACM's validation CNAME depends on the name and the account only, so origin.<domain>
    (on every ALB certificate) has one record, written by the home region's stack (the
    first listed, never moved by a role swap): destroying another region cannot delete
    it and stop the others' renewals (ACM User Guide, "DNS validation")."""
    for docs, name in ((default_synth, '"origin.${var.domain}"'), (delegated[1], '"origin.shop.acme.com"')):
        east = resources(docs[EAST], "aws_route53_record")["certificate_validation"]["for_each"]
        west = resources(docs[WEST], "aws_route53_record")["certificate_validation"]["for_each"]
        assert " if " not in east, "the home region writes every record of its certificate"
        assert west.endswith(f"val.domain_name => val if !contains([{name}], val.domain_name) }}}}")
        # The provider refuses a validation_record_fqdns list that lacks one of the
        # certificate's names: without the shared record, wait for ACM after our records.
        west_validated = resources(docs[WEST], "aws_acm_certificate_validation")["certificate_validated"]
        assert "validation_record_fqdns" not in west_validated
        assert west_validated["depends_on"] == ["aws_route53_record.certificate_validation"]
        east_validated = resources(docs[EAST], "aws_acm_certificate_validation")["certificate_validated"]
        assert east_validated["validation_record_fqdns"].startswith("${[for r in aws_route53_record")


def test_a_zone_an_earlier_release_created_is_kept_when_the_config_names_one(
    default_synth: Synth, dev_synth: Synth
) -> None:
    """Going delegated (the zone named, not created): Terraform forgets the zone it made,
    without deleting it (removed, destroy = false), so the zone the domain was delegated
    to survives the upgrade; a config that still creates its zone declares nothing."""
    assert {"from": "aws_route53_zone.edge_zone", "lifecycle": {"destroy": False}} in default_synth[GLOBAL]["removed"]
    assert "removed" not in dev_synth[DEV_GLOBAL]
