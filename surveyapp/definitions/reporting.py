"""Collecting problems of one definition file, with plain-English helpers."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from surveyapp.errors import Problem


class Report:
    """Every problem found in one file, in the order found."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, line: int, message: str, where: str = "") -> None:
        """Record a problem at a 1-based `line`; `where` names the thing ("question 'x'")."""
        text = f"{where}: {message}" if where else message
        self.problems.append(Problem(self.source, max(line, 1), text))

    def sorted(self) -> list[Problem]:
        """Problems by line; the sort is stable, so one line keeps its order."""
        return sorted(self.problems, key=lambda p: p.line)

    def __bool__(self) -> bool:
        return bool(self.problems)


def hint(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` when a choice is close to `word`, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(choices: Iterable[str]) -> str:
    """'a', 'b' or 'c' — for messages that list what is allowed."""
    quoted = [f"'{c}'" for c in choices]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def nested(where: str, thing: str) -> str:
    """Join a location and a part of it: "section 'why'" + "question 'q'"."""
    return f"{where}, {thing}" if where else thing
