"""OriginAccess: the listener rule, in every region, that admits what CloudFront sends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.lb_listener_rule import (
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleCondition,
    LbListenerRuleConditionHttpHeader,
)
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from ..origin_secret import ORIGIN_SECRET_HEADER

FORWARD_PRIORITY = 20
"""Priority of the rule on each ALB's listener (the health-path rule, 5, comes first).
20, not the 10 of releases where the regional stack owned this rule: see README,
"Upgrading: the origin rule moves to the global stack"."""


@dataclass(frozen=True, kw_only=True)
class OriginListener:
    """One region's ALB listener as the edge sees it, with that region's provider."""

    region: str
    provider: AwsProvider
    listener_arn: str
    target_group_arn: str


class OriginAccess(Construct):
    """Creates, per region, an ``aws_lb_listener_rule`` on the ALB's listener that
    forwards to the app target group what carries ``X-Origin-Verify`` with one of the
    accepted origin secret values (both slots of ``OriginSecret``, so a rotation never
    refuses a request; every other request gets the listener's 403).

    It lives with the secret and the distribution (the global stack), not with the
    region: the value CloudFront sends and the values every ALB accepts then change in
    one apply, and a regional apply (a role swap in a failover, run while the global
    stack cannot be applied) never changes what its ALB accepts.

    Example::

        OriginAccess(stack, "origin-access", accepted=secret.accepted,
                     listeners=[OriginListener(region="us-east-1", provider=p, listener_arn=..., target_group_arn=...)])
    """

    def __init__(self, scope: Construct, id: str, *, accepted: Sequence[str], listeners: Sequence[OriginListener]):
        super().__init__(scope, id)
        self.rules: dict[str, LbListenerRule] = {}
        for listener in listeners:
            self.rules[listener.region] = LbListenerRule(
                self,
                f"from-cloudfront-{listener.region}",
                provider=listener.provider,
                listener_arn=listener.listener_arn,
                priority=FORWARD_PRIORITY,
                condition=[
                    LbListenerRuleCondition(
                        http_header=LbListenerRuleConditionHttpHeader(
                            http_header_name=ORIGIN_SECRET_HEADER, values=list(accepted)
                        )
                    )
                ],
                action=[LbListenerRuleAction(type="forward", target_group_arn=listener.target_group_arn)],
            )
