"""``shopsync validate`` and the CLI frame: exit codes, human and JSON output, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from shopsync import __version__
from shopsync.cli import ShopsyncGroup, json_option
from shopsync.errors import EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_USAGE, ConfigError

from .cli_support import Cli

REPO = Path(__file__).resolve().parents[1]

# One file per bad input; each line says (file, line, field) of the problem it must give.
BROKEN: dict[str, str | bytes] = {
    "no-front-matter.md": "# Title\n\nText\n",
    "yaml-error.md": "---\ntitle: T\nauthor: A: B\n---\n",
    "wrong-types.md": "---\ntitle: T\nauthor: A\ntags: ems\n---\n",
    "empty-title.md": '---\ntitle: ""\nauthor: A\n---\n',
    "long-title.md": "---\ntitle: " + "t" * 256 + "\nauthor: A\n---\n",
    "bad-handle.md": "---\ntitle: T\nauthor: A\nhandle: Bad_Handle\n---\n",
    "naive-date.md": "---\ntitle: T\nauthor: A\nstatus: published\n"
    "publish_date: 2020-01-01 09:00:00\n---\n",
    "future-published.md": "---\ntitle: T\nauthor: A\nstatus: published\n"
    "publish_date: 2999-01-01T09:00:00Z\n---\n",
    "unknown-key.md": "---\ntitle: T\nauthor: A\nsumary: x\n---\n",
    "impossible-date.md": "---\ntitle: T\nauthor: A\nstatus: published\n"
    "publish_date: 2025-02-30T09:00:00+10:00\n---\n",
    "seo-two-lines.md": "---\ntitle: T\nauthor: A\nseo:\n  title: |\n    One\n    Two\n---\n",
    "dup-a.md": "---\ntitle: T\nauthor: A\nhandle: same\n---\n",
    "dup-b.md": "---\ntitle: T\nauthor: A\nhandle: same\n---\n",
    "no-disclaimer.md": "---\ntitle: T\nauthor: A\ndisclaimer: missing-page\n---\n",
    "bad-pmid.md": "---\ntitle: T\nauthor: A\ncitation:\n  pmid: abc\n  title: T\n"
    "  journal: J\n  year: 2016\n---\n",
    "outside-image.md": "---\ntitle: T\nauthor: A\nimage:\n  src: ../x.png\n  alt: x\n---\n",
    "latin1.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1"),
    "empty.md": "",
    "binary.md": b"\x00\x01\x02\x03binary",
    "huge.md": "---\ntitle: T\nauthor: A\n---\n" + "word " * 500_000,
    "big-body.md": "---\ntitle: T\nauthor: A\n---\n" + "a" * 1_000_001,
}
EXPECTED = {
    ("no-front-matter.md", 1, None),
    ("yaml-error.md", 3, None),
    ("wrong-types.md", 4, "tags"),
    ("empty-title.md", 2, "title"),
    ("long-title.md", 2, "title"),
    ("bad-handle.md", 4, "handle"),
    ("naive-date.md", 5, "publish_date"),
    ("future-published.md", 5, "publish_date"),
    ("unknown-key.md", 4, "sumary"),
    ("impossible-date.md", 5, "publish_date"),
    ("seo-two-lines.md", 5, "seo.title"),
    ("dup-b.md", 4, "handle"),
    ("no-disclaimer.md", 4, "disclaimer"),
    ("bad-pmid.md", 5, "citation.pmid"),
    ("outside-image.md", 5, "image.src"),
    ("latin1.md", 2, None),
    ("empty.md", 1, None),
    ("binary.md", None, None),
    ("huge.md", None, None),
    ("big-body.md", 5, "body"),
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    folder.mkdir()
    for name, data in BROKEN.items():
        target = folder / name
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return folder


def test_samples_validate_clean(cli: Cli) -> None:
    result = cli.at(REPO)("validate", "articles")
    assert result.exit_code == 0, result.output
    assert "ok: 4 files valid (3 articles, 1 page)" in result.stdout


def test_default_path_comes_from_settings(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "x.md").write_text("no front matter\n", encoding="utf-8")
    result = cli("validate", env={"SHOPSYNC_ARTICLES_DIR": "content"})
    assert result.exit_code == 1
    assert "content/x.md:1: missing front matter" in result.stdout


def test_broken_directory_lists_every_problem(broken: Path, cli: Cli) -> None:
    result = cli("validate", "broken")
    assert result.exit_code == 1
    out = result.stdout
    for name, line, field in EXPECTED:
        location = f"broken/{name}:{line}:" if line else f"broken/{name}:"
        prefix = f"{location} {field}:" if field else location
        assert prefix in out, (prefix, out)
    assert out.count("    hint: ") >= len(EXPECTED)
    assert f"{len(EXPECTED)} problems in {len(EXPECTED)} of {len(BROKEN)} files" in out
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "moment", ["2025-13-01T09:00:00+10:00", "2025-02-01T25:00:00Z", "2025-02-01T09:00:00+25:00"]
)
def test_an_impossible_date_hides_no_other_file(tmp_path: Path, cli: Cli, moment: str) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a-date.md").write_text(
        f"---\ntitle: T\nauthor: A\nstatus: published\npublish_date: {moment}\n---\n",
        encoding="utf-8",
    )
    (folder / "b-other.md").write_text("---\ntitle: T\n---\n", encoding="utf-8")
    result = cli("validate", "articles")
    assert result.exit_code == 1, result.output
    assert f"articles/a-date.md:5: publish_date: '{moment}' is not a real date-time" in (
        result.stdout
    )
    assert "articles/b-other.md:1: author: author is required" in result.stdout
    assert "2 problems in 2 of 2 files" in result.stdout
    assert "internal error" not in result.output


def test_json_output_has_the_same_problems(broken: Path, cli: Cli) -> None:
    result = cli("validate", "--json", "broken")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["files"] == len(BROKEN)
    found = {(Path(p["path"]).name, p["line"], p["field"]) for p in data["problems"]}
    assert found == EXPECTED
    assert all(set(p) == {"path", "line", "field", "message", "hint"} for p in data["problems"])
    assert [a["path"] for a in data["articles"]] == ["broken/dup-a.md"]


def test_json_clean_run(cli: Cli) -> None:
    data = json.loads(cli.at(REPO)("validate", "--json", "articles").stdout)
    assert data["ok"] is True and data["problems"] == []
    # The scheduled sample is published once its date passes (a note, not an error).
    assert {"draft", "published"} <= {a["status"] for a in data["articles"]}


def test_quiet_hides_the_summary_not_the_problems(broken: Path, cli: Cli) -> None:
    clean = cli("-q", "validate", str(REPO / "articles" / "pages"))
    assert clean.exit_code == 0 and clean.stdout == ""
    bad = cli("-q", "validate", "broken/empty.md")
    assert bad.exit_code == 1 and "file is empty" in bad.stdout


def test_missing_path(cli: Cli) -> None:
    result = cli("validate", "nowhere")
    assert result.exit_code == 1
    assert "nowhere: no such file or directory" in result.stdout


def test_missing_env_file_is_a_config_error(cli: Cli) -> None:
    result = cli("--env-file", "missing.env", "validate")
    assert result.exit_code == EXIT_CONFIG
    assert result.stderr.splitlines()[0] == "error: env file 'missing.env' does not exist"
    assert result.stderr.splitlines()[1].startswith("hint: ")
    as_json = cli("--env-file", "missing.env", "validate", "--json")
    assert json.loads(as_json.stdout)["error"] == "ConfigError"


def test_env_file_is_read(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "custom.env").write_text("SHOPSYNC_ARTICLES_DIR=elsewhere\n", encoding="utf-8")
    result = cli("--env-file", "custom.env", "validate")
    assert result.exit_code == 0
    assert "ok: 0 files valid" in result.stdout


def test_root_is_where_paths_and_the_env_file_are_read(tmp_path: Path, cli: Cli) -> None:
    repo = tmp_path / "site"
    (repo / "content").mkdir(parents=True)
    (repo / "content" / "x.md").write_text("no front matter\n", encoding="utf-8")
    (repo / ".env").write_text("SHOPSYNC_ARTICLES_DIR=content\n", encoding="utf-8")
    # The working directory is the tests' own; only -C says where the repository is.
    result = cli.at(repo)("validate")
    assert result.exit_code == 1
    assert "content/x.md:1: missing front matter" in result.stdout
    named = cli.at(repo)("validate", "content/x.md", "--json")
    assert [p["path"] for p in json.loads(named.stdout)["problems"]] == ["content/x.md"]


def test_a_root_that_is_not_a_directory_is_a_usage_error(tmp_path: Path, cli: Cli) -> None:
    result = cli.at(tmp_path / "nowhere")("validate")
    assert result.exit_code == EXIT_USAGE
    assert "'-C' / '--root'" in result.stderr


def test_invalid_setting_is_reported(cli: Cli) -> None:
    result = cli("validate", env={"SHOPSYNC_API_VERSION": "latest"})
    assert result.exit_code == EXIT_CONFIG
    assert "api_version" in result.stderr and "Traceback" not in result.output


def test_version_and_help(cli: Cli) -> None:
    assert cli("--version").stdout.strip() == f"shopsync, version {__version__}"
    help_text = cli("validate", "--help").stdout
    assert "Examples:" in help_text and "--json" in help_text
    assert "Examples:" in cli("--help").stdout


def _probe_group(exc: BaseException) -> click.Group:
    """A group like ``shopsync``'s with one command that raises ``exc``."""

    @click.group(cls=ShopsyncGroup)
    def group() -> None:
        pass

    @group.command()
    @json_option
    def probe(as_json: bool) -> None:
        raise exc

    return group


