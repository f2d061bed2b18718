"""What every stack of the product shares: provider pinning, backend, tags."""

from __future__ import annotations

from typing import Any

from cdktf import (
    LocalBackend,
    S3Backend,
    TerraformOutput,
    TerraformStack,
    TerraformVariable,
    TerraformVariableValidationConfig,
)
from cdktf_cdktf_provider_aws.provider import (
    AwsProvider,
    AwsProviderDefaultTags,
    AwsProviderEndpoints,
)
from constructs import Construct, Node

from constructs_lib.addressing import address_parts_of_path, logical_id
from constructs_lib.config import (
    DOMAIN_MAX_LENGTH,
    DOMAIN_PATTERN,
    EMULATED_SERVICES,
    RESERVED_DOMAINS,
    ZONE_ID_PATTERN,
    Config,
    domain_max_length,
)
from constructs_lib.context import Context
from constructs_lib.naming import Naming, default_tags
from constructs_lib.regions import provider_alias

AWS_PROVIDER_SOURCE = "hashicorp/aws"
"""Full registry address: the bindings write the short ``aws``, which OpenTofu rejects."""
AWS_PROVIDER_VERSION = "~> 5.100"
"""Any 5.x from 5.100 on (the bindings are generated from 5.100.0)."""
TERRAFORM_VERSION = ">= 1.11"
"""Write-only arguments (the database master password) need Terraform 1.11; S3-native
state locking (``use_lockfile``) 1.10."""


def naming_for(config: Config, region: str) -> Naming:
    """The naming of ``region`` (or of a pseudo-region such as ``global``)."""
    return Naming(project=config.project, environment=config.environment, region=region)


def tags_for(config: Config, region: str) -> dict[str, str]:
    """The product's tag set in ``region`` (provider ``default_tags`` and what they miss)."""
    return default_tags(
        project=config.project,
        environment=config.environment,
        region=region,
        owner=config.owner,
        cost_center=config.cost_center,
    )


def context_for(config: Config, region: str) -> Context:
    """What every construct of ``region``'s stack shares: names, whether stateful
    resources are protected (not in a disposable environment), the tag set."""
    return Context(naming=naming_for(config, region), stateful=not config.disposable, tags=tags_for(config, region))


DOMAIN_VARIABLE = "domain"
ZONE_ID_VARIABLE = "hosted_zone_id"
ASSUME_ROLE_VARIABLE = "assume_role_arn"


def zone_id_variable(stack: TerraformStack) -> str:
    """Declare the required variable ``hosted_zone_id`` (``TF_VAR_hosted_zone_id``) in ``stack`` and
    return a reference to it: the existing, delegated hosted zone of a delegated config
    that names none (every stack declares it, so a deploy without one stops at the
    first plan). Validated like ``edge.zone_id``."""
    variable = TerraformVariable(
        stack,
        ZONE_ID_VARIABLE,
        type="string",
        nullable=False,
        description=(
            "The id of the domain's existing, delegated Route 53 hosted zone (like Z0123456789ABC), for a config "
            "with edge.delegated = true and no edge.zone_id"
        ),
        validation=[
            TerraformVariableValidationConfig(
                condition=f'${{can(regex("{ZONE_ID_PATTERN}", var.hosted_zone_id))}}',
                error_message="The zone id is a Route 53 hosted zone id: Z and 1 to 31 capital letters or digits.",
            )
        ],
    )
    return variable.string_value


