"""The results dashboard and the Excel download, on tests/analysis_dataset.py's small data set.

Three submitted responses (and a draft that never counts), worked out by hand:
why_clarity 4, NA, 2 · how_clarity 2, 4, 5 · usefulness 8, 6, 10 · role officer, other, officer ·
how_read [steps, cases], [steps], none · groups g1, g1, g2 · countries FI, SE, FI · en, fi, en.
The previous revision's round (0.9): how_clarity 3, 1; why_tools.canvas 2, 2; kraljic 4.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import analysis_dataset
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Round
from surveyapp.results import data as results_data
from surveyapp.results.data import LABEL_CHARS, wrap
from surveyapp.services import rounds
from surveyapp.services.monitor import Figures

Maker = Callable[..., Any]


def page(client: FlaskClient, round_id: int, query: str = "") -> str:
    response = client.get(f"/workspace/rounds/{round_id}/results{query}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def block(html: str, key: str) -> str:
    """The dashboard section of one question (or matrix row `qid.row`)."""
    start = html.index(f'<section class="result" aria-labelledby="q-{key}">')
    return html[start : html.index("</section>", start)]


def fact(html: str, key: str, name: str) -> str:
    """The mean or median shown for a question."""
    found = re.search(rf'<dd class="{name}">([^<]*)</dd>', block(html, key))
    assert found, f"no {name} for {key}"
    return found.group(1)


def rows(section: str) -> list[tuple[str, str, str]]:
    """(label, count, share) of each row of a question's data table."""
    cells = re.findall(
        r'<tr><th scope="row">([^<]*)</th><td[^>]*>(\d+)</td><td[^>]*>([^<]*)</td></tr>', section
    )
    return [(label, count, share) for label, count, share in cells]


# --- figures ------------------------------------------------------------------------------------


def test_counts_means_and_medians_are_the_hand_computed_ones(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id)
    assert re.search(r'<dd id="responses-shown">3</dd>', html), "the draft does not count"
    assert re.search(r"<dt>Invited</dt><dd>4</dd>", html)
    assert re.search(r"<dt>Response rate</dt><dd>75 %</dd>", html)  # 3 of 4 invited
    assert (fact(html, "how_clarity", "mean"), fact(html, "how_clarity", "median")) == (
        "3.67",
        "4.0",
    )
    assert (fact(html, "why_clarity", "mean"), fact(html, "why_clarity", "median")) == (
        "3.00",
        "3.0",
    )
    assert fact(html, "usefulness", "mean") == "8.00"
    assert fact(html, "why_tools.canvas", "mean") == "4.00"
    assert rows(block(html, "role")) == [
        ("Procurement officer", "2", "67%"),
        ("Manager", "0", "0%"),
        ("Other", "1", "33%"),
    ]
    # A multiple choice: the share of those who answered it (two) who chose the option.
    assert rows(block(html, "how_read"))[:2] == [("Steps", "2", "100%"), ("Cases", "1", "50%")]


