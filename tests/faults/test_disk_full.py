"""Disk full while an export is written: a clear error, and no partial file left behind.

Twice over: on a real full filesystem (a 64 KiB tmpfs, mounted for the test and unmounted
afterwards; skipped with the reason where mounting is not allowed), and with ENOSPC injected
where a full disk strikes (a row, the zip at the end, the final sync), each time both for
`surveyapp export` (synchronous) and for the dashboard's background job.
"""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import analysis_dataset
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import workspace_token
from surveyapp import files
from surveyapp.analysis import cells
from surveyapp.models import ExportJob

FILLER = "filler"
DISK_FULL_PAGE = "disk is full, so the file could not be written. Nothing was kept of it."


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _fill(directory: Path, leave: int) -> None:
    """Fill the filesystem of `directory` up, then give back `leave` bytes."""
    block = b"\0" * 4096
    filler = directory / FILLER
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(block)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    os.truncate(filler, max(filler.stat().st_size - leave, 0))


@pytest.fixture(params=[0, 16 * 1024], ids=["full-from-the-start", "fills-up-while-writing"])
def full_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB filesystem with `param` bytes free (the first few rows fit, not more)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the injected-ENOSPC tests still run")
    mounted = _run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        _fill(mount, request.param)
        yield mount
    finally:
        if _run("umount", str(mount)).returncode != 0:
            _run("umount", "-l", str(mount))


@pytest.fixture
def data(session: Session, tmp_path: Path) -> analysis_dataset.Dataset:
    return analysis_dataset.build(session, tmp_path)


def listing(directory: Path) -> list[str]:
    """Every entry, hidden work files and directories included."""
    return sorted(os.listdir(directory))


def export_in_background(app: Flask, client: FlaskClient, round_id: int, directory: Path) -> str:
    """Start the dashboard's export into `directory` (built inside the POST); its page."""
    app.config.update(EXPORTS_DIR=str(directory), EXPORT_INLINE=True)
    token = workspace_token(client)
    data = {"csrf_token": token, "lang": "en"}
    started = client.post(f"/workspace/rounds/{round_id}/export", data=data)
    assert started.status_code == 303
    page = client.get(started.headers["Location"])
    assert page.status_code == 200
    file = client.get(started.headers["Location"] + "/file")
    assert file.status_code == 303, "a failed job has no file to download"
    return page.get_data(as_text=True)


def last_job(session: Session) -> ExportJob:
    session.rollback()
    job = session.scalars(select(ExportJob).order_by(ExportJob.id.desc()).limit(1)).one()
    session.refresh(job)
    return job


# --- a real full filesystem ----------------------------------------------------------------------


