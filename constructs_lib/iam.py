"""IAM policy documents the constructs share."""

from __future__ import annotations

import json


def assume_role_policy(service: str, source_account: str | None = None) -> str:
    """Trust policy letting ``service`` assume a role; with ``source_account`` only on
    behalf of that account (confused-deputy guard)."""
    statement: dict[str, object] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if source_account is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