def test_every_chart_is_an_svg_image_with_a_summary_and_a_title_per_bar(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    section = block(page(editor, data.current.id), "role")
    svg = re.search(r"<svg [^>]*>.*?</svg>", section, re.S)
    assert svg
    assert 'role="img"' in svg.group(0)
    summary = "Your role. Procurement officer: 2 (67%); Manager: 0 (0%); Other: 1 (33%)"
    assert f'aria-label="{summary}"' in svg.group(0)
    assert re.findall(r"<title>([^<]*)</title>", svg.group(0)) == [
        "Procurement officer: 2 (67%)",
        "Manager: 0 (0%)",
        "Other: 1 (33%)",
    ]
    html = page(editor, data.current.id)
    assert "<script" not in html[html.index("<main") : html.index("</main>")], "charts need no JS"


def test_counts_are_written_as_the_interface_language_writes_numbers(
    editor: FlaskClient, data: analysis_dataset.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    def big(session: Session, ids: list[int]) -> dict[int, Figures]:
        return {ids[0]: Figures(invited=12345, submitted=10000)}

    monkeypatch.setattr(results_data, "round_figures", big)
    finnish = page(editor, data.current.id, "?lang=fi")
    assert "<dd>12\xa0345</dd>" in finnish and "<dd>10\xa0000</dd>" in finnish
    assert '<dd id="responses-shown">3</dd>' in finnish
    english = page(editor, data.current.id, "?lang=en")
    assert "<dt>Invited</dt><dd>12,345</dd>" in english
    assert "<dd>10,000</dd>" in english


def test_survey_text_in_a_chosen_language_and_the_first_one_by_default(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    assert "Procurement officer" in page(editor, data.current.id)
    finnish = page(editor, data.current.id, "?lang=fi")
    assert "Hankinta-asiantuntija" in finnish and "Procurement officer" not in finnish
    assert "Procurement officer" in page(editor, data.current.id, "?lang=xx")


def test_survey_text_language_is_chosen_apart_from_the_interface_language(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    """The dashboard's own control is `text_lang`: the interface stays in its language."""
    html = page(editor, data.current.id, "?text_lang=fi")
    assert "Hankinta-asiantuntija" in html and '<html lang="en">' in html
    assert '<select id="f-lang" name="text_lang">' in html
    # The interface in Swedish (the switcher's ?lang=), the survey texts still in Finnish.
    html = page(editor, data.current.id, "?lang=sv&text_lang=fi")
    assert '<html lang="sv">' in html and "Hankinta-asiantuntija" in html
    html = page(editor, data.current.id, "?text_lang=fi")
    assert '<html lang="sv">' in html and "Hankinta-asiantuntija" in html


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "shown", "how_clarity", "usefulness"),
    [
        ("?group=g1", "2", "3.00", "7.00"),  # responses 1, 2
        ("?country=SE", "1", "4.00", "6.00"),  # response 2
        ("?language=fi", "1", "4.00", "6.00"),  # response 2
        ("?q=role:officer", "2", "3.50", "9.00"),  # responses 1, 3
        ("?q=how_read:steps", "2", "3.00", "7.00"),  # a multiple choice: responses 1, 2
        ("?q=how_read:cases", "1", "2.00", "8.00"),  # response 1
        ("?group=g1&q=role:officer", "1", "2.00", "8.00"),  # both: response 1
    ],
)
def test_filters_change_the_numbers(
    editor: FlaskClient,
    data: analysis_dataset.Dataset,
    query: str,
    shown: str,
    how_clarity: str,
    usefulness: str,
) -> None:
    html = page(editor, data.current.id, query)
    assert f'<dd id="responses-shown">{shown}</dd>' in html
    assert fact(html, "how_clarity", "mean") == how_clarity
    assert fact(html, "usefulness", "mean") == usefulness


def test_unknown_filter_values_are_ignored(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id, "?q=role:nobody&language=xx&q=nope")
    assert '<dd id="responses-shown">3</dd>' in html


def test_the_filters_select_free_texts_too(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id, "?group=g2")
    assert "=1+1" in html and "Too long" not in html


# --- free texts ----------------------------------------------------------------------------------


def test_free_texts_are_grouped_by_chapter(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id)
    texts = html[html.index('id="free-text"') : html.index('id="comparison"')]
    why = texts.index("<h3>Introduction and preface</h3>")  # the manual's title, not the id
    assert why < texts.index("Too long") and why < texts.index("=1+1")
    assert texts.index("No chapter") < texts.index("Lawyer")  # the "other" text of role
    assert "not submitted" not in texts


def test_a_finnish_dashboard_shows_the_finnish_chapter_titles(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    finnish = page(editor, data.current.id, "?lang=fi")
    texts = finnish[finnish.index('id="free-text"') : finnish.index('id="comparison"')]
    assert "<h3>Johdanto ja esipuhe</h3>" in texts
    assert "Luku why" not in finnish and "Introduction and preface" not in finnish
    comparison = finnish[finnish.index('id="comparison"') :]
    assert "Johdanto ja esipuhe <code>why</code>" in comparison
    assert "Mitä siihen tarvitaan <code>how</code>" in comparison


@pytest.fixture
def no_manual(app_config: dict[str, Any]) -> None:
    """The app's surveys folder has no manual.yaml (tests/data/surveys)."""
    app_config["SURVEYS_DIR"] = str(analysis_dataset.SURVEYS)


def test_without_a_manual_the_app_starts_and_shows_chapter_ids(
    no_manual: None, editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id, "?lang=fi")
    texts = html[html.index('id="free-text"') : html.index('id="comparison"')]
    assert "<h3>why</h3>" in texts
    triage = editor.get(f"/workspace/rounds/{data.current.id}/feedback?lang=fi")
    assert triage.status_code == 200


def test_a_script_in_a_free_text_answer_is_shown_as_text(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    analysis_dataset.respond(session, data.current, {"why_comment": payload})
    session.commit()
    html = page(editor, data.current.id)
    assert payload not in html
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert escaped in html


def test_a_named_round_shows_the_group_of_a_free_text(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id)
    assert 'name="group"' in html and "; g1)" in html
    assert "Secret Person" not in html and "secret.person" not in html, "names never"


def test_an_anonymous_round_shows_no_person(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    anonymous = analysis_dataset.build(session, tmp_path, anonymous=True).current
    html = page(editor, anonymous.id)
    for secret in ("Secret Person", "secret.person", "Secret Organisation", "; g1)", "; g2)"):
        assert secret not in html
    assert 'name="group"' not in html and 'name="country"' not in html
    assert "Too long" in html, "the answers are shown, only not who gave them"
    ignored = page(editor, anonymous.id, "?group=g2")
    assert '<dd id="responses-shown">3</dd>' in ignored, "no filter by group in anonymous rounds"


# --- comparison ---------------------------------------------------------------------------------


def test_comparison_with_the_previous_revision(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id)
    part = html[html.index('id="comparison"') :]
    assert "revision 0.9" in part
    row = r"<code>{}</code></th>\s*<td[^>]*>{}</td>\s*<td[^>]*>{}</td>\s*<td[^>]*>{}</td>"
    assert re.search(row.format("how_clarity", "3.67", "2.00", r"\+1.67"), part)
    assert re.search(row.format("why_tools.canvas", "4.00", "2.00", r"\+2.00"), part)
    # Chapter why: (4+2+5+3+4+3+5)/7 now, (3+1+1+2+4+2)/6 before.
    assert re.search(row.format("why", "3.71", "2.17", r"\+1.55"), part)
    added = part[part.index("Questions added") : part.index("Questions removed")]
    assert "usefulness" in added
    removed = part[part.index("Questions removed") : part.index("Questions reworded")]
    assert "old_q" in removed
    assert "why_clarity" in part[part.index("Questions reworded") :]
    assert not re.search(r"<code>why_clarity</code></th>", part), "reworded: never compared"


def test_no_comparison_without_an_earlier_revision(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    assert "There is no round of an earlier manual revision" in page(editor, data.previous.id)


# --- the Excel summary (its background build: test_results_export.py) -------------------------


def test_the_dashboard_starts_the_excel_summary_in_its_language(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id, "?lang=fi")
    form = re.search(
        r'<form method="post" action="([^"]+)" class="actions-row">(.*?)</form>', html, re.S
    )
    assert form and form.group(1) == f"/workspace/rounds/{data.current.id}/export"
    assert '<input name="lang" type="hidden" value="fi">' in form.group(2)
    assert 'name="csrf_token"' in form.group(2)


def test_the_round_page_links_to_the_excel_summary_page(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = editor.get(f"/workspace/rounds/{data.current.id}").get_data(as_text=True)
    assert f'href="/workspace/rounds/{data.current.id}/export?lang=en"' in html
    export_page = editor.get(f"/workspace/rounds/{data.current.id}/export?lang=en")
    assert export_page.status_code == 200
    assert export_page.headers["Cache-Control"] == "no-store"


# --- who may see results --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["results", "export"])
def test_editors_and_coordinators_see_results_and_others_log_in(
    app: Flask, login: Maker, data: analysis_dataset.Dataset, path: str
) -> None:
    url = f"/workspace/rounds/{data.current.id}/{path}"
    for role in ("editor", "coordinator"):
        client = app.test_client()
        login(client, role)
        assert client.get(url).status_code == 200
    response = app.test_client().get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_unknown_round_is_not_found(editor: FlaskClient) -> None:
    assert editor.get("/workspace/rounds/999999/results").status_code == 404


# --- a dashboard to read top to bottom (issue 15) ------------------------------------------------


def finnish_page(client: FlaskClient, round_id: int, query: str = "") -> str:
    """The dashboard for an editor whose browser asks for Finnish (no `?lang=`)."""
    response = client.get(
        f"/workspace/rounds/{round_id}/results{query}", headers={"Accept-Language": "fi"}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_finnish_editor_sees_finnish_survey_texts_and_finnish_numbers(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = finnish_page(editor, data.current.id)
    assert '<html lang="fi">' in html
    assert "Hankinta-asiantuntija" in html and "Procurement officer" not in html
    assert (fact(html, "how_clarity", "mean"), fact(html, "how_clarity", "median")) == (
        "3,67",
        "4,0",
    )
    assert rows(block(html, "role"))[0] == ("Hankinta-asiantuntija", "2", "67\xa0%")
    assert ' lang="en"' not in html[html.index("<main") :], "nothing to mark: all in Finnish"
    comparison = html[html.index('id="comparison"') :]
    assert re.search(r"<code>how_clarity</code></th>\s*<td[^>]*>3,67</td>", comparison)
    assert re.search(r"<td[^>]*>\+1,67</td>", comparison)


def test_survey_texts_not_in_the_interface_language_are_marked_with_their_language(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    """A survey in Swedish and English only, read by a Finnish editor: its first language."""

    text = analysis_dataset.SURVEY_FILE.read_text(encoding="utf-8")
    text = text.replace("id: analysis-test", "id: swedish-test")
    text = text.replace("languages: [en, fi, sv]", "languages: [sv, en]")
    text = re.sub(r"fi: [^,}]*, ", "", text)
    (tmp_path / "swedish-test.yaml").write_text(text, encoding="utf-8")
    round_ = rounds.open_round(
        session, SurveyRegistry(tmp_path), "swedish-test", "0.10", actor=SETUP
    )
    analysis_dataset.respond(session, round_, {"role": "officer", "how_clarity": 4})
    session.commit()
    html = finnish_page(editor, round_.id)
    assert '<html lang="fi">' in html
    heading = re.search(r'<h3 id="q-role"><span lang="sv">Din roll</span>', html)
    assert heading, "the question's text says it is Swedish"
    assert re.search(
        r'<svg class="chart" role="img" aria-label="Din roll\. [^"]*"[^>]* lang="sv"', html
    )


def test_the_table_of_contents_lists_the_chapters_and_their_topics_in_the_manuals_order(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id)
    toc = html[html.index('<nav class="toc"') : html.index("</nav>", html.index('class="toc"'))]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert links[:3] == [
        ("ch-why", "Introduction and preface"),
        ("ch-how", "What you need for it"),
        ("no-chapter", "No chapter"),
    ]
    for anchor, _title in links:
        assert f'id="{anchor}"' in html, f"#{anchor} leads nowhere"
    # Questions under their chapter's heading, chapters in the manual's order.
    assert html.index('id="ch-why"') < html.index('id="q-why_clarity"') < html.index('id="ch-how"')
    assert (
        html.index('id="ch-how"') < html.index('id="q-how_clarity"') < html.index('id="no-chapter"')
    )
    assert html.index('id="no-chapter"') < html.index('id="q-role"')


def test_each_chapter_starts_with_its_answers_mean_per_scale_and_change(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, data.current.id)
    why = html[html.index('id="ch-why"') : html.index('id="q-why_clarity"')]
    facts = dict(re.findall(r"<dt>([^<]*)(?:<small>[^<]*</small>)?</dt><dd>([^<]*)", why))
    # why_clarity 4, 2 (agree5); why_tools canvas 5, 4, 3 and kraljic 3, 5 (useful5); two
    # comments.
    assert facts["Answers"] == "9"
    means = re.findall(r"<dt>Mean <small>\(([^)]*)\)</small></dt><dd>([^ <]*)", why)
    assert [mean for _scale, mean in means] == ["3.00", "4.00"]
    assert means[0][0].startswith("1–5: ")
    # The chapter's mean (3.71) against revision 0.9's (2.17), as in the comparison below.
    assert facts["Change since revision 0.9"] == "+1.55"


def test_free_texts_show_the_first_three_per_question_under_its_text_and_link_to_triage(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    for n in range(5):
        analysis_dataset.respond(session, data.current, {"why_comment": f"Later comment {n}"})
    session.commit()
    html = page(editor, data.current.id)
    texts = html[html.index('id="free-text"') : html.index('id="comparison"')]
    assert "<h4>What should change?</h4>" in texts
    assert "why_comment" not in texts, "never under raw ids"
    answers = re.findall(r"<li><q>([^<]*)</q> <small>\(([^)]*)\)</small></li>", texts)
    assert answers[:3] == [
        ("Too long", "English; g1"),
        ("=1+1", "English; g2"),
        ("Later comment 0", "English"),
    ]
    assert "Later comment 1" not in texts
    link = f'href="/workspace/rounds/{data.current.id}/feedback?chapter=why"'
    assert link in texts and "4 more answers to this question" in texts
    assert "<h4>Your role: Other</h4>" in texts  # an "other" text under its question


def test_the_page_stays_small_however_many_free_texts_there_are(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    small = len(page(editor, data.current.id).encode())
    for n in range(60):
        analysis_dataset.respond(session, data.current, {"why_comment": "x" * 500 + str(n)})
    session.commit()
    big = len(page(editor, data.current.id).encode())
    assert big - small < 3_000, "60 more answers of 500 characters hardly change the page"


def test_the_comparison_can_be_with_any_earlier_revision(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    latest = session.scalars(
        select(Round).where(Round.survey_id == "analysis-test", Round.revision == "0.11")
    ).one()
    html = page(editor, latest.id)
    options = re.findall(r'<option value="(\d+)"( selected)?>Revision ([^ ]+) ', html)
    assert options == [
        (str(data.current.id), " selected", "0.10"),
        (str(data.previous.id), "", "0.9"),
    ], "newest first, the previous revision chosen"
    assert f"Round {data.current.id}, revision 0.10" in html
    chosen = page(editor, latest.id, f"?compare={data.previous.id}")
    assert f"Round {data.previous.id}, revision 0.9" in chosen
    assert f'<option value="{data.previous.id}" selected>' in chosen
    ignored = page(editor, latest.id, f"?compare={latest.id}")  # not an earlier revision
    assert f"Round {data.current.id}, revision 0.10" in ignored


def test_long_labels_wrap_into_lines_and_are_never_cut() -> None:
    label = "A very long answer option that goes on and on: 12 (40 %)"
    lines = wrap(label)
    assert " ".join(lines) == label and all(len(line) <= LABEL_CHARS for line in lines)
    assert len(lines) == 2


def test_topics_are_listed_under_their_chapter_and_long_labels_wrap_in_the_chart(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    long = "Procurement officer in a municipality of more than fifty thousand people"
    text = analysis_dataset.SURVEY_FILE.read_text(encoding="utf-8")
    text = text.replace("id: analysis-test", "id: topic-test")
    text = text.replace("{en: Procurement officer,", f"{{en: {long},")
    text = text.replace(
        "      - id: why_clarity\n", "      - id: why_clarity\n        topic: crises\n"
    )
    (tmp_path / "topic-test.yaml").write_text(text, encoding="utf-8")
    round_ = rounds.open_round(session, SurveyRegistry(tmp_path), "topic-test", "0.10", actor=SETUP)
    analysis_dataset.respond(session, round_, {"role": "officer", "why_clarity": 4})
    session.commit()
    html = page(editor, round_.id)
    toc = html[html.index('<nav class="toc"') : html.index("</nav>", html.index('class="toc"'))]
    assert re.search(
        r'<a href="#ch-why">Introduction and preface</a>\s*<ol><li><a href="#ch-why-crises">'
        r"The crises</a></li></ol>",
        toc,
    )
    topic = html.index('<h3 id="ch-why-crises" class="topic">The crises</h3>')
    assert html.index('id="q-why_tools.canvas"') < topic < html.index('<h4 id="q-why_clarity">')
    svg = re.search(r"<svg [^>]*>.*?</svg>", block(html, "role"), re.S)
    assert svg
    first = re.search(r"<text [^>]*>(.*?)</text>", svg.group(0))
    assert first
    lines = re.findall(r"<tspan [^>]*>([^<]*)</tspan>", first.group(1))
    assert len(lines) == 3 and " ".join(lines) == f"{long}: 1 (100%)", "wrapped, never cut"