def test_cli_export_onto_a_full_disk(
    runner: FlaskCliRunner, data: analysis_dataset.Dataset, full_disk: Path
) -> None:
    target = full_disk / "summary.xlsx"
    result = runner.invoke(args=["export", str(data.current.id), "-o", str(target)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {target}: the disk is full (No space left on device); no file was written."
    )
    assert listing(full_disk) == [FILLER]


def test_cli_csv_onto_a_full_disk(
    runner: FlaskCliRunner, data: analysis_dataset.Dataset, full_disk: Path, tmp_path: Path
) -> None:
    _fill(full_disk, 0)  # the tidy CSV of this data set is small: leave it no room at all
    xlsx, tidy = tmp_path / "summary.xlsx", full_disk / "tidy.csv"
    args = ["export", str(data.current.id), "-o", str(xlsx), "--csv", str(tidy)]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert f"Error: {tidy}: the disk is full" in result.output
    assert xlsx.is_file(), "the workbook elsewhere was written whole"
    assert listing(full_disk) == [FILLER]


def test_background_export_onto_a_full_disk(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    session: Session,
    data: analysis_dataset.Dataset,
    full_disk: Path,
) -> None:
    login(client, "editor")
    html = export_in_background(app, client, data.current.id, full_disk)
    assert DISK_FULL_PAGE in html and 'role="alert"' in html
    assert "Try again" in html
    job = last_job(session)
    assert (job.status, job.failure) == ("failed", "disk_full")
    assert "No space left on device" in job.error
    assert listing(full_disk) == [FILLER]


# --- ENOSPC injected where a full disk strikes ---------------------------------------------------


def _disk_full(*_args: Any, **_kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _row_on_responses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The third row of the Responses sheet cannot be written."""
    original = cells.Cells.row

    def row(self: cells.Cells, sheet: Any, r: int, values: list[Any], fmt: Any = None) -> None:
        if sheet.name == "Responses" and r == 2:
            _disk_full()
        original(self, sheet, r, values, fmt)

    monkeypatch.setattr(cells.Cells, "row", row)


def _zipping(monkeypatch: pytest.MonkeyPatch) -> None:
    """xlsxwriter's close() zips the parts into the file (and wraps the OSError)."""
    monkeypatch.setattr(zipfile.ZipFile, "write", _disk_full)


def _syncing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Some filesystems report a full disk only when the file is synced."""
    monkeypatch.setattr(files, "_sync", _disk_full)


WHERE = [_row_on_responses, _zipping, _syncing]


@pytest.fixture
def system_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary directory, watched: xlsxwriter's work files hold answers."""
    directory = tmp_path / "system-temp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def earlier_file(app: Flask, runner: FlaskCliRunner, data: analysis_dataset.Dataset) -> Path:
    """A complete export of the round made before the disk filled up."""
    result = runner.invoke(args=["export", str(data.current.id)])
    assert result.exit_code == 0, result.output
    (path,) = Path(app.config["EXPORTS_DIR"]).iterdir()
    return path


@pytest.mark.parametrize("strike", WHERE, ids=lambda f: f.__name__.strip("_"))
def test_cli_export_with_enospc_keeps_the_earlier_file_whole(
    runner: FlaskCliRunner,
    data: analysis_dataset.Dataset,
    earlier_file: Path,
    system_temp: Path,
    monkeypatch: pytest.MonkeyPatch,
    strike: Callable[[pytest.MonkeyPatch], None],
) -> None:
    before = earlier_file.read_bytes()
    strike(monkeypatch)
    result = runner.invoke(args=["export", str(data.current.id)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {earlier_file}: the disk is full (No space left on device); no file was written."
    )
    assert listing(earlier_file.parent) == [earlier_file.name], "no partial or work file"
    assert listing(system_temp) == [], "and none elsewhere"
    assert earlier_file.read_bytes() == before


@pytest.mark.parametrize("strike", WHERE, ids=lambda f: f.__name__.strip("_"))
def test_background_export_with_enospc_fails_clearly(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    session: Session,
    data: analysis_dataset.Dataset,
    earlier_file: Path,
    system_temp: Path,
    monkeypatch: pytest.MonkeyPatch,
    strike: Callable[[pytest.MonkeyPatch], None],
) -> None:
    before = earlier_file.read_bytes()
    login(client, "editor")
    strike(monkeypatch)
    html = export_in_background(app, client, data.current.id, earlier_file.parent)
    assert DISK_FULL_PAGE in html
    assert (last_job(session).status, last_job(session).failure) == ("failed", "disk_full")
    assert listing(earlier_file.parent) == [earlier_file.name], "no partial or work file"
    assert listing(system_temp) == [], "and none elsewhere"
    assert earlier_file.read_bytes() == before


def test_another_write_error_is_told_apart_from_a_full_disk(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    session: Session,
    data: analysis_dataset.Dataset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def read_only(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(files, "_sync", read_only)
    login(client, "editor")
    html = export_in_background(app, client, data.current.id, tmp_path / "out")
    assert "The file could not be written on the server." in html
    assert last_job(session).failure == "write_failed"
    assert listing(tmp_path / "out") == []
