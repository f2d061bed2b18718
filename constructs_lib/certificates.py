"""DnsValidatedCertificate: an ACM certificate validated by records in a Route 53 zone."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformIterator, TerraformResourceLifecycle, Token
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate, AcmCertificateOptions
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from constructs import Construct


@dataclass(frozen=True, kw_only=True)
class DnsValidatedCertificateProps:
    domain: str
    """Primary name of the certificate. Required."""
    zone_id: str
    """Hosted zone that answers for the names (must be delegated). Required."""
    alternative_names: tuple[str, ...] = ()
    validated_elsewhere: tuple[str, ...] = ()
    """Names whose validation record another stack writes, as HCL string expressions
    (``"origin.shop.acme.com"``, or ``"origin.${var.domain}"``): ACM's validation CNAME
    depends only on the name and the account, so certificates of several stacks sharing
    a name share one record, and it must have one owner, or destroying any of those
    stacks deletes it and the others' certificates stop renewing (ACM User Guide, "DNS
    validation"). Default: none, this stack writes every record."""


class DnsValidatedCertificate(Construct):
    """Creates ``aws_acm_certificate`` (DNS validation, transparency logging), one
    ``aws_route53_record`` per validation option (a ``for_each`` over the options ACM
    returns at apply time, the one list here not known at synth), and
    ``aws_acm_certificate_validation``. Use ``arn`` (the validated ARN), so listeners
    and distributions wait for validation.

    Only instantiate this for a delegated zone: validation would wait forever on a
    name nobody can resolve.
    """

    def __init__(self, scope: Construct, id: str, *, provider: AwsProvider, props: DnsValidatedCertificateProps):
        super().__init__(scope, id)
        self.certificate = AcmCertificate(
            self,
            "certificate",
            provider=provider,
            domain_name=props.domain,
            subject_alternative_names=list(props.alternative_names) or None,
            validation_method="DNS",
            options=AcmCertificateOptions(certificate_transparency_logging_preference="ENABLED"),
            # A listener or distribution still uses the old certificate while it is
            # replaced: ACM refuses to delete a certificate in use (ResourceInUseException).
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        options = TerraformIterator.from_complex_list(self.certificate.domain_validation_options, "domain_name")
        records = Route53Record(
            self,
            "validation",
            provider=provider,
            for_each=options,
            zone_id=props.zone_id,
            name=options.get_string("resource_record_name"),
            type=options.get_string("resource_record_type"),
            records=[options.get_string("resource_record_value")],
            ttl=60,
            allow_overwrite=True,
        )
        if props.validated_elsewhere:
            # The for_each cdktf writes, less the names another stack's records validate.
            records.add_override(
                "for_each",
                f"${{{{ for key, val in tolist({self.certificate.fqn}.domain_validation_options): "
                f"val.domain_name => val if !contains([{', '.join(props.validated_elsewhere)}], val.domain_name) }}}}",
            )
        self.validation = AcmCertificateValidation(
            self,
            "validated",
            provider=provider,
            certificate_arn=self.certificate.arn,
            # With a record written elsewhere the list would lack it, and the provider
            # refuses a list missing a name of the certificate ("missing ... DNS
            # validation record"): then wait for ACM to issue it, after this stack's records.
            validation_record_fqdns=None
            if props.validated_elsewhere
            else Token.as_list(f"${{[for r in {records.fqn} : r.fqdn]}}"),
            depends_on=[records] if props.validated_elsewhere else None,
        )

    @property
    def arn(self) -> str:
        return self.validation.certificate_arn
