"""How a command reports a domain error: click's one-line message and exit status 1."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from ..errors import SurveyAppError

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a domain error into click's one-line message and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SurveyAppError as error:
            raise click.ClickException(str(error)) from error

    return wrapper
