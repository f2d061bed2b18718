"""Detection: the account's security alarms (CIS AWS Foundations Benchmark CloudWatch
controls) from the audit trail's log group, and who hears every alarm topic.

The metric filters and their patterns are AWS's (Security Hub controls CloudWatch.1 to
CloudWatch.14, "Security Hub CSPM controls for Amazon CloudWatch"); each alarm fires on
one matching event in five minutes and notifies the primary region's alarm topic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from .alarms import AlarmSpec, metric_alarm
from .naming import Naming

SECURITY_PERIOD_SECONDS = 300
"""CIS: one event in five minutes raises the alarm."""


@dataclass(frozen=True)
class SecurityEvent:
    id: str
    control: str
    """Security Hub control (and CIS benchmark item)."""
    description: str
    pattern: str


SECURITY_EVENTS: tuple[SecurityEvent, ...] = (
    SecurityEvent(
        "root-usage",
        "CloudWatch.1 (CIS 1.4.0/4.3)",
        "The root user was used",
        '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    ),
    SecurityEvent(
        "unauthorized-api-calls",
        "CloudWatch.2 (CIS 1.2.0/3.1)",
        "API calls were refused (unauthorized or access denied)",
        '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    ),
    SecurityEvent(
        "console-signin-without-mfa",
        "CloudWatch.3 (CIS 1.2.0/3.2)",
        "Console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    SecurityEvent(
        "iam-policy-changes",
        "CloudWatch.4 (CIS 1.4.0/4.4)",
        "IAM policies changed",
        "{($.eventSource=iam.amazonaws.com) && (($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy))}",
    ),
    SecurityEvent(
        "trail-changes",
        "CloudWatch.5 (CIS 1.4.0/4.5)",
        "CloudTrail configuration changed",
        "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}",
    ),
    SecurityEvent(
        "console-auth-failures",
        "CloudWatch.6 (CIS 1.4.0/4.6)",
        "Console sign-in failed",
        '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    ),
    SecurityEvent(
        "cmk-disable-or-delete",
        "CloudWatch.7 (CIS 1.4.0/4.7)",
        "A KMS key was disabled or scheduled for deletion",
        "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
    ),
    SecurityEvent(
        "s3-bucket-policy-changes",
        "CloudWatch.8 (CIS 1.4.0/4.8)",
        "An S3 bucket policy, ACL, CORS, lifecycle or replication changed",
        "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}",
    ),
    SecurityEvent(
        "config-changes",
        "CloudWatch.9 (CIS 1.4.0/4.9)",
        "AWS Config recording or delivery changed",
        "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}",
    ),
    SecurityEvent(
        "security-group-changes",
        "CloudWatch.10 (CIS 1.4.0/4.10)",
        "A security group changed",
        "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}",
    ),
    SecurityEvent(
        "nacl-changes",
        "CloudWatch.11 (CIS 1.4.0/4.11)",
        "A network ACL changed",
        "{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}",
    ),
    SecurityEvent(
        "network-gateway-changes",
        "CloudWatch.12 (CIS 1.4.0/4.12)",
        "A network gateway changed",
        "{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}",
    ),
    SecurityEvent(
        "route-table-changes",
        "CloudWatch.13 (CIS 1.4.0/4.13)",
        "A route table changed",
        "{($.eventSource=ec2.amazonaws.com) && (($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable))}",
    ),
    SecurityEvent(
        "vpc-changes",
        "CloudWatch.14 (CIS 1.4.0/4.14)",
        "A VPC changed",
        "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}",
    ),
    SecurityEvent(
        "organizations-changes",
        "CIS 1.4.0/4.15 (no Security Hub control)",
        "AWS Organizations changed",
        '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName= "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName ="UpdateOrganizationalUnit")) }',
    ),
)
"""AWS Security Hub controls CloudWatch.1-14 ("Security Hub CSPM controls for Amazon
CloudWatch"; patterns as AWS documents them, CloudWatch.4 and .13 in their current form
limited to IAM and EC2 events) and CIS AWS Foundations Benchmark 1.4.0 4.15 (AWS
Organizations changes: CIS's pattern, for which Security Hub has no control)."""


class SecurityAlarms(Construct):
    """Creates: per ``SECURITY_EVENTS`` row, a metric filter on the trail's log group
    (namespace ``<project>/<env>/security``, value 1 per matching event) and an alarm on
    it (Sum >= 1 over 5 minutes, missing data not breaching) notifying ``topic_arn``.

    Example::

        SecurityAlarms(stack, "security-alarms", provider=primary, naming=naming,
                       log_group_name=trail.log_group.name, topic_arn=topic_arn)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        naming: Naming,
        log_group_name: str,
        topic_arn: str,
        events: Sequence[SecurityEvent] | None = None,
    ):
        super().__init__(scope, id)
        namespace = f"{naming.project}/{naming.environment}/security"
        self.alarms: dict[str, CloudwatchMetricAlarm] = {}
        for event in events if events is not None else SECURITY_EVENTS:
            CloudwatchLogMetricFilter(
                self,
                f"{event.id}-filter",
                provider=provider,
                name=naming.name(event.id),
                log_group_name=log_group_name,
                pattern=event.pattern,
                metric_transformation=CloudwatchLogMetricFilterMetricTransformation(
                    name=event.id, namespace=namespace, value="1", default_value="0"
                ),
            )
            spec = AlarmSpec(
                id=event.id,
                description=f"{event.control}: {event.description}",
                namespace=namespace,
                metric_name=event.id,
                statistic="Sum",
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                notify_ok=False,
                period_seconds=SECURITY_PERIOD_SECONDS,
            )
            self.alarms[event.id] = metric_alarm(
                self,
                spec,
                provider=provider,
                naming=naming,
                dimensions=None,
                actions=[topic_arn],
                construct_id=f"{event.id}-alarm",
            )


def subscribe(
    scope: Construct, *, provider: AwsProvider, topic_arn: str, subscriptions: Sequence[tuple[str, str]]
) -> list[SnsTopicSubscription]:
    """One SNS subscription per ``(protocol, endpoint)`` on ``topic_arn``. Ids carry a
    hash of the endpoint (``alert-email-<8 hex>``), so removing one subscriber never
    replaces the others (which would send everyone a new confirmation request).

    SNS keeps a subscription pending until its endpoint confirms (an email link, or an
    HTTPS endpoint answering the SubscriptionConfirmation request) and deletes it after
    48 hours unconfirmed; the region's output ``alert_subscriptions_pending`` lists
    those not yet confirmed."""
    return [
        SnsTopicSubscription(
            scope,
            f"alert-{protocol}-{hashlib.sha256(endpoint.encode()).hexdigest()[:8]}",
            provider=provider,
            topic_arn=topic_arn,
            protocol=protocol,
            endpoint=endpoint,
        )
        for protocol, endpoint in subscriptions
    ]
