"""The manual in a file: revisions, chapters and topics, continuations, and surveys naming them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from surveyapp.definitions import (
    MANUAL_FILE,
    Manual,
    check_paths,
    load_manual_text,
    load_text,
    manual_of_dir,
)
from surveyapp.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[3]
MANUALS = ROOT / "tests" / "data" / "manuals"
SURVEY = """\
id: {id}
title: {{en: Test, fi: Testi}}
languages: [en, fi]
sections:
  - id: main
    chapter: {chapter}
    title: {{en: Main, fi: Pää}}
    questions:
      - id: q
        type: text
        text: {{en: Q, fi: K}}
"""


def survey_text(survey_id: str, chapter: str, topic: str = "") -> str:
    """A survey whose one section is of `chapter`; its question's topic on line 12."""
    text = SURVEY.format(id=survey_id, chapter=chapter)
    return text + (f"        topic: {topic}\n" if topic else "")


def survey_folder(tmp_path: Path, manual: str, **surveys: tuple[str, str]) -> Path:
    """A surveys folder with `manual` (a file in tests/data/manuals) as its manual.yaml and
    one survey per keyword: id=(chapter, topic)."""
    shutil.copy(MANUALS / manual, tmp_path / MANUAL_FILE)
    for survey_id, (chapter, topic) in surveys.items():
        text = survey_text(survey_id, chapter, topic)
        (tmp_path / f"{survey_id}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_shipped_manual_has_the_six_chapters_with_titles_in_every_language() -> None:
    manual = manual_of_dir(ROOT / "surveys")
    chapters = manual.latest.chapters
    assert [c.id for c in chapters] == ["why", "what", "how", "who", "result", "not_an_island"]
    assert [c.order for c in chapters] == [1, 2, 3, 4, 5, 6]
    assert manual.languages == ("en", "fi", "sv")
    assert all(set(c.title) == {"en", "fi", "sv"} for c in chapters)
    assert all(set(t.title) == {"en", "fi", "sv"} for c in chapters for t in c.topics)
    assert chapters[2].topics[0].id == "mandate"
    assert manual.chapter_title("who", "fi") == "Organisointi ja roolit"
    # The demo's 0.4 rounds use the latest listed revision before them.
    assert manual.revision("0.4").id == "0.3"


def test_added_renamed_and_split_chapters_are_accepted_by_check(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, "two-revisions.yaml", next=("people", ""))
    report = check_paths([folder])
    assert report.problems == []
    assert report.files == 2
    manual = report.manuals[folder.resolve()]
    assert [r.id for r in manual.revisions] == ["0.3", "0.4"]
    assert manual.earlier_ids("strategy", "0.4", "0.3") == {"what"}
    assert manual.earlier_ids("people", "0.4", "0.3") == {"how"}
    assert manual.earlier_ids("means", "0.4", "0.3") == {"how"}
    assert manual.earlier_ids("why", "0.4", "0.3") == {"why"}
    assert manual.earlier_ids("impact", "0.4", "0.3") == set()
    assert manual.earlier_ids("crises", "0.4", "0.3") == {"crises"}
    # Revisions the manual does not list use the latest listed before them (or the first).
    assert manual.earlier_ids("strategy", "9.0", "0.1") == {"what"}
    assert Manual().earlier_ids("strategy", "0.4", "0.3") == {"strategy"}


def test_titles_and_order_come_from_the_round_revision() -> None:
    manual = manual_of_dir_of("two-revisions.yaml")
    assert manual.chapter_title("strategy", "fi") == "Strategia"
    assert manual.chapter_title("what", "fi", "0.4") == "Mitä"  # only in 0.3: still titled
    assert manual.chapter_title("unknown", "fi") == "unknown"
    assert manual.chapter_order(["impact", "x", "why", "strategy"]) == [
        "why",
        "strategy",
        "impact",
        "x",
    ]
    assert Manual().chapter_title("why", "fi") == "why"


def manual_of_dir_of(name: str) -> Manual:
    return load_manual_text((MANUALS / name).read_text(encoding="utf-8"), source=name)


def test_a_broken_manual_is_reported_line_by_line_all_at_once() -> None:
    with pytest.raises(DefinitionError) as caught:
        manual_of_dir_of("broken.yaml")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (6, "revision '0.3', chapter 'why': title has no 'fi' translation"),
        (8, "revision '0.3', chapter 'why': id 'why' is used twice (lines 5 and 8)"),
        (
            10,
            "revision '0.3': id 'What' must start with a letter a-z and use only a-z, 0-9 and '_'",
        ),
        (12, "revision '0.3', chapter 'What': unknown key 'colour'"),
        (15, "revision '0.4': 'whatt' is not an id of revision '0.3' (did you mean 'What'?)"),
        (
            18,
            "revision '0.4', chapter 'how': title has a 'sv' text, but 'sv' is not one of "
            "the survey's languages (en, fi)",
        ),
        (19, "revision '0.2' must come after '0.4' (oldest first)"),
        (21, "revision '0.2', chapter 1: 'id' is missing"),
    ]


def test_a_broken_manual_is_reported_by_check_and_chapters_go_unchecked(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, "broken.yaml", s=("anything", ""))
    report = check_paths([folder])
    assert {Path(p.path).name for p in report.problems} == {MANUAL_FILE}
    assert len(report.problems) == 8


def test_an_unknown_chapter_in_a_survey_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, "two-revisions.yaml", s=("strategie", ""))
    report = check_paths([folder / "s.yaml"])  # the manual beside the file is read too
    assert [(Path(p.path).name, p.line, p.message) for p in report.problems] == [
        ("s.yaml", 6, "section 'main': unknown chapter 'strategie' (did you mean 'strategy'?)"),
    ]


def test_an_old_chapter_id_is_unknown_to_the_latest_revision(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, "two-revisions.yaml", s=("what", ""))
    [problem] = check_paths([folder]).problems
    assert problem.line == 6 and "unknown chapter 'what'" in problem.message


def test_topics_must_belong_to_the_section_chapter(tmp_path: Path) -> None:
    folder = survey_folder(
        tmp_path, "two-revisions.yaml", a=("why", "crisis"), b=("strategy", "crises")
    )
    found = [(Path(p.path).name, p.line, p.message) for p in check_paths([folder]).problems]
    assert found == [
        (
            "a.yaml",
            12,
            "section 'main', question 'q': unknown topic 'crisis' of chapter 'why' "
            "(did you mean 'crises'?)",
        ),
        (
            "b.yaml",
            12,
            "section 'main', question 'q': unknown topic 'crises' of chapter 'strategy'",
        ),
    ]
    survey = load_text(survey_text("c", "why", "crises"))
    assert survey.questions[0].topic == "crises"


def test_without_a_manual_chapters_and_topics_are_not_checked(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(survey_text("s", "whatever", "t"))
    report = check_paths([tmp_path])
    assert report.problems == [] and report.manuals == {}
    assert report.surveys[0].sections[0].chapter == "whatever"
    assert manual_of_dir(tmp_path) == Manual()
