"""The deploy preflight (``make preflight``, run by ``make deploy``): what stops a
shipped config before anything is created."""

from __future__ import annotations

from pathlib import Path

import pytest

from tooling import preflight

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
REAL_AWS_CONFIGS = ["default.toml", "mysql.toml", "dev.toml"]


@pytest.mark.parametrize("name", REAL_AWS_CONFIGS)
def test_shipped_config_without_a_domain_stops_naming_what_to_set(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert preflight.main([str(CONFIG_DIR / name)], env={}) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"preflight: {CONFIG_DIR / name}: edge.domain: not set; set edge.domain in the config to a domain you own "
        "(like shop.acme.com), or export TF_VAR_domain"
    ]


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
    domain: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert preflight.main([str(CONFIG_DIR / "default.toml")], env={"TF_VAR_domain": domain}) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "TF_VAR_domain: " in line and words in line, line


def test_a_domain_you_own_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert preflight.main([str(CONFIG_DIR / "default.toml")], env={"TF_VAR_domain": "shop.acme.com"}) == 0
    assert "ready to deploy" in capsys.readouterr().out


def test_emulator_profile_needs_no_real_domain() -> None:
    assert preflight.main([str(CONFIG_DIR / "local.toml")], env={}) == 0


def test_config_error_is_reported_as_synth_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((CONFIG_DIR / "default.toml").read_text() + '\n[edge]\ndomain = "shop.example.net"\n')
    assert preflight.main([str(bad)], env={}) == 2
    err = capsys.readouterr().err
    assert f"{bad}: edge.domain: 'shop.example.net' is under the special-use name 'example.net'" in err
    assert "Traceback" not in err


def test_config_path_defaults_to_stack_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert preflight.main([], env={"STACK_CONFIG": str(CONFIG_DIR / "local.toml")}) == 0
    assert "local.toml: ready to deploy" in capsys.readouterr().out
