"""files: the one atomic write, whole or not at all, and the leftovers of a killed writer."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Any

import pytest

from surveyapp import files


def test_a_file_is_written_whole_and_only_its_final_name_is_left(tmp_path: Path) -> None:
    target = tmp_path / "new" / "links.csv"
    files.write_atomically(target, b"first")
    files.write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(target.parent) == ["links.csv"]


def test_a_failed_write_keeps_the_earlier_file_and_leaves_no_work_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "summary.xlsx"
    files.write_atomically(target, b"earlier")

    def disk_full(*_args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_sync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        files.write_atomically(target, b"later")
    with pytest.raises(RuntimeError), files.replacing(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"earlier"
    assert os.listdir(tmp_path) == ["summary.xlsx"]


def test_the_work_files_of_a_killed_writer_are_found_and_removed_when_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "summary.xlsx"

    def killed(_path: Path) -> None:  # what a kill -9 leaves: the rename never happens
        raise SystemExit

    monkeypatch.setattr(files, "_sync", killed)
    monkeypatch.setattr(Path, "unlink", lambda *_args, **_kwargs: None)  # and no clean-up
    with pytest.raises(SystemExit), files.replacing(target) as tmp:
        tmp.write_bytes(b"half")
    with files.scratch_directory(target) as work:
        pass
    monkeypatch.undo()
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(".summary.xlsx.") and not work.exists()
    assert files.remove_leftovers(tmp_path, older_than=60) == 0, "it may still be written"
    assert files.remove_leftovers(tmp_path, older_than=60, now=time.time() + 61) == 1
    assert list(tmp_path.iterdir()) == []
