"""Output conventions every command shares: help with examples, --json, -q/-v, errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from shopsync.cli import main

COMMANDS = sorted(name for name, cmd in main.commands.items() if not cmd.hidden)
# Commands that report something a script may want to read.
REPORTING = {"validate", "plan", "push", "preview", "pull", "demo"}


def test_every_expected_command_exists() -> None:
    assert {"validate", "plan", "push", "preview", "pull", "demo", "sandbox"} <= set(COMMANDS)


def test_main_help_lists_commands_and_examples() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    for option in ("--env", "--env-file", "-q, --quiet", "-v, --verbose", "--version"):
        assert option in result.output
    for name in COMMANDS:
        assert f"  {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_has_runnable_examples(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Examples:" in text, f"shopsync {name} --help has no examples"
    examples = text.split("Examples:", 1)[1].splitlines()
    assert any(line.strip().startswith(f"shopsync {name}") for line in examples), examples


@pytest.mark.parametrize("name", sorted(REPORTING & set(COMMANDS)))
def test_reporting_commands_take_json(name: str) -> None:
    command = main.commands[name]
    flags = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert "--json" in flags


def test_usage_errors_go_to_stderr() -> None:
    result = CliRunner().invoke(main, ["validate", "--no-such-flag"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "No such option '--no-such-flag'" in result.stderr
