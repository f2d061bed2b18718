"""The deploy preflight (``make preflight``, run by ``make deploy``): what stops a
shipped config before anything is created."""

from __future__ import annotations

from pathlib import Path

import pytest

from tooling import preflight

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
REAL_AWS_CONFIGS = ["default.toml", "mysql.toml", "dev.toml"]
ZONE = "Z0123456789ABC"
ACCOUNT = (
    '\n[account]\nid = "111122223333"\nrole_arn = "arn:aws:iam::111122223333:role/deployer"\n'
    '\n[backend]\nbucket = "acme-terraform-state"\nregion = "us-east-1"\n'
    '\n[alerts]\nemail = ["oncall@acme.com"]\n'
)


def with_account(tmp_path: Path, extra: str = "") -> Path:
    """config/default.toml with a target account and a state bucket (and ``extra``)."""
    path = tmp_path / "prod.toml"
    path.write_text((CONFIG_DIR / "default.toml").read_text() + ACCOUNT + extra)
    return path


@pytest.mark.parametrize("name", REAL_AWS_CONFIGS)
def test_shipped_config_stops_naming_what_to_set(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped configs cannot know your domain, state bucket or account: one line
    for each (a disposable profile may keep local state)."""
    assert preflight.main([str(CONFIG_DIR / name)], env={}) == 2
    err = capsys.readouterr().err.strip().splitlines()
    where = f"preflight: {CONFIG_DIR / name}: "
    expected = [
        f"{where}edge.domain: not set; set edge.domain in the config to a domain you own "
        "(like shop.acme.com), or export TF_VAR_domain",
        f"{where}edge.zone_id: not set; with delegated = true set edge.zone_id to the id of the domain's "
        "existing, delegated hosted zone (like Z0123456789ABC), or export TF_VAR_hosted_zone_id",
        f"{where}backend: not set; a non-disposable environment keeps its state in S3: add [backend] (README, State), "
        "local state dies with the machine or the CI runner",
        f"{where}alerts: no subscriber; add [alerts] with email = [...] or https = [...], or every alarm "
        "(application, database, security) notifies nobody",
        f"{where}account.id: not set; add [account] with id = the 12-digit AWS account this "
        "environment deploys to (and role_arn to assume a deploy role), so that it can never be applied to another "
        "account",
    ]
    disposable = name == "dev.toml"
    assert err == (
        [line for line in expected if not line.startswith((f"{where}backend", f"{where}alerts", f"{where}edge.zone"))]
        if disposable
        else expected
    )


@pytest.mark.parametrize(
    ("domain", "words"),
    [
        ("shop.example.com", "special-use name 'example.com'"),
        ("intranet.local", "special-use name 'local'"),
        ("app.localhost", "special-use name 'localhost'"),
        ("Shop.Acme.com", "is not a lowercase DNS name"),
        ("a" * 201 + ".com", "at most 200 characters"),
    ],
)
def test_domain_from_the_environment_is_checked_like_the_config(
    tmp_path: Path, domain: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"TF_VAR_domain": domain, "TF_VAR_hosted_zone_id": ZONE}
    assert preflight.main([str(with_account(tmp_path))], env=env) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "TF_VAR_domain: " in line and words in line, line


def in_edge(tmp_path: Path, lines: str) -> Path:
    """``with_account`` with ``lines`` added to default.toml's [edge] section."""
    path = with_account(tmp_path)
    path.write_text(path.read_text().replace("delegated = true\n", f"delegated = true\n{lines}"))
    return path


def test_a_domain_you_own_its_zone_and_an_account_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = {"TF_VAR_domain": "shop.acme.com", "TF_VAR_hosted_zone_id": ZONE}
    assert preflight.main([str(with_account(tmp_path))], env=env) == 0
    assert "ready to deploy" in capsys.readouterr().out
    configured = in_edge(tmp_path, f'domain = "shop.acme.com"\nzone_id = "{ZONE}"\n')
    assert preflight.main([str(configured)], env={}) == 0


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"TF_VAR_domain": "shop.acme.com"}, "edge.zone_id: not set"),
        ({"TF_VAR_domain": "shop.acme.com", "TF_VAR_hosted_zone_id": "/hostedzone/Z01"}, "is not a Route 53 zone id"),
        ({"TF_VAR_domain": "a" * 40 + ".acme.com", "TF_VAR_hosted_zone_id": ZONE}, "ACM takes at most 64"),
    ],
)
def test_a_delegated_deploy_needs_its_zone_and_a_domain_acm_takes(
    tmp_path: Path, env: dict[str, str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert preflight.main([str(with_account(tmp_path))], env=env) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert words in line, line


def test_emulator_profile_needs_no_real_domain() -> None:
    assert preflight.main([str(CONFIG_DIR / "local.toml")], env={}) == 0


def test_config_error_is_reported_as_synth_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (CONFIG_DIR / "default.toml")
        .read_text()
        .replace("delegated = true\n", 'delegated = true\ndomain = "shop.example.net"\n')
    )
    assert preflight.main([str(bad)], env={}) == 2
    err = capsys.readouterr().err
    assert f"{bad}: edge.domain: 'shop.example.net' is under the special-use name 'example.net'" in err
    assert "Traceback" not in err


def test_config_path_defaults_to_stack_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert preflight.main([], env={"STACK_CONFIG": str(CONFIG_DIR / "local.toml")}) == 0
    assert "local.toml: ready to deploy" in capsys.readouterr().out
