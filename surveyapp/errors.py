"""The domain errors the application raises on purpose, and nothing else.

Plain Python without Flask: definitions/, services/ and analysis/ raise them. Which page a
visitor sees for each is decided in surveyapp/web/error_pages.py; the command line prints
the message (surveyapp/cli/reporting.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class SurveyAppError(Exception):
    """Base of every error the application raises on purpose."""

    status_code = 400


@dataclass(frozen=True)
class Problem:
    """One problem found in a survey definition file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DefinitionError(SurveyAppError):
    """A survey definition has problems; carries every one of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = str(self.problems[0]) if self.problems else "invalid survey definition"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class NotFound(SurveyAppError):
    status_code = 404


class UnknownSurvey(NotFound):
    """No survey definition has this id."""


class UnknownLink(NotFound):
    """No round, invitation or response has this token."""


class RoundNotOpenYet(SurveyAppError):
    """The round's opening time has not come, or it is still a draft."""

    status_code = 403


class RoundClosed(SurveyAppError):
    """The round is closed; answers can no longer be given or changed."""

    status_code = 410


class UnknownRound(NotFound):
    """No round has this id."""


class InvalidRequest(SurveyAppError):
    """Input that the service refuses, with a plain reason."""
