"""`surveyapp check` and `surveyapp schema` from the command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskCliRunner

DATA = Path(__file__).parent.parent / "data"
SURVEYS = Path(__file__).parent.parent.parent / "surveys"
LINE = re.compile(r"^(?P<path>[^:]+\.ya?ml):(?P<line>\d+): (?P<message>.+)$")


def test_shipped_surveys_pass(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["check", str(SURVEYS)])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"OK: 3 survey\(s\), \d+ question\(s\), 1 manual\(s\), no problems\.", result.output
    )


def test_default_is_the_surveys_dir(runner: FlaskCliRunner) -> None:
    assert "OK: 3 survey(s)" in runner.invoke(args=["check"]).output


def test_broken_folder_lists_every_problem_with_its_line_and_exits_1(
    runner: FlaskCliRunner,
) -> None:
    result = runner.invoke(args=["check", str(DATA / "broken")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    problems = [m for m in map(LINE.match, lines) if m]
    files = {Path(m["path"]).name for m in problems}
    broken = (DATA / "broken").iterdir()
    broken_files = {p.name for p in broken if p.suffix == ".yaml" and p.name != "manual.yaml"}
    assert files == broken_files, "every broken file is reported"
    several = [m for m in problems if m["path"].endswith("several-problems.yaml")]
    assert len(several) >= 5 and len({m["line"] for m in several}) >= 5
    assert lines[-1].startswith("Error: ") and f"{len(problems)} problem(s)" in lines[-1]


def test_check_as_a_process_reports_on_stdout_and_gives_its_reason_on_stderr(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "SURVEYS_DIR": str(SURVEYS), "FLASK_DEBUG": "1"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/check.db"
    command = [str(Path(sys.executable).parent / "surveyapp"), "check", str(DATA / "broken")]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert all(LINE.match(line) for line in lines[:-1]), lines
    problems = len(lines) - 1
    assert re.fullmatch(
        rf"{problems} problem\(s\) in \d+ file\(s\); \d+ file\(s\) checked\.", lines[-1]
    )
    # Warnings (which do not fail the check) go to stderr too, before the reason.
    errors = [line for line in done.stderr.strip().splitlines() if not line.startswith("Warning:")]
    assert errors == [
        f"Error: the survey definitions have {problems} problem(s) in "
        + lines[-1].split(" in ", 1)[1].split(";")[0]
    ]
    assert "Traceback" not in done.stderr


def test_schema_prints_the_json_schema(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["schema"])
    schema = json.loads(result.output)
    assert result.exit_code == 0
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "sections" in schema["properties"]


def test_schema_takes_the_chapters_from_the_manual(runner: FlaskCliRunner) -> None:
    schema = json.loads(runner.invoke(args=["schema"]).output)
    chapter = schema["$defs"]["section"]["properties"]["chapter"]
    assert chapter["enum"] == ["why", "what", "how", "who", "result", "not_an_island"]
    manual = json.loads(runner.invoke(args=["schema", "--manual"]).output)
    assert manual["required"] == ["languages", "revisions"]
