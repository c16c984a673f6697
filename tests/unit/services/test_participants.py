"""Participant lists from CSV files as Excel and people write them, imported into a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, event, func, select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp import migrate
from surveyapp.db import make_engine
from surveyapp.errors import InvalidRequest
from surveyapp.models import Participant
from surveyapp.services.csv_input import MAX_LENGTHS
from surveyapp.services.languages import normalise_language
from surveyapp.services.participants import (
    ParsedCsv,
    get_participant_by_email,
    import_participants,
    known_languages,
    list_participants,
    read_participants_csv,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "csv"
HEADER = "email,name,organisation,city,country,group,language\n"
UNCLOSED_QUOTE = f'{HEADER}good@b.fi,Good\nc@d.fi,"Never closed\ne@f.fi,Lost\n'.encode()


@pytest.fixture
def db_session(tmp_path: Path) -> Iterator[Session]:
    """A session on a fresh, migrated SQLite file: the import's flushes really hit a database."""
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    migrate.upgrade(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parse(name: str) -> ParsedCsv:
    return read_participants_csv(data(name))


def codes(parsed: Any) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in parsed.problems]


def parse_text(text: str) -> ParsedCsv:
    return read_participants_csv(text.encode("utf-8"))


def stored(session: Session) -> dict[str, Participant]:
    return {p.email: p for p in session.scalars(select(Participant))}


def names(people: list[Participant]) -> list[str]:
    return [p.name for p in people]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Participant)) or 0


# --- reading files -----------------------------------------------------------------------------


def test_finnish_excel_file_with_bom_semicolons_and_finnish_header_is_read() -> None:
    parsed = parse("finnish_excel_semicolon_bom.csv")
    assert (parsed.encoding, parsed.delimiter) == ("utf-8-sig", ";")
    assert parsed.problems == [] and parsed.warnings == []
    assert [(r.line, r.email, r.name, r.language) for r in parsed.rows] == [
        (2, "anna.virtanen@hel.fi", "Anna Virtanen", "fi"),
        (3, "jussi.makela@tampere.fi", "Jussi Mäkelä", "fi"),
        (4, "asa.oberg@vasa.fi", "Åsa Öberg", "sv"),
    ]
    anna = parsed.rows[0]
    assert (anna.organisation, anna.city, anna.country, anna.group) == (
        "Helsingin kaupunki",
        "Helsinki",
        "Suomi",
        "validation-group",
    )


def test_windows_1252_file_keeps_accented_names_and_says_how_it_was_read() -> None:
    parsed = parse("windows1252_comma.csv")
    assert (parsed.encoding, parsed.delimiter) == ("cp1252", ",")
    assert [r.name for r in parsed.rows] == ["Åsa Öberg", "José Núñez", "Zoë Dupont"]
    assert parsed.rows[0].city == "Malmö"
    # The euro sign and the en dash exist in Windows-1252 but not in Latin-1.
    assert parsed.rows[2].organisation == "Métropole de Lyon – Achats €"
    assert [r.language for r in parsed.rows] == ["sv", "es", "fr"]
    assert any("Windows-1252" in w for w in parsed.warnings)


def test_excel_unicode_text_is_utf16_tab_delimited_with_first_and_last_names() -> None:
    parsed = parse("excel_unicode_text.txt")
    assert (parsed.encoding, parsed.delimiter) == ("utf-16", "\t")
    assert [(r.email, r.name, r.city, r.language) for r in parsed.rows] == [
        ("lena.schmidt@muenchen.de", "Lena Schmidt", "München", "de"),
        ("pieter.devries@gent.be", "Pieter de Vries", "Gent", "nl"),
    ]


def test_bad_rows_are_reported_by_line_and_good_rows_are_kept() -> None:
    parsed = parse("bad_rows.csv")
    assert codes(parsed) == [
        (3, "missing_email"),
        (4, "invalid_email"),
        (7, "unknown_language"),
        (8, "duplicate_email"),
    ]
    assert [(r.line, r.email) for r in parsed.rows] == [
        (2, "good1@espoo.fi"),
        (6, "good2@oulu.fi"),
        (10, "good3@lahti.fi"),
    ]
    assert parsed.total_rows == 7  # the blank line and the ",,,,,,," line are not rows
    assert parsed.warnings == ["Columns not imported: phone."]
    assert str(parsed.problems[3]) == (
        "line 8: good1@espoo.fi is already on line 2; this row was skipped."
    )
    assert parsed.problems[2].params == {"value": "Klingon"}