def domain_variable(stack: TerraformStack, *, max_length: int = DOMAIN_MAX_LENGTH) -> str:
    """Declare the required variable ``domain`` (``TF_VAR_domain``) in ``stack`` and
    return a reference to it. Used when the config names no domain: every stack of the
    config declares it, used or not, so that ``cdktf deploy`` or ``terraform apply``
    without a domain stops at the first stack's plan, before any resource exists. Its
    validation mirrors ``config.domain_problem`` (syntax, length, special-use names);
    ``max_length``: shorter when the ALB certificates name ``<region>.origin.<domain>``
    (ACM takes at most 64 characters)."""
    reserved = ", ".join(f'"{r}"' for r in RESERVED_DOMAINS)
    pattern = DOMAIN_PATTERN.replace("\\", "\\\\")
    variable = TerraformVariable(
        stack,
        DOMAIN_VARIABLE,
        type="string",
        nullable=False,
        description=(
            "The edge domain (a domain you own, like shop.acme.com), for a config without edge.domain. "
            "Set edge.domain in the config instead to have it checked before synth."
        ),
        validation=[
            TerraformVariableValidationConfig(
                condition=(
                    f'${{length(var.domain) <= {max_length} && can(regex("{pattern}", var.domain)) && '
                    f'!anytrue([for r in [{reserved}] : var.domain == r || endswith(var.domain, format(".%s", r))])}}'
                ),
                error_message=(
                    f"The domain must be a lowercase DNS name you own, at most {max_length} characters, and not a "
                    "special-use name (example.com, .test, .invalid, .localhost, .local, ...): Route 53 "
                    "creates no hosted zone for those."
                ),
            )
        ],
    )
    return variable.string_value


def assume_role_variable(stack: TerraformStack, role_arn: str) -> str:
    """Declare the variable ``assume_role_arn`` (default: the config's ``role_arn``) in
    ``stack`` and return a reference to it. A job that already holds the deploy role (CI
    through OIDC) sets ``TF_VAR_assume_role_arn=""``: with an empty ARN the provider
    assumes nothing, so no role has to be allowed to assume itself or another."""
    variable = TerraformVariable(
        stack,
        ASSUME_ROLE_VARIABLE,
        type="string",
        default=role_arn,
        nullable=False,
        description=(
            "The role the AWS providers assume (config: account.role_arn); empty to use the credentials as "
            "they are, e.g. in CI, where the job already holds the deploy role"
        ),
    )
    return str(variable.string_value)


class ReadableStack(TerraformStack):
    """A stack whose resource addresses are readable.

    Resource addresses are the construct path below the stack joined by ``_``,
    facets left out (``constructs_lib.addressing``)
    (``aws_subnet.network_public-0``) instead of cdktf's default, which appends a
    hash (``network_public-0_1A2B3C4D``): addresses stay short, readable and stable,
    and a ``terraform state mv`` after a refactor is predictable.
    """

    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id)
        self._allocated: dict[str, str] = {}
        self._path = self.node.path
        self._facets: set[str] = set()

    def register_facet(self, path: str) -> None:
        """Called by every ``Facet`` below this stack with its construct path."""
        self._facets.add(path)

    def address_parts(self, path: str) -> list[str]:
        """The ids that make the Terraform address of the element at construct ``path``
        (below this stack, facets left out): ``.../app/fleet/asg`` -> ``["app", "asg"]``."""
        return address_parts_of_path(path, self._path, self._facets)

    def _allocate_logical_id(self, tf_element: Any) -> str:
        # A callback from the kernel for every element: the name comes from the path
        # (two kernel calls) rather than from walking the scopes (two calls per scope),
        # which took a third of the synth.
        full = (tf_element if isinstance(tf_element, Node) else tf_element.node).path
        name = logical_id(self.address_parts(full))
        # Joining ids could in theory map two paths to one name; Terraform JSON would
        # then merge them silently, so refuse instead.
        if self._allocated.setdefault(name, full) != full:
            raise ValueError(
                f"construct paths {self._allocated[name]} and {full} both map to Terraform name {name}; rename one"
            )
        return name


