"""`surveyapp check` with criteria sets, through click's CliRunner (no app is built for it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from surveyapp.cli.definitions import check_command

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
BROKEN = DATA / "criteria" / "broken" / "several-problems.yaml"
LINE = re.compile(r"^(?P<path>[^:]+\.ya?ml):(?P<line>\d+): (?P<message>.+)$")


def check(*args: str, env: dict[str, str] | None = None) -> Result:
    environment = {"SURVEYS_DIR": str(ROOT / "surveys"), "CRITERIA_DIR": "", **(env or {})}
    return CliRunner().invoke(check_command, list(args), env=environment)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A surveys/ folder with the shipped manual and one small survey, nothing beside it."""
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    shutil.copy(ROOT / "surveys" / "manual.yaml", surveys)
    shutil.copy(DATA / "valid" / "one-language.yaml", surveys)
    return tmp_path


def test_check_without_arguments_checks_the_surveys_and_the_shipped_criteria() -> None:
    result = check()
    assert result.exit_code == 0, result.output
    assert re.search(
        r"^OK: 3 survey\(s\), \d+ question\(s\), 1 manual\(s\), "
        r"1 criteria set\(s\) with 19 criteria, no problems\.$",
        result.output,
        re.MULTILINE,
    )


def test_check_of_one_criteria_file() -> None:
    result = check(str(ROOT / "criteria" / "procurement-unit.yaml"))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 1 criteria set(s) with 19 criteria, no problems."


def test_a_broken_criteria_file_is_reported_line_by_line() -> None:
    result = check(str(BROKEN))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    problems = [m for m in map(LINE.match, lines) if m]
    assert len(problems) == 11 and {m["path"] for m in problems} == {str(BROKEN)}
    assert "7: unknown key 'colour'" in result.output
    assert lines[-2] == "11 problem(s) in 1 file(s); 1 file(s) checked."
    assert lines[-1] == "Error: the survey and criteria definitions have 11 problem(s) in 1 file(s)"


def test_a_survey_only_folder_without_criteria_still_passes(workspace: Path) -> None:
    result = check(env={"SURVEYS_DIR": str(workspace / "surveys")})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 1 survey(s), 2 question(s), 1 manual(s), no problems."


def test_a_broken_set_in_criteria_beside_the_surveys_fails_the_check(workspace: Path) -> None:
    (workspace / "criteria").mkdir()
    shutil.copy(BROKEN, workspace / "criteria")
    result = check(env={"SURVEYS_DIR": str(workspace / "surveys")})
    assert result.exit_code == 1
    assert "several-problems.yaml:22: criterion id 'mandate' is used twice" in result.output
    assert "11 problem(s) in 1 file(s); 3 file(s) checked." in result.output


def test_criteria_dir_moves_the_criteria(workspace: Path) -> None:
    elsewhere = workspace / "sets"
    elsewhere.mkdir()
    shutil.copy(ROOT / "criteria" / "procurement-unit.yaml", elsewhere)
    env = {"SURVEYS_DIR": str(workspace / "surveys"), "CRITERIA_DIR": str(elsewhere)}
    result = check(env=env)
    assert result.exit_code == 0, result.output
    assert "1 criteria set(s) with 19 criteria" in result.output
    # A folder given by name is a criteria folder when it is CRITERIA_DIR.
    assert "1 criteria set(s)" in check(str(elsewhere), env=env).output


def test_criteria_are_checked_against_the_surveys_manual(workspace: Path) -> None:
    text = (ROOT / "criteria" / "procurement-unit.yaml").read_text(encoding="utf-8")
    (workspace / "criteria").mkdir()
    (workspace / "criteria" / "procurement-unit.yaml").write_text(
        text.replace("    chapter: how\n", "    chapter: howw\n", 1), encoding="utf-8"
    )
    result = check(env={"SURVEYS_DIR": str(workspace / "surveys")})
    assert result.exit_code == 1
    assert "chapter 'howw' is not a chapter of manual revision '0.3' (did you mean 'how'?)" in (
        result.output
    )


def test_the_app_config_resolves_criteria_dir_next_to_the_surveys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from surveyapp.config import load_config

    monkeypatch.delenv("CRITERIA_DIR", raising=False)
    config = load_config({"SURVEYS_DIR": str(tmp_path / "surveys"), "TESTING": True})
    assert config["CRITERIA_DIR"] == str(tmp_path / "criteria")
    monkeypatch.setenv("CRITERIA_DIR", str(tmp_path / "sets"))
    assert load_config({"TESTING": True})["CRITERIA_DIR"] == str(tmp_path / "sets")


def test_schema_prints_the_criteria_schema() -> None:
    from surveyapp.cli.definitions import schema_command

    result = CliRunner().invoke(schema_command, ["--criteria"])
    assert result.exit_code == 0, result.output
    assert '"criteria"' in result.output and "criteria set" in result.output