def test_quoted_delimiters_and_newlines_keep_values_and_line_numbers() -> None:
    parsed = parse("quoted_fields.csv")
    rossi, nowak, _ = parsed.rows
    assert rossi.name == "Rossi, Maria"
    assert rossi.organisation == "Comune di Milano\r\nDirezione Centrale Acquisti"
    assert nowak.organisation == 'Urząd "Miasta" Warszawy'
    assert [r.line for r in parsed.rows] == [2, 4, 7]
    # The bad row starts on line 5; the row after the two-line value on line 7.
    assert codes(parsed) == [(5, "invalid_email")]
    assert [(r.language) for r in parsed.rows] == ["it", "pl", "nl"]


@pytest.mark.parametrize(
    "header",
    [
        " E-Mail ;Full Name;Organization;CITY;Country;GROUP;Lang",
        "sähköposti;nimi;organisaatio;kaupunki;maa;ryhmä;kieli",
        "E-post;Namn;Org;Stad;Land;Grupp;Språk",
        "MAIL;name;organisation;city;country;group;language*",
    ],
)
def test_header_names_in_any_case_and_language_are_recognised(header: str) -> None:
    parsed = parse_text(f"{header}\nA@B.fi;Anna;Org;Espoo;Finland;g1;en\n")
    assert parsed.problems == [] and parsed.warnings == []
    row = parsed.rows[0]
    values = (row.email, row.name, row.organisation, row.city, row.country, row.group)
    assert values == ("a@b.fi", "Anna", "Org", "Espoo", "Finland", "g1")
    assert row.language == "en"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("fi", "fi"),
        ("FI", "fi"),
        ("fi-FI", "fi"),
        ("sv_SE", "sv"),
        ("Suomi", "fi"),
        ("svenska", "sv"),
        ("English", "en"),
        ("Deutsch", "de"),
        ("français", "fr"),
        ("francais", "fr"),
        ("Nederlands", "nl"),
        ("italiano", "it"),
        ("Español", "es"),
        ("polski", "pl"),
        ("Português", "pt"),
        ("eng", "en"),
        ("et", "et"),
    ],
)
def test_languages_are_stored_as_codes(written: str, code: str) -> None:
    assert normalise_language(written) == code
    assert parse_text(f"{HEADER}a@b.fi,,,,,,{written}\n").rows[0].language == code


@pytest.mark.parametrize("written", ["xx", "Klingon", "f", "finnish-ish", "12", "en GB"])
def test_unknown_languages_make_a_bad_row(written: str) -> None:
    parsed = parse_text(f"{HEADER}a@b.fi,,,,,,{written}\nc@d.fi,,,,,,fi\n")
    assert codes(parsed) == [(2, "unknown_language")]
    assert [r.email for r in parsed.rows] == ["c@d.fi"]


def test_a_country_code_written_as_language_is_reported_with_the_right_code() -> None:
    parsed = parse_text(f"{HEADER}a@b.se,,,,,,SE\n")
    assert parsed.rows == []
    assert parsed.problems[0].message == "'SE' is a country code; the language is 'sv'."


@pytest.mark.parametrize(
    "email", ["no-at.fi", "a@b", "a@@b.fi", "a@b@c.fi", "a b@c.fi", "@b.fi", "a@.fi", "a@b..fi"]
)
def test_invalid_emails_make_a_bad_row(email: str) -> None:
    parsed = parse_text(f"{HEADER}{email},Name\n")
    assert codes(parsed) == [(2, "invalid_email")]
    assert parsed.rows == []


def test_emails_are_lowercased_and_stripped() -> None:
    parsed = parse_text(f'{HEADER}"  Anna.Virtanen@Hel.FI ",Anna\n')
    assert parsed.rows[0].email == "anna.virtanen@hel.fi"


def test_values_longer_than_their_column_are_reported_not_truncated() -> None:
    fits, too_long = "N" * 200, "N" * 201
    city = "C" * 101
    parsed = parse_text(f"{HEADER}a@b.fi,{fits}\nc@d.fi,{too_long},,{city}\n")
    assert [r.name for r in parsed.rows] == [fits]
    assert [(p.line, p.code, dict(p.params)) for p in parsed.problems] == [
        (3, "too_long", {"field": "name", "length": 201, "max": 200}),
        (3, "too_long", {"field": "city", "length": 101, "max": 100}),
    ]


