"""ObjectProcessing: the application bucket and the Lambda function its uploads trigger."""

from __future__ import annotations

from pathlib import Path

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionDeadLetterConfig,
    LambdaFunctionEnvironment,
    LambdaFunctionTracingConfig,
    LambdaFunctionVpcConfig,
)
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket_notification import S3BucketNotification, S3BucketNotificationLambdaFunction
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from constructs import Construct

from ..addressing import Facet
from ..buckets import SecureBucket, SecureBucketProps
from ..config import LambdaConfig
from ..context import Context
from ..iam import policy_document, service_role
from ..kms import RegionalKey
from ..logs import encrypted_log_group
from ..network import RegionalNetwork

LAMBDA_SOURCE = Path(__file__).resolve().parent.parent.parent / "lambda_src" / "object_created"
LAMBDA_RUNTIME = "python3.12"
DLQ_RETENTION_SECONDS = 1_209_600
"""14 days, the longest SQS keeps a message: failed events wait for a human that long."""


class ObjectProcessing(Facet):
    """Every object created in the application bucket is handed to a function.

    Creates: the application bucket (KMS, versioned, TLS-only, private, access-logged);
    the function's log group (KMS) and dead-letter queue (KMS); its role, allowed to
    read new objects, use the region key, write its own logs, dead-letter, trace,
    and manage its VPC network interfaces, nothing else; the function (in the private
    subnets, reserved concurrency, X-Ray, code packaged from ``lambda_src``); the
    permission for S3 of this account to invoke it, and the bucket notification.

    Example::

        ObjectProcessing(tier, "objects", provider=provider, ctx=ctx, props=config.app.function,
                         network=network, key=key, security_group=groups.function,
                         access_logs_to=lb.log_bucket, log_retention_days=365)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: LambdaConfig,
        network: RegionalNetwork,
        key: RegionalKey,
        security_group: SecurityGroup,
        access_logs_to: SecureBucket,
        log_retention_days: int,
    ):
        super().__init__(scope, id)
        n = ctx.naming
        account = key.account_id
        self.bucket = SecureBucket(
            self,
            "app-bucket",
            provider=provider,
            access_logs_to=access_logs_to,
            props=SecureBucketProps(
                name=f"{n.name('data')}-{account}",
                kms_key_arn=key.arn,
                access_log_prefix="s3/app-bucket/",
                stateful=ctx.stateful,
            ),
        )
        fname = n.name("object-created")
        log_group = encrypted_log_group(
            self,
            "function-logs",
            provider=provider,
            name=f"/aws/lambda/{fname}",
            retention_days=log_retention_days,
            key=key,
        )
        dlq = SqsQueue(
            self,
            "function-dlq",
            provider=provider,
            name=n.name("object-created-dlq"),
            kms_master_key_id=key.arn,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
        )
        role = service_role(
            self,
            "function-",
            provider=provider,
            name=n.name("object-created"),
            service="lambda.amazonaws.com",
            # No aws:SourceAccount: Lambda's documented execution role trust policy has none
            # (see constructs_lib.iam.TRUST_CONDITION_SERVICES).
            inline_policy=(
                "least-privilege",
                policy_document(
                    {
                        "Sid": "ReadNewObjects",
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                        "Resource": f"{self.bucket.arn}/*",
                    },
                    {
                        "Sid": "DecryptWithRegionKey",
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                        "Resource": key.arn,
                    },
                    {
                        "Sid": "WriteOwnLogs",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{log_group.arn}:*",
                    },
                    {"Sid": "DeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": dlq.arn},
                    {
                        "Sid": "Tracing",
                        "Effect": "Allow",
                        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                        "Resource": "*",
                    },
                    # ENI actions for a function in a VPC take no resource-level scoping
                    # (the ENIs do not exist yet); the same grant as AWS's managed
                    # AWSLambdaVPCAccessExecutionRole, without its logs:* on every group.
                    {
                        "Sid": "VpcNetworkInterfaces",
                        "Effect": "Allow",
                        "Action": [
                            "ec2:CreateNetworkInterface",
                            "ec2:DescribeNetworkInterfaces",
                            "ec2:DeleteNetworkInterface",
                            "ec2:AssignPrivateIpAddresses",
                            "ec2:UnassignPrivateIpAddresses",
                        ],
                        "Resource": "*",
                    },
                ),
            ),
        )
        asset = TerraformAsset(self, "function-code", path=str(LAMBDA_SOURCE), type=AssetType.ARCHIVE)
        self.function = LambdaFunction(
            self,
            "function",
            provider=provider,
            function_name=fname,
            role=role.arn,
            runtime=LAMBDA_RUNTIME,
            handler="handler.handler",
            filename=asset.path,
            source_code_hash=asset.asset_hash,
            memory_size=props.memory_mb,
            timeout=props.timeout_seconds,
            reserved_concurrent_executions=props.reserved_concurrency,
            kms_key_arn=key.arn,
            environment=LambdaFunctionEnvironment(variables={"LOG_LEVEL": "INFO"}),
            vpc_config=LambdaFunctionVpcConfig(
                subnet_ids=network.private_subnet_ids, security_group_ids=[security_group.id]
            ),
            dead_letter_config=LambdaFunctionDeadLetterConfig(target_arn=dlq.arn),
            tracing_config=LambdaFunctionTracingConfig(mode="Active"),
            depends_on=[log_group],
        )
        permission = LambdaPermission(
            self,
            "function-s3-permission",
            provider=provider,
            statement_id="AllowAppBucket",
            action="lambda:InvokeFunction",
            function_name=self.function.function_name,
            principal="s3.amazonaws.com",
            source_arn=self.bucket.arn,
            source_account=account,
        )
        S3BucketNotification(
            self,
            "app-bucket-notification",
            provider=provider,
            bucket=self.bucket.bucket_name,
            lambda_function=[
                S3BucketNotificationLambdaFunction(lambda_function_arn=self.function.arn, events=["s3:ObjectCreated:*"])
            ],
            depends_on=[permission],
        )