def test_the_group_maps_shopsync_errors() -> None:
    group = _probe_group(ConfigError("no shop configured", hint="set SHOPSYNC_SHOP"))
    result = CliRunner().invoke(group, ["probe"])
    assert result.exit_code == EXIT_CONFIG
    assert result.stderr == "error: no shop configured\nhint: set SHOPSYNC_SHOP\n"
    as_json = CliRunner().invoke(group, ["probe", "--json"])
    assert json.loads(as_json.stdout) == {
        "error": "ConfigError",
        "message": "no shop configured",
        "hint": "set SHOPSYNC_SHOP",
    }


def test_the_group_reports_bugs_in_one_line() -> None:
    result = CliRunner().invoke(_probe_group(RuntimeError("boom\nsecond line")), ["probe"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("internal error: RuntimeError: boom")
    assert "Traceback" not in result.output


def test_an_interrupt_exits_130() -> None:
    result = CliRunner().invoke(_probe_group(KeyboardInterrupt()), ["probe"])
    assert result.exit_code == EXIT_INTERRUPTED
    assert result.stderr == "interrupted\n"


def test_console_script_end_to_end() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
    done = subprocess.run(
        [sys.executable, "-m", "shopsync", "validate", "articles"],
        cwd=REPO,
        env={**env, "CI": "true"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("ok: ")  # after the notes, if any
    assert "\x1b[" not in done.stdout  # no colour codes when piped