def test_a_row_with_more_values_than_the_header_is_reported() -> None:
    parsed = parse_text("email;name\na@b.fi;Smith; John\nc@d.fi;Jane;\n")
    assert codes(parsed) == [(2, "extra_fields")]
    assert [r.name for r in parsed.rows] == ["Jane"]  # a trailing empty cell is harmless


def test_excels_sep_line_sets_the_delimiter_and_counts_as_a_line() -> None:
    parsed = parse_text("sep=;\nemail;name\nbad;x\na@b.fi;Anna, PhD\n")
    assert parsed.delimiter == ";"
    assert codes(parsed) == [(3, "invalid_email")]
    assert parsed.rows[0].name == "Anna, PhD"


def test_a_comma_inside_a_semicolon_header_does_not_fool_the_sniffer() -> None:
    parsed = parse_text("email;name;organisation, unit\na@b.fi;Anna;Espoo, procurement\n")
    assert parsed.delimiter == ";"
    assert parsed.rows[0].name == "Anna"


def test_a_quote_with_bad_text_after_it_is_a_bad_row_not_the_end_of_the_file() -> None:
    parsed = parse_text(f'{HEADER}a@b.fi,"Nick" Smith\nc@d.fi,Jane\n')
    assert codes(parsed) == [(2, "malformed_row")]
    assert [r.email for r in parsed.rows] == ["c@d.fi"]


@pytest.mark.parametrize(
    ("content", "line", "code"),
    [
        (b"", 1, "empty_file"),
        (b"\r\n;;;\r\n", 1, "empty_file"),
        ("\ufeff\r\n".encode(), 1, "empty_file"),
        (b"sep=;\r\n", 1, "empty_file"),
        (b"PK\x03\x04\x14\x00\x06\x00", 1, "spreadsheet_file"),
        (b"email,name\nx@y.fi,\x81\x8d\x00", 1, "unreadable_file"),
        (data("no_email_column.csv"), 1, "no_email_column"),
        (b"a@b.fi;Anna\nc@d.fi;Bea\n", 1, "no_email_column"),
        (UNCLOSED_QUOTE, 3, "unclosed_quote"),
    ],
)  # fmt: skip
def test_fatal_problems_leave_no_rows(content: bytes, line: int, code: str) -> None:
    parsed = read_participants_csv(content)
    assert codes(parsed) == [(line, code)]
    assert parsed.is_fatal and parsed.rows == []


def test_a_missing_email_column_message_shows_what_was_found() -> None:
    problem = parse("no_email_column.csv").problems[0]
    assert (
        problem.message == "The header row has no email column (found: Name, Organisation, City)."
    )


def test_known_languages_is_the_mapping_the_parser_uses() -> None:
    languages = known_languages()
    assert languages["suomi"] == "fi" and languages["svenska"] == "sv"
    assert languages["français"] == "fr" and languages["deutsch"] == "de"
    for name, code in languages.items():
        assert normalise_language(name.upper()) == code


def test_length_limits_match_the_participant_columns() -> None:
    columns = Participant.__table__.columns
    for name, limit in MAX_LENGTHS.items():
        column_type = columns[name if name != "group" else "group_name"].type
        assert isinstance(column_type, String) and column_type.length == limit


# --- importing into the database ---------------------------------------------------------------


def test_import_stores_the_good_rows(db_session: Session) -> None:
    report = import_participants(db_session, data("finnish_excel_semicolon_bom.csv"), actor=SETUP)
    db_session.commit()
    assert (report.created, report.updated, report.unchanged, report.total_rows) == (3, 0, 0, 3)
    asa = stored(db_session)["asa.oberg@vasa.fi"]
    assert (asa.name, asa.organisation, asa.city, asa.country, asa.group, asa.language) == (
        "Åsa Öberg",
        "Vasa stad",
        "Vasa",
        "Finland",
        "validation-group",
        "sv",
    )


def test_a_file_with_bad_rows_imports_the_good_ones_and_reports_the_rest(
    db_session: Session,
) -> None:
    report = import_participants(db_session, data("bad_rows.csv"), actor=SETUP)
    db_session.commit()
    assert sorted(stored(db_session)) == ["good1@espoo.fi", "good2@oulu.fi", "good3@lahti.fi"]
    assert (report.created, report.skipped) == (3, 4)
    assert [p.line for p in report.problems] == [3, 4, 7, 8]
    assert stored(db_session)["good1@espoo.fi"].name == "Good One"  # the first one is kept


