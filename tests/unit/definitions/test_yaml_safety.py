"""Reading YAML safely: lines, duplicate keys, aliases, tags, YAML 1.2 scalars, sizes, encodings."""

from __future__ import annotations

import math
import time

import pytest

from surveyapp.definitions.reporting import Report
from surveyapp.definitions.yamlnodes import (
    ALIAS_MESSAGE,
    MAX_BYTES,
    Map,
    Scalar,
    Seq,
    decode,
    parse,
    plain,
    resolve_plain,
)


def read(text: str) -> tuple[object, list[tuple[int, str]]]:
    report = Report("t.yaml")
    node = parse(text, report)
    return plain(node), [(p.line, p.message) for p in report.problems]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("No", "No"),
        ("NO", "NO"),
        ("true", True),
        ("True", True),
        ("false", False),
        ("FALSE", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("42", 42),
        ("-3", -3),
        ("+7", 7),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("-.5", -0.5),
        ("1_000", "1_000"),
        ("12:30", "12:30"),
        ("2024-05-01", "2024-05-01"),
        ("0b101", "0b101"),
        ("<<", "<<"),
        ("=", "="),
    ],
)
def test_plain_scalars_follow_yaml_1_2_core_schema(text: str, value: object) -> None:
    assert resolve_plain(text) == value
    assert type(resolve_plain(text)) is type(value)


def test_special_floats() -> None:
    assert resolve_plain(".inf") == math.inf
    assert resolve_plain("-.inf") == -math.inf
    nan = resolve_plain(".nan")
    assert isinstance(nan, float) and math.isnan(nan)


def test_a_number_too_long_for_python_stays_text() -> None:
    digits = "9" * 5000
    assert resolve_plain(digits) == digits


def test_language_codes_stay_strings_as_keys_and_list_items() -> None:
    data, found = read("languages: [en, no, on]\ntitle: {no: Norsk, on: x, yes: y}\n")
    assert found == []
    assert data == {
        "languages": ["en", "no", "on"],
        "title": {"no": "Norsk", "on": "x", "yes": "y"},
    }


def test_quoted_scalars_are_text() -> None:
    data, _ = read("a: '1'\nb: \"true\"\nc: 'null'\n")
    assert data == {"a": "1", "b": "true", "c": "null"}


def test_every_node_has_its_line() -> None:
    report = Report("t")
    root = parse("a: 1\nb:\n  - x\n  - {c: 2}\n", report)
    assert isinstance(root, Map)
    entry_b = root.entries["b"]
    assert (root.entries["a"].line, entry_b.line) == (1, 2)
    assert isinstance(entry_b.value, Seq)
    first, second = entry_b.value.items
    assert isinstance(first, Scalar) and first.line == 3
    assert isinstance(second, Map) and second.entries["c"].line == 4


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    data, found = read("a: 1\nb: 2\na: 3\n")
    assert found == [(3, "key 'a' appears twice in the same mapping (lines 1 and 3)")]
    assert data == {"a": 1, "b": 2}


def test_duplicate_keys_in_nested_and_flow_mappings() -> None:
    _, found = read("x:\n  - {v: 1, v: 2}\n  - y: 1\n    y: 2\n")
    assert found == [
        (2, "key 'v' appears twice in the same mapping (lines 2 and 2)"),
        (4, "key 'y' appears twice in the same mapping (lines 3 and 4)"),
    ]


def test_anchor_and_alias_are_refused_at_their_lines() -> None:
    data, found = read("a: &x {k: 1}\nb: 2\nc: *x\n")
    assert found == [(1, ALIAS_MESSAGE), (3, ALIAS_MESSAGE)]
    assert data is None  # nothing of a refused file is used


def test_alias_to_an_undefined_anchor_is_refused_not_a_crash() -> None:
    _, found = read("a: *nowhere\n")
    assert found == [(1, ALIAS_MESSAGE)]


