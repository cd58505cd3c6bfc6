"""In CI (``SHOPSYNC_REQUIRE_SHARED=1``) every test that needs ``../shared`` fails without it.

Each test reads the directory through ``tests/shared.py``; a list of captures built at
collection is the trap, as pytest quietly skips a test whose parameter list is empty. This
runs those test files in a child pytest against an empty directory and reads its report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from .shared import REPO

# Every file with a test marked ``shared``.
SHARED_TEST_FILES = (
    "tests/sandbox/test_parity.py",
    "tests/sandbox/test_media_parity.py",
    "tests/sandbox/test_throttle.py",
    "tests/test_schema.py",
)


def _outcomes(tmp_path: Path, *, require: bool) -> dict[str, str]:
    """Each ``shared`` test of a child run against an empty directory: name -> outcome."""
    empty = tmp_path / "shared"
    empty.mkdir(exist_ok=True)
    report = tmp_path / f"report-{require}.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SHOPSYNC_"))}
    env["SHOPSYNC_SHARED_DIR"] = str(empty)
    if require:
        env["SHOPSYNC_REQUIRE_SHARED"] = "1"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "shared"]
    command += [f"--junitxml={report}", *SHARED_TEST_FILES]
    subprocess.run(command, cwd=REPO, env=env, capture_output=True, check=False, timeout=300)
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = kinds[0] if kinds else "passed"
    return outcomes


# Tests that read ../shared, one or more per file: each must fail (a ``shared`` test that
# reads nothing there, such as test_schema's script checks, may pass; none may skip).
READERS = (
    "tests.sandbox.test_parity::test_sandbox_answers_like_the_live_store[no-captures]",
    "tests.sandbox.test_media_parity::test_image_and_file_targets_carry_the_live_form_fields",
    "tests.sandbox.test_throttle::test_requested_cost_equals_the_live_stores_on_every_capture",
    "tests.sandbox.test_throttle::test_actual_cost_equals_the_live_stores_on_every_capture",
    "tests.test_schema::test_every_member_of_the_subset_exists_identically_in_the_full_schema",
    "tests.test_schema::test_every_shopsync_document_validates_against_subset_and_full_schema"
    "[SyncArticleCreate]",
)


def test_every_test_that_needs_shared_fails_in_ci_without_it(tmp_path: Path) -> None:
    outcomes = _outcomes(tmp_path, require=True)
    assert {name: outcomes.get(name) for name in READERS} == dict.fromkeys(READERS, "failure")
    assert [name for name, outcome in outcomes.items() if outcome == "skipped"] == []
    assert len([o for o in outcomes.values() if o == "failure"]) >= 30


def test_without_ci_the_same_tests_skip(tmp_path: Path) -> None:
    outcomes = _outcomes(tmp_path, require=False)
    assert {name: outcomes.get(name) for name in READERS} == dict.fromkeys(READERS, "skipped")
    assert [name for name, outcome in outcomes.items() if outcome == "failure"] == []


def test_the_list_of_files_is_every_file_with_a_shared_test() -> None:
    marked = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "tests").rglob("test_*.py")
        if path != Path(__file__) and "pytest.mark.shared" in path.read_text(encoding="utf-8")
    }
    assert marked == set(SHARED_TEST_FILES)