def test_reimport_updates_by_email_without_duplicating(db_session: Session) -> None:
    import_participants(db_session, data("finnish_excel_semicolon_bom.csv"), actor=SETUP)
    db_session.commit()
    report = import_participants(db_session, data("finnish_excel_update.csv"), actor=SETUP)
    db_session.commit()
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert count(db_session) == 4
    anna = stored(db_session)["anna.virtanen@hel.fi"]
    assert anna.organisation == "Helsingin kaupunki, hankintakeskus"
    # The update file leaves these cells empty: what was stored stays.
    assert (anna.name, anna.city, anna.country, anna.group, anna.language) == (
        "Anna Virtanen",
        "Helsinki",
        "Suomi",
        "validation-group",
        "fi",
    )


def test_importing_the_same_file_twice_changes_nothing(db_session: Session) -> None:
    import_participants(db_session, data("windows1252_comma.csv"), actor=SETUP)
    db_session.commit()
    report = import_participants(db_session, data("windows1252_comma.csv"), actor=SETUP)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert count(db_session) == 3


def test_the_group_option_sets_the_group_of_every_row(db_session: Session) -> None:
    import_participants(db_session, data("finnish_excel_semicolon_bom.csv"), actor=SETUP)
    db_session.commit()
    report = import_participants(
        db_session, data("finnish_excel_update.csv"), group=" pilot-2 ", actor=SETUP
    )
    db_session.commit()
    assert (report.created, report.updated, report.unchanged) == (1, 2, 0)
    groups = {email: p.group for email, p in stored(db_session).items()}
    assert groups == {
        "anna.virtanen@hel.fi": "pilot-2",
        "jussi.makela@tampere.fi": "pilot-2",
        "uusi.henkilo@oulu.fi": "pilot-2",
        "asa.oberg@vasa.fi": "validation-group",  # not in the second file
    }


def test_a_group_name_too_long_for_its_column_is_refused(db_session: Session) -> None:
    with pytest.raises(InvalidRequest):
        import_participants(db_session, data("bad_rows.csv"), group="g" * 101, actor=SETUP)
    assert count(db_session) == 0


@pytest.mark.parametrize(
    "content",
    [
        data("no_email_column.csv"),
        UNCLOSED_QUOTE,
    ],
)
def test_a_fatal_problem_stores_nothing(db_session: Session, content: bytes) -> None:
    report = import_participants(db_session, content, actor=SETUP)
    db_session.commit()
    assert report.is_fatal and report.problems[0].fatal
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert count(db_session) == 0


def test_import_flushes_but_leaves_the_commit_to_the_caller(db_session: Session) -> None:
    import_participants(db_session, data("windows1252_comma.csv"), actor=SETUP)
    assert all(p.id is not None for p in stored(db_session).values())
    db_session.rollback()
    assert count(db_session) == 0


def test_thousands_of_rows_are_matched_in_chunked_queries(db_session: Session) -> None:
    rows = "".join(f"person{i}@city{i % 7}.eu,Person {i},,,,,en\n" for i in range(1234))
    content = (HEADER + rows).encode()
    assert import_participants(db_session, content, actor=SETUP).created == 1234
    db_session.commit()
    selects: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db_session.get_bind(), "before_cursor_execute", remember)
    report = import_participants(db_session, content.replace(b",en\n", b",fi\n"), actor=SETUP)
    assert (report.created, report.updated) == (0, 1234)
    assert len(selects) == 3  # 1,234 addresses in IN lists of at most 500
    assert count(db_session) == 1234


def test_get_participant_by_email_ignores_case_and_spaces(db_session: Session) -> None:
    import_participants(db_session, data("finnish_excel_semicolon_bom.csv"), actor=SETUP)
    found = get_participant_by_email(db_session, "  Anna.VIRTANEN@hel.fi ")
    assert found is not None and found.name == "Anna Virtanen"
    assert get_participant_by_email(db_session, "nobody@hel.fi") is None


def test_list_participants_by_group_and_search(db_session: Session) -> None:
    import_participants(db_session, data("quoted_fields.csv"), actor=SETUP)
    import_participants(db_session, data("windows1252_comma.csv"), actor=SETUP)
    assert names(list_participants(db_session, group="city-pilot")) == [
        "José Núñez",
        "Nowak, Piotr",
    ]
    assert names(list_participants(db_session, search="MILANO")) == ["Rossi, Maria"]
    assert names(list_participants(db_session, search="amsterdam", group="city-pilot")) == []
    assert list_participants(db_session, search="%") == []  # wildcards are matched literally
    assert len(list_participants(db_session)) == 6
