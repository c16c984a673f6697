"""The package as `pip install .` builds it: sdist with the catalogues' sources, wheel with them
compiled, installed into a fresh virtual environment, shows the login page in Finnish.

Built offline with this environment's setuptools and babel (the [test] extra has them); the
fresh environment borrows the dependencies from this one, so only surveyapp is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "fi", "sv")
CATALOGUE = "surveyapp/translations/{}/LC_MESSAGES/messages.{}"


def run(*command: str | Path, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def build(hook: str, source: Path, out: Path) -> Path:
    """setuptools' own build backend, as pip calls it, in a process of its own."""
    script = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    name = run(sys.executable, "-c", script, cwd=source).strip().splitlines()[-1]
    return out / name


def source_tree(tmp: Path) -> Path:
    """What git holds: the compiled catalogues (.mo) are build output, so none is copied."""
    tree = tmp / "source"
    tree.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, tree / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    shutil.copytree(ROOT / "surveyapp", tree / "surveyapp", ignore=ignore)
    return tree


def install_into_fresh_venv(wheel: Path, tmp: Path) -> Path:
    """A new virtual environment with only this wheel installed; its dependencies come from
    the environment running the tests (a .pth line), so nothing is downloaded."""
    home = tmp / "venv"
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp)
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site.strip(), "borrowed-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    pip = (sys.executable, "-m", "pip", "--python", python, "install", "-q")
    run(*pip, "--no-deps", "--no-index", wheel, cwd=tmp)
    return python


LOGIN_PAGE = """
import json, sys
import surveyapp
from surveyapp import create_app

config = {"TESTING": True, "SECRET_KEY": "package-test", "DATABASE_URL": sys.argv[1]}
client = create_app(config).test_client()
page = client.get("/login", headers={"Accept-Language": "fi"})
print(json.dumps({"module": surveyapp.__file__, "status": page.status_code,
                  "html": page.get_data(as_text=True)}))
"""


@pytest.mark.timeout(90)
def test_the_installed_wheel_shows_the_login_page_in_finnish(tmp_path: Path) -> None:
    source = source_tree(tmp_path)
    dist = tmp_path / "dist"
    sdist = build("build_sdist", source, dist)
    with tarfile.open(sdist) as archive:
        members = {name.partition("/")[2] for name in archive.getnames()}
        archive.extractall(tmp_path / "unpacked", filter="data")
    assert {CATALOGUE.format(lang, "po") for lang in LANGUAGES} <= members
    assert "LICENSE" in members

    wheel = build("build_wheel", tmp_path / "unpacked" / sdist.name.removesuffix(".tar.gz"), dist)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {CATALOGUE.format(lang, "mo") for lang in LANGUAGES} <= names
    assert {CATALOGUE.format(lang, "po") for lang in LANGUAGES} <= names

    python = install_into_fresh_venv(wheel, tmp_path)
    (tmp_path / "run").mkdir()  # no surveyapp/ beside the script: only the installed one
    database = "sqlite:///" + str(tmp_path / "run" / "app.db")
    found = json.loads(run(python, "-c", LOGIN_PAGE, database, cwd=tmp_path / "run"))
    assert found["module"].startswith(str(tmp_path / "venv")), "the installed package ran"
    assert found["status"] == 200
    assert "<h1>Kirjaudu sisään</h1>" in found["html"]
