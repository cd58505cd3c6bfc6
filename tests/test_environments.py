"""Named environments: settings from shopsync.toml / pyproject.toml, secrets only from env."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from shopsync.cli import AppState, load_settings_from_ctx, main
from shopsync.environments import environment_overrides, load_environments, selected_environment
from shopsync.errors import EXIT_CONFIG, ConfigError

from .cli_support import Cli

TOKEN = "shpat_do_not_print_0123456789"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_environments_from_both_files(tmp_path: Path) -> None:
    write(tmp_path / "shopsync.toml", '[environments.au]\nshop = "oriems-au"\nblog = "news"\n')
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.shopsync.environments.us]\nshop = "oriems-us"\n',
    )
    envs = load_environments(tmp_path)
    assert sorted(envs) == ["au", "us"]
    assert envs["au"].settings == {"shop": "oriems-au", "blog": "news"}
    assert envs["us"].source == "pyproject.toml"
    assert envs["au"].secret_prefix == "SHOPSYNC_AU_"


def test_per_environment_secret_wins_over_plain_one(tmp_path: Path) -> None:
    write(tmp_path / "shopsync.toml", '[environments.au-2]\nshop = "oriems-au"\n')
    values = environment_overrides(
        "au-2",
        root=tmp_path,
        environ={"SHOPSYNC_AU_2_ACCESS_TOKEN": TOKEN, "SHOPSYNC_ACCESS_TOKEN": "plain"},
        env_file=tmp_path / "missing.env",
    )
    assert values == {"shop": "oriems-au", "access_token": TOKEN}
    # Without a per-environment secret the plain variable applies (Settings reads it).
    plain = environment_overrides("au-2", root=tmp_path, environ={}, env_file=tmp_path / "x")
    assert "access_token" not in plain


def test_per_environment_secret_from_env_file(tmp_path: Path) -> None:
    write(tmp_path / "shopsync.toml", '[environments.au]\nshop = "oriems-au"\n')
    env_file = write(tmp_path / "au.env", f"SHOPSYNC_AU_CLIENT_SECRET={TOKEN}\n")
    values = environment_overrides("au", root=tmp_path, environ={}, env_file=env_file)
    assert values["client_secret"] == TOKEN


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (f'[environments.au]\naccess_token = "{TOKEN}"\n', "must not be in a committed file"),
        ('[environments.au]\nclient_secret = "x"\n', "must not be in a committed file"),
        ('[environments.au]\nshopp = "x"\n', "unknown setting 'shopp'"),
        ('[environments]\nau = "x"\n', "must be a table"),
        ("[environments.au\n", "not valid TOML"),
    ],
)
def test_bad_environment_files_are_refused(tmp_path: Path, text: str, needle: str) -> None:
    write(tmp_path / "shopsync.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_environments(tmp_path)
    assert needle in caught.value.message
    assert TOKEN not in caught.value.message
    assert caught.value.hint


def test_same_name_in_two_files_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "shopsync.toml", '[environments.au]\nshop = "a"\n')
    write(tmp_path / "pyproject.toml", '[tool.shopsync.environments.au]\nshop = "b"\n')
    with pytest.raises(ConfigError, match="defined in both"):
        load_environments(tmp_path)


def test_selected_environment_prefers_the_flag() -> None:
    assert selected_environment("au", {"SHOPSYNC_ENV": "us"}) == "au"
    assert selected_environment(None, {"SHOPSYNC_ENV": "us"}) == "us"
    assert selected_environment(None, {"SHOPSYNC_ENV": " "}) is None


def test_env_flag_selects_store_settings(tmp_path: Path, cli: Cli) -> None:
    environ = {"SHOPSYNC_SHOP": "default-store", "SHOPSYNC_AU_ACCESS_TOKEN": TOKEN}
    write(
        tmp_path / "shopsync.toml",
        '[environments.au]\nshop = "oriems-au"\narticles_dir = "au-articles"\n',
    )
    write(tmp_path / "au-articles" / "one.md", "---\ntitle: One\nauthor: A\n---\nText\n")
    result = cli("--env", "au", "validate", "--json", env=environ)
    assert result.exit_code == 0, result.output
    assert [a["path"] for a in json.loads(result.output)["articles"]] == ["au-articles/one.md"]

    for name, shop in (("au", "oriems-au"), (None, "default-store")):
        with pytest.MonkeyPatch.context() as patch:  # Settings read the process environment
            for key, value in environ.items():
                patch.setenv(key, value)
            with click.Context(main, obj=AppState(env_name=name, root=tmp_path)) as ctx:
                settings = load_settings_from_ctx(ctx)
        assert settings.shop == shop
        assert TOKEN not in repr(settings)
        if name == "au":
            assert settings.access_token is not None
            assert settings.access_token.get_secret_value() == TOKEN


def test_unknown_environment_is_one_line_with_a_hint(tmp_path: Path, cli: Cli) -> None:
    write(tmp_path / "shopsync.toml", '[environments.au]\nshop = "oriems-au"\n')
    result = cli("--env", "nz", "validate")
    assert result.exit_code == EXIT_CONFIG
    lines = result.stderr.splitlines()
    assert lines[0] == "error: unknown environment 'nz' (known: au)"
    assert lines[1].startswith("hint: add [environments.nz] to shopsync.toml")
