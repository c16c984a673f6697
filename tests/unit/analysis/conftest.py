"""The analysis tests share one small data set (see tests/analysis_dataset.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from analysis_dataset import Dataset, build, make_session
from sqlalchemy.orm import Session


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    session = make_session(tmp_path)
    yield session
    session.close()
    session.get_bind().dispose()  # type: ignore[union-attr]


@pytest.fixture
def data(db: Session, tmp_path: Path) -> Dataset:
    return build(db, tmp_path)
