"""Loading texts, files and folders; check_paths never raises and reports every file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from surveyapp.definitions import (
    CheckReport,
    Survey,
    check_paths,
    load_dir,
    load_file,
    load_text,
)
from surveyapp.definitions.loader import read_dir
from surveyapp.errors import DefinitionError, Problem

DATA = Path(__file__).resolve().parents[2] / "data"
VALID = DATA / "valid"
T = "{en: T, fi: T, sv: T}"


def minimal(survey_id: str) -> str:
    return (
        f"id: {survey_id}\ntitle: {T}\nlanguages: [en, fi, sv]\nsections:\n"
        f"  - id: s\n    title: {T}\n    questions:\n"
        f"      - {{id: q, type: text, text: {T}}}\n"
    )


def test_load_text_raises_with_every_problem_and_the_source() -> None:
    text = minimal("x").replace("type: text", "type: txt")
    text = text.replace(f"title: {T}\nlanguages", "title: {fi: T, sv: T}\nlanguages")
    with pytest.raises(DefinitionError) as caught:
        load_text(text, source="surveys/x.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "surveys/x.yaml:2: title has no 'en' translation",
        "surveys/x.yaml:8: section 's', question 'q': unknown question type 'txt' "
        "(did you mean 'text'?)",
    ]
    assert str(caught.value).startswith("surveys/x.yaml:2: title has no 'en' translation")
    assert "(and 1 more)" in str(caught.value)


def test_load_text_does_not_check_the_file_name() -> None:
    assert load_text(minimal("anything")).id == "anything"


def test_load_file(tmp_path: Path) -> None:
    path = tmp_path / "city-pilot.yaml"
    path.write_text(minimal("city-pilot"), encoding="utf-8")
    survey = load_file(path)
    assert (survey.id, survey.source) == ("city-pilot", str(path))


def test_load_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + minimal("bom").encode())
    assert load_file(path).id == "bom"


def test_load_file_requires_the_id_to_match_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "city-pilot.yml"
    path.write_text(minimal("city-pilot-2"), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_file(path)
    assert caught.value.problems == (
        Problem(
            str(path),
            1,
            "survey id 'city-pilot-2' does not match the file name "
            "'city-pilot.yml'; rename the file to 'city-pilot-2.yml' or "
            "change the id",
        ),
    )


def test_load_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_file(tmp_path / "nope.yaml")
    assert caught.value.problems[0].message.startswith("the file cannot be read: ")


def test_a_file_over_one_megabyte_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(minimal("big").encode() + b"#" * 1_048_576)
    report = check_paths([path])
    assert [(p.line, p.message) for p in report.problems] == [
        (1, "the file is larger than 1 MB (1,048,576 bytes), the most a survey file may be"),
    ]


def test_a_file_of_exactly_one_megabyte_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    text = minimal("big").encode()
    path.write_bytes(text + b"#" * (1_048_576 - len(text)))
    assert load_file(path).id == "big"


def test_check_paths_walks_folders_sorted_and_collects_surveys() -> None:
    report = check_paths([VALID])
    assert isinstance(report, CheckReport)
    assert report.problems == []
    assert report.ok
    assert report.files == 3
    assert [s.id for s in report.surveys] == ["all-types", "norwegian", "one-language"]
    assert report.texts["one-language"] == (VALID / "one-language.yaml").read_text("utf-8")


def test_check_paths_reports_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = check_paths([tmp_path / "missing.yaml", tmp_path / "empty"])
    assert report.problems == [
        Problem(str(tmp_path / "missing.yaml"), 1, "no such file or folder"),
        Problem(str(tmp_path / "empty"), 1, "no survey files (*.yaml, *.yml) in this folder"),
    ]
    assert (report.files, report.surveys) == (0, [])


def test_check_paths_walks_subfolders_but_skips_hidden_ones(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub" / "b.yml").write_text(minimal("b"), encoding="utf-8")
    (tmp_path / "a.yaml").write_text(minimal("a"), encoding="utf-8")
    (tmp_path / ".git" / "c.yaml").write_text("broken: [", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a survey", encoding="utf-8")
    report = check_paths([tmp_path])
    assert [s.id for s in report.surveys] == ["a", "b"]
    assert report.problems == []


def test_check_paths_reads_each_file_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(minimal("a"), encoding="utf-8")
    report = check_paths([tmp_path, tmp_path / "a.yaml", str(tmp_path / "a.yaml")])
    assert report.files == 1


def test_check_paths_finds_the_same_survey_id_in_two_files(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.yaml").write_text("# a comment\n" + minimal("x"), encoding="utf-8")
    (tmp_path / "one" / "x.yml").write_text(minimal("x"), encoding="utf-8")
    report = check_paths([tmp_path])
    first = tmp_path / "one" / "x.yaml"
    assert report.problems == [
        Problem(str(tmp_path / "one" / "x.yml"), 1, f"survey id 'x' is also used by {first}"),
        Problem(str(tmp_path / "two" / "x.yaml"), 2, f"survey id 'x' is also used by {first}"),
    ]
    assert [s.source for s in report.surveys] == [str(first)]


def test_check_paths_accepts_a_file_with_any_name(tmp_path: Path) -> None:
    path = tmp_path / "draft"
    path.write_text(minimal("draft"), encoding="utf-8")
    assert check_paths([path]).ok


def test_check_paths_on_an_unreadable_path_reports_it(tmp_path: Path) -> None:
    fifo_like = tmp_path / "dir.yaml"
    fifo_like.mkdir()  # a folder named like a file: walked, and empty
    report = check_paths([fifo_like])
    assert [p.message for p in report.problems] == [
        "no survey files (*.yaml, *.yml) in this folder"
    ]


@pytest.mark.timeout(10)
def test_check_paths_refuses_a_named_pipe_instead_of_waiting_on_it(tmp_path: Path) -> None:
    """Reading a pipe nobody writes to would block forever: the checker never hangs."""
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    report = check_paths([pipe, "/dev/null"])
    assert [(p.path, p.line, p.message) for p in report.problems] == [
        (str(pipe), 1, "not a regular file; give a survey file or a folder"),
        ("/dev/null", 1, "not a regular file; give a survey file or a folder"),
    ]
    assert report.files == 0


def test_load_dir_reads_only_the_folders_own_files(tmp_path: Path) -> None:
    shutil.copy(VALID / "one-language.yaml", tmp_path)
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "old.yaml").write_text("broken: [", encoding="utf-8")
    surveys = load_dir(tmp_path)
    assert list(surveys) == ["one-language"]
    assert isinstance(surveys["one-language"], Survey)


def test_load_dir_raises_on_any_problem(tmp_path: Path) -> None:
    shutil.copy(VALID / "one-language.yaml", tmp_path)
    (tmp_path / "bad.yaml").write_text(
        minimal("bad").replace("type: text", "type: txt"), encoding="utf-8"
    )
    with pytest.raises(DefinitionError) as caught:
        load_dir(tmp_path)
    assert [p.line for p in caught.value.problems] == [8]


def test_load_dir_of_an_empty_or_missing_folder(tmp_path: Path) -> None:
    assert load_dir(tmp_path) == {}
    with pytest.raises(DefinitionError) as caught:
        load_dir(tmp_path / "missing")
    assert caught.value.problems[0].message == "no such folder"


def test_read_dir_keeps_texts_for_freezing(tmp_path: Path) -> None:
    shutil.copy(VALID / "norwegian.yaml", tmp_path)
    report = read_dir(tmp_path)
    assert report.texts == {"norwegian": (VALID / "norwegian.yaml").read_text("utf-8")}


def test_the_valid_examples_load_with_every_feature() -> None:
    survey = load_file(VALID / "all-types.yaml")
    assert {q.type for q in survey.questions} == {
        "single",
        "multi",
        "likert",
        "rating",
        "matrix",
        "text",
        "number",
        "info",
    }
    assert survey.description == {
        "en": "A test survey.",
        "fi": "Testikysely.",
        "sv": "En testenkät.",
    }
    assert [s.chapter for s in survey.sections] == [None, "why", "result"]
    assert survey.question("role").options[2].value == 3
