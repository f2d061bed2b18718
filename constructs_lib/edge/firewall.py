"""EdgeFirewall: the WAF web ACL in front of CloudFront, with its logs."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import (
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
)
from constructs import Construct

from ..addressing import Facet
from ..config import EdgeConfig
from ..context import Context
from ..kms import RegionalKey
from ..logs import encrypted_log_group

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
RATE_RULE = "rate-limit-per-ip"
WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"
"""WAF only logs to log groups whose name starts with this."""
REDACTED_HEADERS = ("authorization", "cookie")
"""Request headers that carry viewers' credentials and sessions: WAF logs them as REDACTED."""


def visibility(metric: str) -> Wafv2WebAclRuleVisibilityConfig:
    """Metrics and sampled requests for one rule."""
    return Wafv2WebAclRuleVisibilityConfig(
        cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


class EdgeFirewall(Facet):
    """Creates a CLOUDFRONT-scoped WAFv2 web ACL (AWS managed common, known-bad-inputs
    and IP-reputation rule groups, then a per-IP rate limit; allow by default) and its
    logging to a KMS-encrypted ``aws-waf-logs-`` log group.

    Example::

        waf = EdgeFirewall(edge, "firewall", provider=us_east_1, ctx=ctx, props=config.edge, key=key,
                           log_retention_days=365)
        waf.web_acl.arn
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: EdgeConfig,
        key: RegionalKey,
        log_retention_days: int,
    ):
        super().__init__(scope, id)
        name = ctx.naming.name("edge")
        rules = [
            Wafv2WebAclRule(
                name=group,
                priority=i,
                override_action=Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone()),
                # The bindings type ``statement`` as Any (it nests too deep to
                # generate), so it is written in Terraform's own shape.
                statement={"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
                visibility_config=visibility(group),
            )
            for i, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.append(
            Wafv2WebAclRule(
                name=RATE_RULE,
                priority=len(rules),
                action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                statement={"rate_based_statement": {"limit": props.waf_rate_limit, "aggregate_key_type": "IP"}},
                visibility_config=visibility(RATE_RULE),
            )
        )
        self.web_acl = Wafv2WebAcl(
            self,
            "web-acl",
            provider=provider,
            name=name,
            scope="CLOUDFRONT",
            description="Managed common, known-bad-inputs and IP-reputation rules, and a per-IP rate limit",
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=rules,
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            ),
        )
        logs = encrypted_log_group(
            self,
            "waf-logs",
            provider=provider,
            name=f"{WAF_LOG_GROUP_PREFIX}{name}",
            retention_days=log_retention_days,
            key=key,
        )
        Wafv2WebAclLoggingConfiguration(
            self,
            "waf-logging",
            provider=provider,
            resource_arn=self.web_acl.arn,
            log_destination_configs=[logs.arn],
            # Viewers' credentials never reach the logs (WAF Developer Guide, "Log fields":
            # redacted fields are replaced with REDACTED).
            redacted_fields=[
                Wafv2WebAclLoggingConfigurationRedactedFields(
                    single_header=Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
                )
                for header in REDACTED_HEADERS
            ],
        )
