"""Reading participant lists from CSV files as people actually write them (Excel, by hand)."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .languages import country_code_mixup, normalise_language

# Mirrors the column lengths of models.Participant (a test keeps the two in step); kept here
# so that parsing stays plain Python with no database import.
MAX_LENGTHS: Mapping[str, int] = MappingProxyType(
    {"email": 254, "name": 200, "organisation": 200, "city": 100, "country": 100, "group": 100}
)

_SHORTEST_LIMIT = min(MAX_LENGTHS.values())

MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "empty_file": "The file is empty.",
        "spreadsheet_file": "This is an Excel workbook: save it as 'CSV UTF-8' and import that.",
        "unreadable_file": "The file is not text in UTF-8, UTF-16 or Windows-1252.",
        "no_email_column": "The header row has no email column (found: {columns}).",
        "unclosed_quote": "A quote opened on this line is never closed; nothing was imported.",
        "malformed_row": "The row could not be read ({detail}); check its quotes.",
        "extra_fields": "The row has {count} values but the header has {expected} columns; "
        "a value that contains the delimiter must be in quotes.",
        "missing_email": "The row has no email address.",
        "invalid_email": "'{value}' is not a valid email address.",
        "unknown_language": "'{value}' is not a known language; use a code such as en, fi or sv.",
        "country_code_as_language": "'{value}' is a country code; the language is '{suggestion}'.",
        "duplicate_email": "{email} is already on line {first_line}; this row was skipped.",
        "too_long": "The {field} is {length} characters long; at most {max} fit.",
    }
)


@dataclass(frozen=True)
class RowProblem:
    """A problem at a 1-based line of the file; `code` and `params` let the web translate it."""

    line: int
    code: str
    params: Mapping[str, str | int] = field(default_factory=dict)
    fatal: bool = False

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ParticipantRow:
    """A participant's values, "" where none was given: a good row of a file (normalised
    here: lowercase email, language code; `line` is its 1-based line), or what a coordinator
    typed in the edit form (`line` 0; cleaned by participants.update_participant)."""

    email: str
    name: str = ""
    organisation: str = ""
    city: str = ""
    country: str = ""
    group: str = ""
    language: str = ""
    line: int = 0


@dataclass
class ParsedCsv:
    """The good rows, the problems (by line) and warnings of one file."""

    rows: list[ParticipantRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total_rows: int = 0
    encoding: str = ""
    delimiter: str = ""

    @property
    def is_fatal(self) -> bool:
        return any(p.fatal for p in self.problems)


class _FileProblem(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


HEADER_SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "email": ("email", "e-mail", "mail", "email address", "e-mail address", "sähköposti",
                  "sähköpostiosoite", "e-post", "e-postadress"),
        "name": ("name", "full name", "nimi", "koko nimi", "namn"),
        "first_name": ("first name", "firstname", "given name", "etunimi", "förnamn"),
        "last_name": ("last name", "lastname", "surname", "family name", "sukunimi", "efternamn"),
        "organisation": ("organisation", "organization", "org", "organisaatio"),
        "city": ("city", "kaupunki", "stad"),
        "country": ("country", "maa", "land"),
        "group": ("group", "ryhmä", "grupp"),
        "language": ("language", "lang", "preferred language", "kieli", "språk"),
    }
)  # fmt: skip

_SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
DELIMITERS = ",;\t"


def _header_key(label: str) -> str:
    # Excel adds BOMs and people add "*" for required or ":" after a label.
    text = label.replace("\ufeff", "").strip().rstrip("*:").replace("_", " ")
    return " ".join(text.casefold().split())


_HEADER_LOOKUP = {_header_key(s): f for f, names in HEADER_SYNONYMS.items() for s in names}


def normalise_email(value: str) -> str:
    return value.strip().lower()


def is_valid_email(email: str) -> bool:
    """One @, a local part, a dotted domain and no spaces: strict enough to catch typos."""
    local, at, domain = email.partition("@")
    # split() != [email]: whitespace somewhere, found in C rather than character by character.
    if not at or not local or "@" in domain or email.split() != [email]:
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(labels)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with."""
    if not data.strip():
        raise _FileProblem("empty_file")
    if data.startswith(_SPREADSHEET_SIGNATURES):
        raise _FileProblem("spreadsheet_file")
    encodings = [name for bom, name in _BOMS if data.startswith(bom)][:1]
    if not encodings and b"\x00" in data:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        encodings = ["utf-16-le" if data[1::2].count(0) > len(data) // 4 else "utf-16-be"]
    for encoding in encodings or ["utf-8", "cp1252"]:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, encoding
    raise _FileProblem("unreadable_file")


def sniff_delimiter(sample_lines: list[str]) -> str:
    """The delimiter of a file from its first lines: the csv sniffer, else header counts."""
    header = sample_lines[0]
    try:
        found = csv.Sniffer().sniff("\n".join(sample_lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ""
    if found and found in header:
        return found
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class _Record:
    line: int
    cells: list[str]
    error: str = ""


def _records(text: str, delimiter: str, first_line: int) -> Iterator[_Record]:
    """Non-empty records with the file line each starts on, quoted newlines included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _Record(first_line + previous, [], str(exc) or "malformed")
        else:
            if any(cell.strip() for cell in cells):
                yield _Record(first_line + previous, cells)
        previous = reader.line_num


def _split_lines(text: str) -> tuple[str, int, str | None]:
    """The text without leading blank lines or Excel's "sep=;" line, its first line, the sep."""
    # Split as the csv reader counts lines (\r, \n, \r\n), not as str.splitlines does.
    lines = io.StringIO(text, newline="").readlines()
    skip = 0
    while skip < len(lines) and not lines[skip].strip():
        skip += 1
    declared = None
    first = lines[skip].strip() if skip < len(lines) else ""
    if len(first) == 5 and first.casefold().startswith("sep=") and first[4] in DELIMITERS:
        declared = first[4]
        skip += 1
    return "".join(lines[skip:]), skip + 1, declared


def _problem_for_error(record: _Record) -> RowProblem:
    # The csv module's only signal of a quote left open at the end of the file is its message.
    if "unexpected end of data" in record.error:
        return RowProblem(record.line, "unclosed_quote", fatal=True)
    return RowProblem(record.line, "malformed_row", {"detail": record.error})


def _map_header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    """Field → column index, and the warnings about columns that are not read."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        label = cell.replace("\ufeff", "").strip()
        target = _HEADER_LOOKUP.get(_header_key(label))
        if target is None:
            if label:
                ignored.append(label)
        elif target in columns:
            repeated.append(label)
        else:
            columns[target] = index
    warnings = []
    if ignored:
        warnings.append("Columns not imported: " + ", ".join(ignored) + ".")
    if repeated:
        warnings.append("Repeated columns, only the first was read: " + ", ".join(repeated) + ".")
    return columns, warnings


def _choose_delimiter(sample_lines: list[str]) -> str:
    """The sniffed delimiter, unless another one finds more known columns in the header."""
    sniffed = sniff_delimiter(sample_lines)

    def known_columns(delimiter: str) -> int:
        cells = next(csv.reader(sample_lines[:1], delimiter=delimiter), [])
        return len(_map_header(cells)[0])

    best = max(DELIMITERS, key=known_columns)
    return best if known_columns(best) > known_columns(sniffed) else sniffed


def _clip(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _values(cells: list[str], columns: Mapping[str, int]) -> dict[str, str]:
    values = {f: cells[i].strip() if i < len(cells) else "" for f, i in columns.items()}
    if not values.get("name"):
        # A name split in two columns is joined; "name" wins when both kinds are present.
        parts = (values.pop("first_name", ""), values.pop("last_name", ""))
        values["name"] = " ".join(p for p in parts if p)
    values.pop("first_name", None)
    values.pop("last_name", None)
    return values


def _check_email(line: int, raw: str) -> list[RowProblem]:
    if not raw:
        return [RowProblem(line, "missing_email")]
    if not is_valid_email(normalise_email(raw)):
        return [RowProblem(line, "invalid_email", {"value": _clip(raw)})]
    return []


# A language cell read: its code, else the problem's code and parameters.
_Language = tuple[str, str, dict[str, str | int]]


def _read_language(raw: str) -> _Language:
    if suggestion := country_code_mixup(raw):
        return "", "country_code_as_language", {"value": raw, "suggestion": suggestion}
    code = normalise_language(raw)
    if code is None:
        return "", "unknown_language", {"value": _clip(raw)}
    return code, "", {}


def _check_language(
    line: int, raw: str, seen: dict[str, _Language]
) -> tuple[str, list[RowProblem]]:
    """The language code of a cell, or its problem; `seen` remembers the file's few distinct
    values, as checking that a code exists reads babel's data from disk."""
    if not raw:
        return "", []
    if raw not in seen:
        seen[raw] = _read_language(raw)
    code, problem, params = seen[raw]
    return code, [RowProblem(line, problem, dict(params))] if problem else []


def _check_lengths(line: int, values: Mapping[str, str]) -> list[RowProblem]:
    if max(map(len, values.values()), default=0) <= _SHORTEST_LIMIT:
        return []  # the common case, in one pass
    return [
        RowProblem(line, "too_long", {"field": name, "length": len(value), "max": limit})
        for name, limit in MAX_LENGTHS.items()
        if len(value := values.get(name, "")) > limit
    ]


def _parse_row(
    record: _Record, columns: Mapping[str, int], width: int, languages: dict[str, _Language]
) -> tuple[ParticipantRow | None, list[RowProblem]]:
    """A row's normalised values, or the problems that keep it out."""
    line = record.line
    values = _values(record.cells, columns)
    problems = _check_email(line, values.get("email", ""))
    language, language_problems = _check_language(line, values.get("language", ""), languages)
    problems += language_problems + _check_lengths(line, values)
    extra = [cell for cell in record.cells[width:] if cell.strip()]
    if extra:
        params = {"count": width + len(extra), "expected": width}
        problems.append(RowProblem(line, "extra_fields", params))
    if problems:
        return None, problems
    values.update(email=normalise_email(values["email"]), language=language)
    return ParticipantRow(line=line, **values), []


def _read_rows(records: Iterator[_Record], columns: Mapping[str, int], width: int) -> ParsedCsv:
    parsed = ParsedCsv()
    first_lines: dict[str, int] = {}
    languages: dict[str, _Language] = {}
    for record in records:
        parsed.total_rows += 1
        if record.error:
            parsed.problems.append(_problem_for_error(record))
            continue
        row, problems = _parse_row(record, columns, width, languages)
        if row is not None and row.email in first_lines:
            params: dict[str, str | int] = {
                "email": row.email,
                "first_line": first_lines[row.email],
            }
            problems, row = [RowProblem(row.line, "duplicate_email", params)], None
        parsed.problems += problems
        if row is not None:
            first_lines[row.email] = row.line
            parsed.rows.append(row)
    return parsed


def read_participants_csv(data: bytes) -> ParsedCsv:
    """Parse a participant list: good rows kept, bad rows reported by their line in the file.

    A fatal problem (no email column, unreadable file, a quote never closed) leaves no rows.
    """
    try:
        text, encoding = decode(data)
    except _FileProblem as exc:
        return ParsedCsv(problems=[RowProblem(1, exc.code, fatal=True)])
    body, first_line, declared = _split_lines(text)
    sample = list(itertools.islice(io.StringIO(body, newline=""), 20))
    delimiter = declared or (_choose_delimiter(sample) if sample else ",")
    records = _records(body, delimiter, first_line)
    header = next(records, None)
    columns, warnings = _map_header(header.cells) if header else ({}, [])
    if header is None or header.error or "email" not in columns:
        problem = _header_problem(header)
        return ParsedCsv(problems=[problem], encoding=encoding, delimiter=delimiter)
    parsed = _read_rows(records, columns, len(header.cells))
    if parsed.is_fatal:
        parsed.rows = []
    if encoding == "cp1252":
        warnings.append("The file is not UTF-8; it was read as Windows-1252 (Western European).")
    parsed.warnings = warnings
    parsed.encoding, parsed.delimiter = encoding, delimiter
    return parsed


def _header_problem(header: _Record | None) -> RowProblem:
    """Why the first record cannot serve as the header: the import stops there."""
    if header is None:
        return RowProblem(1, "empty_file", fatal=True)
    if header.error:
        problem = _problem_for_error(header)
        return RowProblem(problem.line, problem.code, problem.params, fatal=True)
    found = ", ".join(_clip(cell.strip(), 30) for cell in header.cells if cell.strip())
    return RowProblem(header.line, "no_email_column", {"columns": found}, fatal=True)
