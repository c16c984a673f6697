"""Writing files so that a failure never leaves half a file behind: the one atomic write.

Every file is written under a work name beside its final one (`.<name>.<random>.tmp`) and
renamed into place only when complete and synced. A writer killed outright cannot clean up;
its work files keep that pattern, so remove_leftovers finds them later.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

TMP_SUFFIX = ".tmp"


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed onto it only if the block succeeds.

    The file is synced to disk before the rename, so a reader never finds a name that
    points at half a file; on any error the temporary file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _sync(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole, or not at all (see replacing)."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def _sync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


@contextmanager
def scratch_directory(path: Path) -> Iterator[Path]:
    """A private directory beside `path` for a writer's work files, removed afterwards.

    A library may leave its work files behind when writing fails (xlsxwriter on a full
    disk, say); they may hold answers, so they live here and go with the directory.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def remove_leftovers(directory: Path, older_than: float, now: float | None = None) -> int:
    """Remove the work files and directories in `directory` older than `older_than` seconds.

    They are left only when a writer was killed outright; a failing writer removes its own.
    Returns how many were removed.
    """
    if not directory.is_dir():
        return 0
    limit = (now or time.time()) - older_than
    removed = 0
    for entry in directory.glob(f".*{TMP_SUFFIX}"):
        try:
            if entry.lstat().st_mtime >= limit:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:
            log.warning("could not remove the leftover %s", entry)
    return removed
