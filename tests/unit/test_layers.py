"""The layers of surveyapp hold (pyproject.toml, [tool.importlinter]), and a wrong import is
caught: an upward import added to a copy of the package breaks the contract it crosses."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; "
LINT_IMPORTS += "sys.exit(lint_imports_command())"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the package and pyproject.toml in `cwd` (put first on sys.path)."""
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_import_points_down_the_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract", "violation"),
    [
        (
            "services/rounds.py",
            "from surveyapp.jobs import exports",
            "Layers: an import points down only",
            "surveyapp.services.rounds -> surveyapp.jobs.exports",
        ),
        (
            "files.py",
            "from surveyapp.services import audit",
            "Base modules import nothing from services and above",
            "surveyapp.files -> surveyapp.services.audit",
        ),
    ],
    ids=["service-imports-a-job", "base-module-imports-a-service"],
)
def test_a_wrong_import_breaks_the_contract_it_crosses(
    tmp_path: Path, module: str, wrong_import: str, contract: str, violation: str
) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "translations", "static", "templates")
    shutil.copytree(ROOT / "surveyapp", tmp_path / "surveyapp", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    changed = tmp_path / "surveyapp" / module
    changed.write_text(f"{changed.read_text()}\n{wrong_import}\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout + result.stderr
    assert f"{contract} BROKEN" in result.stdout
    assert violation in result.stdout
