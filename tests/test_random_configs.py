"""Property: any valid config synthesizes into stacks that Terraform accepts."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constructs_lib.config import Config, parse
from constructs_lib.regions import AZ_LETTERS
from tooling.architecture import read_outdir

EXAMPLES = 15


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(AZ_LETTERS)), min_size=2, max_size=3, unique=True))
    seconds = draw(st.lists(st.integers(0, 255), min_size=len(names), max_size=len(names), unique=True))
    prefix = draw(st.integers(16, 20))
    regions = []
    for i, (name, second) in enumerate(zip(names, seconds, strict=True)):
        net = ipaddress.IPv4Network(f"10.{second}.0.0/{prefix}")
        regions.append(
            {
                "name": name,
                "role": "primary" if i == 0 else "secondary",
                "vpc_cidr": str(net),
                "az_count": draw(st.integers(2, min(3, len(AZ_LETTERS[name])))),
                "nat": draw(st.sampled_from(["per_az", "single"])),
            }
        )
    low = draw(st.integers(0, 4))
    desired = draw(st.integers(low, low + 3))
    engine = draw(st.sampled_from(["postgres", "mysql"]))
    disposable = draw(st.booleans())
    # Outside disposable environments the domain must be delegated (TLS on every internet hop).
    delegated = not disposable or draw(st.booleans())
    return {
        "project": draw(st.from_regex(r"[a-z][a-z0-9]{1,9}", fullmatch=True)),
        "environment": draw(st.sampled_from(["prod", "stage", "dev", "qa"])),
        "owner": "team",
        "cost_center": "cc-1",
        "disposable": disposable,
        "regions": regions,
        "network": {"interface_endpoints": draw(st.sampled_from([[], ["ssm"], ["ssm", "logs", "kms"]]))},
        "app": {
            "min_size": low,
            "desired_capacity": desired,
            "max_size": draw(st.integers(max(desired, 1), desired + 6)),
            "cpu_low_percent": draw(st.integers(5, 40)),
            "cpu_high_percent": draw(st.integers(50, 95)),
            "bastion": {"enabled": draw(st.booleans())},
        },
        "database": {
            "engine": engine,
            "engine_version": "16" if engine == "postgres" else "8.0",
            "multi_az": draw(st.booleans()),
        },
        "edge": {
            "delegated": delegated,
            "waf_enabled": draw(st.booleans()),
            "price_class": draw(st.sampled_from(["PriceClass_100", "PriceClass_200", "PriceClass_All"])),
        },
    }


def test_random_valid_configs_synthesize_and_validate(tmp_path_factory: Any, terraform: Any) -> None:
    from runtime import entry

    base = tmp_path_factory.mktemp("random")
    produced: list[Path] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(configs())
    def synthesize(data: dict[str, Any]) -> None:
        config: Config = parse(data)
        outdir = base / f"case-{len(produced)}"
        entry.synth(config, outdir=outdir)
        docs = read_outdir(outdir)
        assert len(docs) == len(config.regions) + 1
        produced.extend(outdir / "stacks" / name for name in docs)

    started = time.monotonic()
    synthesize()
    synthesized = time.monotonic()
    # One Terraform run validates every stack of every example.
    terraform.validate_many(produced, base / "validate")
    print(
        f"\n{EXAMPLES} random configs: {len(produced)} stacks synthesized in {synthesized - started:.1f}s, "
        f"validated in {time.monotonic() - synthesized:.1f}s"
    )