def test_merge_keys_are_just_keys_and_need_aliases_anyway() -> None:
    _, found = read("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert [line for line, _ in found] == [1, 3]


LOL = '"lol",' * 8 + '"lol"'
BOMB = "\n".join(
    [f"a: &a [{LOL}]"]
    + [
        f"{k}: &{k} [{','.join(['*' + p] * 9)}]"
        for p, k in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


def test_the_billion_laughs_bomb_is_refused_quickly() -> None:
    assert len(BOMB.encode()) == 341
    started = time.perf_counter()
    data, found = read(BOMB)
    assert time.perf_counter() - started < 0.5
    assert data is None
    assert found == [(line, ALIAS_MESSAGE) for line in range(1, 10)]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a: !!python/object:os.system x\n", "!!python/object:os.system"),
        ("a: !!python/object/apply:os.system ['ls']\n", "!!python/object/apply:os.system"),
        ("a: !foo 1\n", "!foo"),
        ("a: !!str 1\n", "!!str"),
        ("a: !!map {b: 1}\n", "!!map"),
        ("a: ! x\n", "!"),
    ],
)
def test_explicit_tags_are_refused_never_constructed(text: str, shown: str) -> None:
    data, found = read(text)
    assert data is None
    assert found == [
        (1, f"YAML tags like '{shown}' are not allowed; remove the tag and write a plain value")
    ]


def test_syntax_errors_carry_the_line_of_the_problem() -> None:
    _, found = read("a: 1\nb: [1, 2\nc: 3\n")
    assert len(found) == 1
    line, message = found[0]
    assert line == 3
    assert message.startswith(
        "YAML syntax error while parsing a flow sequence (which starts on line 2)"
    )


def test_bad_indentation_is_a_syntax_error_at_its_line() -> None:
    _, found = read("a:\n  - x\n y: 2\n")
    assert found[0][0] == 3
    assert found[0][1].startswith("YAML syntax error")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file_is_a_problem(text: str) -> None:
    assert read(text) == (None, [(1, "the file is empty")])


def test_a_second_document_is_a_problem() -> None:
    data, found = read("a: 1\n---\nb: 2\n")
    assert found == [(2, "a survey file holds one YAML document; remove the second '---'")]
    assert data == {"a": 1}


def test_control_characters_are_reported_at_their_line() -> None:
    _, found = read("a: ä\nb: ö\nc: x\x07y\n")
    assert found == [(3, "the character U+0007 is not allowed in a YAML file")]


def test_lone_surrogates_are_reported_not_a_crash() -> None:
    _, found = read("a: ok\nb: \ud800\n")
    assert found == [(2, "the character U+D800 is not allowed in a YAML file")]


def test_deep_nesting_is_refused() -> None:
    _, found = read("[" * 200 + "]" * 200)
    assert found == [(1, "the file is nested more than 64 levels deep")]


def test_a_list_as_a_key_is_reported() -> None:
    data, found = read("? [a, b]\n: 1\nc: 2\n")
    assert found == [(1, "a key must be a plain word, not a list or mapping")]
    assert data == {"c": 2}


def test_decode_accepts_utf8_with_and_without_bom() -> None:
    report = Report("t")
    assert decode("a: ä\n".encode(), report) == "a: ä\n"
    assert decode("\ufeffa: ä\n".encode(), report) == "a: ä\n"
    assert report.problems == []


def test_decode_reports_the_line_of_the_first_bad_byte() -> None:
    report = Report("t")
    data = b"a: 1\nb: ok\n" + "c: Café – x\n".encode("cp1252")
    assert decode(data, report) is None
    assert [(p.line, p.message) for p in report.problems] == [
        (3, "the file is not valid UTF-8 (byte 0xe9); save it as UTF-8"),
    ]


def test_decode_refuses_more_than_one_megabyte() -> None:
    report = Report("t")
    assert decode(b"#" * (MAX_BYTES + 1), report) is None
    assert report.problems[0].line == 1
    assert report.problems[0].message == (
        "the file is larger than 1 MB (1,048,576 bytes), the most a survey file may be"
    )
    assert decode(b"#" * MAX_BYTES, Report("t")) is not None


def test_parse_refuses_text_over_one_megabyte() -> None:
    _, found = read("a: " + "x" * MAX_BYTES + "\n")
    assert found == [(1, "the text is longer than 1,048,576 bytes (1 MB)")]
