"""On phones the workspace tables hide their header row (app.css, below 30rem): every data cell
then names its column through data-label, with the same text as that column's header."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient

Maker = Callable[..., Any]


class DataTables(HTMLParser):
    """The header texts and body cells of every `table.data` in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self.depth = 0  # nesting of table.data (no nested tables expected)
        self.section = ""
        self.row: list[dict[str, Any]] | None = None
        self.cell: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and "data" in (attributes.get("class") or "").split():
            self.tables.append({"headers": [], "rows": []})
            self.depth += 1
        elif not self.depth:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td") and self.row is not None:
            self.cell = {"tag": tag, "label": attributes.get("data-label"), "text": ""}
            self.row.append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag in ("th", "td"):
            self.cell = None
        elif tag == "tr" and self.row is not None:
            table = self.tables[-1]
            if self.section == "thead":
                table["headers"] = [" ".join(c["text"].split()) for c in self.row]
            else:
                table["rows"].append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell["text"] += data


def data_tables(html: str) -> list[dict[str, Any]]:
    parser = DataTables()
    parser.feed(html)
    return parser.tables


def assert_every_cell_labelled(html: str) -> None:
    tables = data_tables(html)
    assert tables, "no table.data on the page"
    cells = 0
    for table in tables:
        headers = table["headers"]
        assert headers, "table.data without a header row"
        for row in table["rows"]:
            for column, cell in enumerate(row):
                if cell["tag"] != "td":
                    continue
                cells += 1
                assert cell["label"], f"no data-label on column {headers[column]!r}"
                assert cell["label"] == headers[column]
    assert cells, "no data cells to check"


def test_participant_list_cells_name_their_columns(
    coordinator: FlaskClient, make_participant: Maker
) -> None:
    make_participant(name="Anna", organisation="City of Espoo", city="Espoo", group="pilot")
    assert_every_cell_labelled(coordinator.get("/workspace/participants").get_data(as_text=True))


def test_round_list_cells_name_their_columns(coordinator: FlaskClient, make_round: Maker) -> None:
    make_round()
    assert_every_cell_labelled(coordinator.get("/workspace/").get_data(as_text=True))


def test_audit_log_cells_name_their_columns(coordinator: FlaskClient) -> None:
    # The coordinator's sign-in is logged, so the page has at least one row.
    assert_every_cell_labelled(coordinator.get("/workspace/audit").get_data(as_text=True))
