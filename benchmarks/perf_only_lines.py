"""Count the lines of code that exist only to make respondent requests faster.

    .venv/bin/python benchmarks/perf_only_lines.py            # the working tree
    .venv/bin/python benchmarks/perf_only_lines.py --rev REV  # a commit (git show)

"Performance-only" is a census kept by hand: each unit below is a definition (a module,
class, function or module-level name) that a plain version of the code would not need —
caches, pre-built statements, plain-row stand-ins for ORM objects, subclasses of a
library's classes. Two lists: the code before the caches were redesigned (commit
1b572ca's parent, where the count in the issue came from) and the code now. A unit
missing at the revision counts 0 and is listed as missing.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WHOLE = "*"

# (file, names); WHOLE for the whole file. Class.method for a method.
BEFORE: list[tuple[str, tuple[str, ...]]] = [
    ("surveyapp/respond/page_shell.py", (WHOLE,)),
    ("surveyapp/respond/question_html.py", (WHOLE,)),
    (
        "surveyapp/auth/sessions.py",
        (
            "MAX_VERIFIED_COOKIES",
            "HttpsAwareSessions.__init__",
            "HttpsAwareSessions.open_session",
            "HttpsAwareSessions.get_signing_serializer",
            "_keys",
        ),
    ),
    ("surveyapp/extensions.py", ("RememberingCSRFProtect",)),
    (
        "surveyapp/forms/dynamic.py",
        ("TokenField.csrf_token", "MAX_SIGNED_TOKENS", "signed_csrf_token", "is_token_signed_here"),
    ),
    (
        "surveyapp/definitions/evaluation.py",
        ("MAX_SURVEYS", "MAX_ANSWER_SETS", "_read_by_conditions", "_questions_of", "answer_key"),
    ),
    (
        "surveyapp/services/responses.py",
        (
            "LinkRound",
            "LinkResponse",
            "_LINK_RESPONSE_FIELDS",
            "_ROUND_COLUMNS",
            "_RESPONSE_COLUMNS",
            "_LINK_COLUMNS",
            "_LINK_TABLES",
            "_RESUMED_COLUMNS",
            "_RESUMED_TABLES",
            "_ANSWERS_OBJECT",
            "_LINK_QUERIES",
            "_link_round",
            "_response",
            "_same_answer",
            "_SCALARS",
            "update_response",
            "_plain_update",
        ),
    ),
    (
        "surveyapp/db.py",
        (
            "json_object_agg",
            "_json_group_object",
            "_refuse_closed_connection",
            "_has_input",
            "read_connection",
            "_end_reads",
        ),
    ),
    ("surveyapp/logs.py", ("RedactedAtoms",)),
    ("surveyapp/i18n.py", ("_locale",)),
]

NOW: list[tuple[str, tuple[str, ...]]] = [
    ("surveyapp/respond/page_shell.py", (WHOLE,)),
    ("surveyapp/respond/rendering.py", ("_from_shell", "_ShellForm")),
    ("surveyapp/respond/question_html.py", (WHOLE,)),
    ("surveyapp/caching.py", (WHOLE,)),
    (
        "surveyapp/services/response_reads.py",
        (
            "LinkRound",
            "LinkResponse",
            "_ROUND_COLUMNS",
            "RESPONSE_COLUMNS",
            "_LINK_COLUMNS",
            "_LINK_TABLES",
            "_RESUMED_COLUMNS",
            "_RESUMED_TABLES",
            "_ANSWERS_OBJECT",
            "_LINK_QUERIES",
            "_link_round",
            "response_of",
        ),
    ),
    (
        "surveyapp/services/response_writes.py",
        (
            "_LINK_RESPONSE_FIELDS",
            "_same_answer",
            "_SCALARS",
            "update_response",
            "_plain_update",
            "_upsert_answers",
        ),
    ),
    # The save worked out from the answers read with the link, written at the revision read
    # (a plain version would lock the row and read the answers again on every save).
    ("surveyapp/services/page_save.py", ("save_page",)),
    (
        "surveyapp/db.py",
        (
            "json_object_agg",
            "_json_group_object",
            "_refuse_closed_connection",
            "_has_input",
            "read_connection",
            "_end_reads",
        ),
    ),
    ("surveyapp/logs.py", ("RedactedAtoms",)),
    ("surveyapp/i18n.py", ("_locale",)),
]


def source(path: str, rev: str | None) -> str | None:
    if rev is None:
        file = ROOT / path
        return file.read_text() if file.exists() else None
    shown = subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return shown.stdout if shown.returncode == 0 else None


def spans(text: str) -> dict[str, int]:
    """Lines of each top-level definition and method, decorators included."""
    found: dict[str, int] = {}

    def lines(node: ast.AST) -> int:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])  # type: ignore[attr-defined]
        return node.end_lineno - first + 1  # type: ignore[attr-defined,no-any-return]

    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found[node.name] = lines(node)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        found[f"{node.name}.{item.name}"] = lines(item)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = lines(node)
    return found


def census(units: list[tuple[str, tuple[str, ...]]], rev: str | None) -> int:
    total = 0
    for path, names in units:
        text = source(path, rev)
        if text is None:
            print(f"  {path}: missing")
            continue
        if names == (WHOLE,):
            count, missing = len(text.splitlines()), []
        else:
            known = spans(text)
            count = sum(known.get(n, 0) for n in names)
            missing = [n for n in names if n not in known]
        total += count
        note = f" (missing: {', '.join(missing)})" if missing else ""
        print(f"  {path}: {count}{note}")
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rev", help="a commit; the working tree if left out")
    parser.add_argument("--list", choices=("before", "now"), default=None)
    args = parser.parse_args()
    which = args.list or ("before" if args.rev else "now")
    units = BEFORE if which == "before" else NOW
    print(f"performance-only lines ({which} list, {args.rev or 'working tree'}):")
    print(f"total {census(units, args.rev)}")


if __name__ == "__main__":
    main()
