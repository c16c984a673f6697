"""tests/data/broken holds one file per problem class: check_paths reports each at its line."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from surveyapp.definitions import check_paths, yamlnodes
from surveyapp.definitions.yamlnodes import ALIAS_MESSAGE

BROKEN = Path(__file__).resolve().parents[2] / "data" / "broken"
MISSING = "the '{}' translation is missing: no translation inline or in the catalogue"

EXPECTED: dict[str, list[tuple[int, str]]] = {
    "manual.yaml": [],  # the manual the surveys' chapters are checked against
    "yaml-syntax-error.yaml": [
        (
            11,
            "YAML syntax error while scanning a quoted scalar (which starts on line 10): "
            "found unexpected end of stream",
        ),
    ],
    "unknown-key.yaml": [
        (11, "section 'main', question 'q1': unknown key 'requried' (did you mean 'required'?)"),
    ],
    "duplicate-id.yaml": [
        (14, "section 'second': question id 'name' is used twice (lines 8 and 14)"),
    ],
    "unknown-type.yaml": [
        (
            9,
            "section 'main', question 'q1': unknown question type 'likret' "
            "(did you mean 'likert'?)",
        ),
    ],
    "unknown-scale.yaml": [
        (
            10,
            "section 'why', question 'why_clarity': unknown scale 'agre5' (did you mean 'agree5'?)",
        ),
    ],
    # The survey loads (a missing translation falls back to the source text), but the
    # check reports each missing one: at the line of its survey, section or question.
    "missing-translations.yaml": [
        (1, "survey 'missing-translations', title: " + MISSING.format("fi")),
        (1, "survey 'missing-translations', title: " + MISSING.format("sv")),
        (
            9,
            "survey 'missing-translations', sections/why/questions/why_clarity/text: "
            + MISSING.format("sv"),
        ),
    ],
    "duplicate-option-values.yaml": [
        (
            14,
            "section 'main', question 'role': option value 'city' is used twice (lines 12 and 14)",
        ),
    ],
    "condition-unknown-question.yaml": [
        (
            15,
            "section 'why', question 'why_missing': show_if names question 'why_clarty', "
            "which does not exist (did you mean 'why_clarity'?)",
        ),
    ],
    "condition-later-question.yaml": [
        (
            11,
            "section 'why', question 'why_missing': show_if names question 'why_clarity', "
            "which comes later in the survey; a condition may only name a question before it",
        ),
    ],
    "condition-impossible-value.yaml": [
        (
            17,
            "section 'main', question 'city_name': show_if: question 'role' has no option "
            "'citty' (did you mean 'city'?)",
        ),
    ],
    "bad-min-max.yaml": [
        (10, "section 'main', question 'overall': 'min' (10) must be less than 'max' (0)"),
    ],
    "duplicate-yaml-key.yaml": [
        (11, "key 'text' appears twice in the same mapping (lines 10 and 11)"),
    ],
    "language-no-undeclared.yaml": [
        (5, "title has a 'no' text, but 'no' is not one of the survey's languages (en, fi)"),
    ],
    "anchor-alias.yaml": [(6, ALIAS_MESSAGE), (10, ALIAS_MESSAGE)],
    "alias-bomb.yaml": [(line, ALIAS_MESSAGE) for line in range(1, 10)],
    "not-utf8.yaml": [
        (2, "the file is not valid UTF-8 (byte 0xe9); save it as UTF-8"),
    ],
    "python-tag.yaml": [
        (
            10,
            "YAML tags like '!!python/object/apply:os.system' are not allowed; "
            "remove the tag and write a plain value",
        ),
    ],
    "id-mismatch.yaml": [
        (
            1,
            "survey id 'city-pilot-copy' does not match the file name 'id-mismatch.yaml'; "
            "rename the file to 'city-pilot-copy.yaml' or change the id",
        ),
    ],
    "empty.yaml": [(1, "the file is empty")],
    "several-problems.yaml": [
        (4, "unknown key 'colour'"),
        (7, "section 'why': unknown chapter 'whyy' (did you mean 'why'?)"),
        (
            12,
            "section 'why', question 'why_clarity': unknown scale 'agre5' (did you mean 'agree5'?)",
        ),
        (19, "section 'why', question 'role': option value 'city' is used twice (lines 18 and 19)"),
        (22, "section 'why', question 'overall': 'min' (10) must be less than 'max' (10)"),
        (24, "section 'why', question 'overall': 'required' must be true or false, not 'yes'"),
        (
            29,
            "section 'why', question 'why_missing': show_if names question 'later_one', "
            "which comes later in the survey; a condition may only name a question before it",
        ),
        (32, "section 'why', question 'later_one': 'max_length' must be from 1 to 100,000, not 0"),
    ],
}


@pytest.fixture(scope="module")
def found() -> dict[str, list[tuple[int, str]]]:
    report = check_paths([BROKEN])  # must not raise
    assert [s.id for s in report.surveys] == ["missing-translations"]
    assert report.files == len(EXPECTED)
    by_file: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for problem in report.problems + report.translation_problems:
        by_file[Path(problem.path).name].append((problem.line, problem.message))
    return by_file


def test_every_file_in_the_folder_is_expected() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_each_broken_file_reports_its_problems_at_their_lines(
    found: dict[str, list[tuple[int, str]]], name: str
) -> None:
    assert found[name] == EXPECTED[name]


def test_several_problems_are_all_reported_at_once(found: dict[str, list[tuple[int, str]]]) -> None:
    assert len(found["several-problems.yaml"]) >= 5


def test_a_file_over_one_megabyte(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    # A real survey followed by a long comment: the size alone is the problem.
    big.write_bytes(
        (BROKEN / "unknown-key.yaml").read_bytes().replace(b"unknown-key", b"big")
        + b"# padding\n" * 110_000
    )
    assert big.stat().st_size > 1_048_576
    report = check_paths([big, BROKEN / "empty.yaml"])
    assert [(Path(p.path).name, p.line, p.message) for p in report.problems] == [
        (
            "big.yaml",
            1,
            "the file is larger than 1 MB (1,048,576 bytes), the most a survey file may be",
        ),
        ("empty.yaml", 1, "the file is empty"),
    ]


def test_problems_print_as_path_line_message(tmp_path: Path) -> None:
    shutil.copy(BROKEN / "bad-min-max.yaml", tmp_path)
    (problem,) = check_paths([tmp_path]).problems
    assert str(problem) == (
        f"{tmp_path / 'bad-min-max.yaml'}:10: section 'main', question "
        "'overall': 'min' (10) must be less than 'max' (0)"
    )


def test_the_pure_python_parser_reports_the_same(
    monkeypatch: pytest.MonkeyPatch, found: dict[str, list[tuple[int, str]]]
) -> None:
    """Without libyaml the Python parser is used, and finds the same problems, except that
    it follows YAML 1.1 in ending a plain word at '?' inside {...}: such files are skipped."""
    monkeypatch.setattr(yamlnodes.yaml, "__with_libyaml__", False)
    same = [p for p in sorted(BROKEN.iterdir()) if b"?" not in p.read_bytes()]
    assert len(same) >= 12
    report = check_paths(same)
    by_file: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for problem in report.problems + report.translation_problems:
        by_file[Path(problem.path).name].append((problem.line, problem.message))
    assert dict(by_file) == {p.name: found[p.name] for p in same if found[p.name]}
