"""Checks a real deploy runs before anything is created (``make deploy`` runs them
first): what the config cannot know on its own because it comes from the environment.

- The config validates (the same checks as synth).
- A non-disposable environment keeps its state in S3 (``[backend]``), not on the
  machine (or CI runner) that happens to deploy.
- Someone hears the alarms: a non-disposable config names at least one subscriber.
- The target account is named (``[account] id``): every provider then refuses
  credentials of any other account.
- The edge domain is deployable: ``edge.domain`` in the config, or ``TF_VAR_domain``
  when the config leaves it unset (the stacks then require that variable), and it is not
  a special-use name Route 53 refuses (``config.domain_problem``); with delegated = true,
  no longer than the ALB certificates allow.
- A delegated config names its hosted zone: ``edge.zone_id``, or ``TF_VAR_hosted_zone_id``
  (a Route 53 zone id).

Each problem is one line naming what to set; exit status 2 when there is any, 0 when
the deploy may start. Usage: ``python -m tooling.preflight [CONFIG]`` (default:
``$STACK_CONFIG``, else config/default.toml).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence

from constructs_lib.config import ZONE_ID_PATTERN, Config, ConfigError, domain_max_length, domain_problem, load
from runtime.entry import CONFIG_ENV, DEFAULT_CONFIG, EXIT_BAD_CONFIG, report


def problems(config: Config, env: Mapping[str, str]) -> list[str]:
    """What stops ``config`` from deploying with environment ``env``; empty when nothing."""
    found: list[str] = []
    if config.emulator is None and config.edge.domain is None:
        from_env = env.get("TF_VAR_domain", "")
        if not from_env:
            found.append(
                "edge.domain: not set; set edge.domain in the config to a domain you own "
                "(like shop.acme.com), or export TF_VAR_domain"
            )
        else:
            problem = domain_problem(from_env)
            limit = domain_max_length(config)
            if problem is None and len(from_env) > limit:
                problem = (
                    f"{len(from_env)} characters; with delegated = true the ALB certificates are for "
                    f"<region>.origin.<domain>, and ACM takes at most 64 characters: at most {limit}"
                )
            if problem is not None:
                found.append(f"TF_VAR_domain: {problem}")
    if config.emulator is None and config.edge.delegated and config.edge.zone_id is None:
        zone = env.get("TF_VAR_hosted_zone_id", "")
        if not zone:
            found.append(
                "edge.zone_id: not set; with delegated = true set edge.zone_id to the id of the domain's "
                "existing, delegated hosted zone (like Z0123456789ABC), or export TF_VAR_hosted_zone_id"
            )
        elif not re.match(ZONE_ID_PATTERN, zone):
            found.append(f"TF_VAR_hosted_zone_id: '{zone}' is not a Route 53 zone id (Z and capitals or digits)")
    if config.emulator is None and config.backend is None and not config.disposable:
        found.append(
            "backend: not set; a non-disposable environment keeps its state in S3: add [backend] (README, State), "
            "local state dies with the machine or the CI runner"
        )
    if config.emulator is None and not config.disposable and not config.alerts.subscriptions:
        found.append(
            "alerts: no subscriber; add [alerts] with email = [...] or https = [...], or every alarm "
            "(application, database, security) notifies nobody"
        )
    if config.emulator is None and config.account is None:
        found.append(
            "account.id: not set; add [account] with id = the 12-digit AWS account this environment deploys to "
            "(and role_arn to assume a deploy role), so that it can never be applied to another account"
        )
    return found


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if env is None else env
    # As synth does: a STACK_CONFIG that is set but empty is an error, not the default.
    path = args[0] if args else environ.get(CONFIG_ENV, DEFAULT_CONFIG)
    try:
        config = load(path)
    except ConfigError as err:
        return report(err)
    found = problems(config, environ)
    for problem in found:
        print(f"preflight: {path}: {problem}", file=sys.stderr)
    if found:
        return EXIT_BAD_CONFIG
    print(f"preflight: {path}: ready to deploy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
