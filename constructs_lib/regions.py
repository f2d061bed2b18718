"""Static facts about AWS regions that the config validates against.

Kept as data (not a lookup) so that synthesis needs no AWS credentials and is
deterministic. AZ letters are the ones every account sees for these regions; an
account whose AZ names differ gives them explicitly with ``azs = [...]``.
"""

from __future__ import annotations

AZ_LETTERS: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "eu-south-1": "abc",
    "ap-south-1": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "sa-east-1": "abc",
}
"""Supported regions and the AZ suffixes available in each."""

SUPPORTED_REGIONS: tuple[str, ...] = tuple(sorted(AZ_LETTERS))


def default_azs(region: str, count: int) -> tuple[str, ...]:
    """The first ``count`` AZ names of ``region`` (``us-east-1a``, ``us-east-1b``, ...)."""
    letters = AZ_LETTERS[region]
    if count > len(letters):
        raise ValueError(f"{region} has {len(letters)} availability zones, {count} requested")
    return tuple(f"{region}{letter}" for letter in letters[:count])


def provider_alias(region: str) -> str:
    """Terraform provider alias for a region: ``us-east-1`` -> ``us_east_1``."""
    return region.replace("-", "_")
