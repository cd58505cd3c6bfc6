"""Output conventions every command shares: help with examples, --json, -q/-v, errors."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from shopsync.cli import main
from shopsync.errors import EXIT_CONFIG, EXIT_USAGE

COMMANDS = sorted(name for name, cmd in main.commands.items() if not cmd.hidden)
# Commands that report something a script may want to read.
REPORTING = {"validate", "plan", "push", "preview", "pull", "demo"}


def test_every_expected_command_exists() -> None:
    assert {"validate", "plan", "push", "preview", "pull", "demo", "sandbox"} <= set(COMMANDS)


def test_main_help_lists_commands_and_examples() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    for option in ("-C, --root", "--env", "--env-file", "-q, --quiet", "-v, --verbose"):
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


@pytest.mark.parametrize(
    "args",
    [["validate", "--no-such-flag"], ["no-such-command"], ["plan", "--prune=everything"]],
)
def test_usage_errors_go_to_stderr_and_never_exit_2(args: list[str]) -> None:
    # 2 is what `plan --detailed-exitcode` says for "changes": a typo must not look like it.
    result = CliRunner().invoke(main, args)
    assert result.exit_code == EXIT_USAGE == 64
    assert result.stdout == ""
    assert "Usage:" in result.stderr and "Error:" in result.stderr


def test_the_sandbox_command_reports_through_the_same_handler() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["sandbox", "--port", str(port)])
    assert result.exit_code == EXIT_CONFIG
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert lines[1] == "hint: pick another --port, or --port 0 for any free one"
