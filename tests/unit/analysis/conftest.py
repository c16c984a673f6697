"""The analysis tests share one small data set (see tests/analysis_dataset.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_dataset import Dataset, build
from sqlalchemy.orm import Session


@pytest.fixture
def data(db: Session, tmp_path: Path) -> Dataset:
    return build(db, tmp_path)