class ProductStack(ReadableStack):
    """A stack with the product's backend and provider pinning."""

    def __init__(self, scope: Construct, id: str, *, config: Config):
        super().__init__(scope, id)
        self.config = config
        if config.backend is not None:
            b = config.backend
            S3Backend(
                self,
                bucket=b.bucket,
                key=f"{b.key_prefix}/{id}.tfstate",
                region=b.region,
                encrypt=True,
                kms_key_id=b.kms_key_id,
            )
            # cdktf 0.21's S3Backend predates use_lockfile (Terraform 1.10).
            self.add_override("terraform.backend.s3.use_lockfile", b.use_lockfile)
        else:
            # A relative path keeps the synthesized JSON free of this machine's paths;
            # Terraform runs in cdktf.out/stacks/<stack>, so state lands in the project root.
            LocalBackend(self, path=f"../../../terraform.{id}.tfstate")
        self.add_override("terraform.required_providers.aws.source", AWS_PROVIDER_SOURCE)
        self.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION)
        self.add_override("terraform.required_version", TERRAFORM_VERSION)
        self.domain = config.edge.domain or domain_variable(self, max_length=domain_max_length(config))
        """The edge domain: the config's, or a reference to the required variable."""
        self.zone_id = config.edge.zone_id
        """The existing hosted zone: the config's, a reference to the required variable
        (delegated without one), or None (the global stack creates a zone)."""
        if config.edge.delegated and self.zone_id is None:
            self.zone_id = zone_id_variable(self)
        role_arn = config.account.role_arn if config.account else None
        self.assume_role_arn = assume_role_variable(self, role_arn) if role_arn else None
        """The role every provider of this stack assumes (a variable reference), or None."""

    def aws_provider(self, region: str, *, alias: str | None = None) -> AwsProvider:
        """An AWS provider for ``region``, aliased by region, with the product's default tags."""
        c = self.config
        emulator: dict[str, Any] = {}
        if c.emulator is not None:
            # Only what a local emulator needs; the default synth contains none of it.
            emulator = {
                "access_key": "test",
                "secret_key": "test",
                # Credentials are checked (skip_credentials_validation unset), as on AWS: with
                # STS in the provider's region. Skipped, the provider would ask IAM (one global
                # endpoint, in us-east-1) for the account, and a region could not plan alone.
                # The account id must be known: without it the provider writes
                # security-group references as "<account>/sg-..." and never converges.
                "skip_requesting_account_id": False,
                "skip_metadata_api_check": "true",
                "s3_use_path_style": True,
                "endpoints": [
                    AwsProviderEndpoints(**{svc: c.emulator.service_url(svc, region) for svc in EMULATED_SERVICES})
                ],
            }
        account: dict[str, Any] = {}
        if c.account is not None:
            # Terraform refuses to plan with credentials of another account.
            account["allowed_account_ids"] = [c.account.id]
        provider = AwsProvider(
            self,
            f"aws-{region}",
            region=region,
            alias=alias or provider_alias(region),
            **emulator,
            **account,
            default_tags=[AwsProviderDefaultTags(tags=tags_for(c, region))],
        )
        if c.account is not None and self.assume_role_arn is not None:
            # A dynamic block, so that TF_VAR_assume_role_arn="" (CI, already holding the
            # role) leaves out assume_role entirely: an assume_role block with an empty
            # role_arn makes provider 5.100 warn on every plan.
            var = f"var.{ASSUME_ROLE_VARIABLE}"
            role = {
                "role_arn": "${assume_role.value}",
                "session_name": c.account.session_name or f"{c.project}-{c.environment}-terraform",
                **({"external_id": c.account.external_id} if c.account.external_id else {}),
            }
            provider.add_override(
                "dynamic.assume_role", {"for_each": f'${{{var} == "" ? [] : [{var}]}}', "content": role}
            )
        return provider

    def outputs(self, *rows: tuple[str, Any, str]) -> None:
        """A described ``TerraformOutput`` per ``(name, value, description)``; a row
        whose value is None (e.g. no bastion in this config) is left out."""
        for name, value, description in rows:
            if value is not None:
                TerraformOutput(self, name, value=value, description=description)
