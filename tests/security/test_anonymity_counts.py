"""Small counts of an anonymous round: shown as "fewer than N" in every breakdown, filters
that would single out a few responses refused, free text never beside a group, country
or language, and nothing in the pages' order that follows who began first."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from anonymous_round import MANAGERS, build, note, took_part
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh, table_rows, workspace_token
from surveyapp.analysis import anonymity
from surveyapp.config import ConfigError, load_config
from surveyapp.models import FeedbackItem, Invitation, Round
from surveyapp.services import feedback

Maker = Callable[..., Any]


@pytest.fixture
def limit() -> int:
    """ANONYMITY_MIN_COUNT of the app; a test parametrised over `limit` changes it."""
    return 5


@pytest.fixture
def app_config(app_config: dict[str, Any], limit: int) -> dict[str, Any]:
    return {**app_config, "ANONYMITY_MIN_COUNT": limit}


@pytest.fixture
def editor(client: FlaskClient, as_user: Maker) -> FlaskClient:
    as_user(client, "editor")
    return client


@pytest.fixture
def invite(make_invitation: Maker, make_participant: Maker) -> Callable[[Round, int], Invitation]:
    def invite(round_: Round, n: int) -> Invitation:
        return make_invitation(round_, make_participant(country="FI", group=f"g{n % 3}"))

    return invite


def dashboard(client: FlaskClient, round_id: int, query: str = "") -> str:
    response = client.get(f"/workspace/rounds/{round_id}/results{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown(html: str) -> str:
    found = re.search(r'<dd id="responses-shown">(\d+)</dd>', html)
    assert found
    return found.group(1)


def block(html: str, key: str) -> str:
    """The dashboard section of one question (or matrix row `qid.row`)."""
    start = html.index(f'<section class="result" aria-labelledby="q-{key}">')
    return html[start : html.index("</section>", start)]


def bars(section: str) -> dict[str, tuple[str, str]]:
    """label: (count, share) of each row of a question's data table."""
    cells = re.findall(
        r'<tr><th scope="row">([^<]*)</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>', section
    )
    return {label: (count, share) for label, count, share in cells}


def facts(section: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]*)</dt><dd[^>]*>([^<]*)</dd>", section))


# --- the monitor ------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [5, 2])
def test_the_monitor_shows_who_took_part_by_country_and_group_only_from_the_threshold_up(
    client: FlaskClient,
    as_user: Maker,
    session: Session,
    make_round: Maker,
    make_participant: Maker,
    make_invitation: Maker,
    limit: int,
) -> None:
    as_user(client, "coordinator")
    anonymous, named = make_round(is_anonymous=True), make_round(revision="0.4")
    for round_ in (anonymous, named):
        solo = make_participant(country="FI", group="solo")
        took_part(session, make_invitation(round_, solo), "submitted")
        for n in range(6):
            person = make_participant(country="SE", group="crowd")
            took_part(session, make_invitation(round_, person), "submitted" if n else "draft")
    html = client.get(f"/workspace/rounds/{anonymous.id}").get_data(as_text=True)
    few = f"fewer than {limit}"
    assert table_rows(html, "Responses by country")[1:] == [
        ["FI", "1", few, few, "not shown"],
        ["SE", "6", "6", "5", "83 %"],
        ["All invited", "7", "7", "6", "86 %"],  # the whole round's totals stay exact
    ]
    assert table_rows(html, "Responses by group")[1:3] == [
        ["crowd", "6", "6", "5", "83 %"],
        ["solo", "1", few, few, "not shown"],
    ]
    named_html = client.get(f"/workspace/rounds/{named.id}").get_data(as_text=True)
    assert table_rows(named_html, "Responses by country")[1] == ["FI", "1", "1", "1", "100 %"]


# --- dashboard filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "?language=sv",  # 2 responses
        "?language=en",  # 10, and the 2 left out could be read off as all minus these
        "?q=role:officer&language=sv",  # 2
        "?q=role:other",  # none
    ],
)
def test_a_filter_that_would_single_out_fewer_responses_than_the_threshold_is_refused(
    editor: FlaskClient, session: Session, make_round: Maker, invite: Maker, query: str
) -> None:
    data = build(session, make_round(is_anonymous=True), invite)
    html = dashboard(editor, data.round.id, query)
    assert "must select at least 5 responses and leave at least 5 out" in html
    assert shown(html) == "12", "all responses are shown instead"
    assert bars(block(html, "role"))["Manager"] == ("5", "42%")
    start = html.index('id="f-language"')
    choices = html[start : html.index("</select>", start)]
    assert 'value="sv"' not in choices and 'value="en"' not in choices, "not offered either"


@pytest.mark.parametrize("limit", [2])
def test_the_threshold_comes_from_the_configuration(
    editor: FlaskClient, session: Session, make_round: Maker, limit: int
) -> None:
    data = build(session, make_round(is_anonymous=True))  # tied to no invitation at all
    html = dashboard(editor, data.round.id, "?language=sv")
    assert "must select at least" not in html and shown(html) == "2"
    assert bars(block(html, "role"))["Procurement officer"] == ("2", "100%")
    assert bars(block(html, "overall_usefulness"))["6"] == ("fewer than 2", "–")


def test_an_anonymous_round_cannot_be_filtered_by_group_or_country_and_says_so(
    editor: FlaskClient, session: Session, make_round: Maker, invite: Maker
) -> None:
    data = build(session, make_round(is_anonymous=True), invite)
    for query in ("?group=g0", "?country=FI"):
        html = dashboard(editor, data.round.id, query)
        assert "cannot be filtered by group or country" in html and shown(html) == "12"


def test_a_filtered_view_shows_counts_below_the_threshold_as_fewer_than_it(
    editor: FlaskClient, session: Session, make_round: Maker, invite: Maker
) -> None:
    data = build(session, make_round(is_anonymous=True), invite)
    whole = dashboard(editor, data.round.id)
    assert bars(block(whole, "overall_usefulness"))["8"] == ("3", "25%"), "totals stay exact"
    html = dashboard(editor, data.round.id, "?q=role:manager")  # 5 selected, 7 left out
    assert "must select" not in html and shown(html) == "5"
    usefulness = block(html, "overall_usefulness")
    assert (bars(usefulness)["8"], bars(usefulness)["9"]) == (("fewer than 5", "–"),) * 2
    assert bars(usefulness)["10"] == ("0", "0%"), "nobody is nobody"
    assert "8: fewer than 5; 9: fewer than 5" in usefulness and "8: 3" not in usefulness
    # A mean beside hidden counts would tell how they split: it goes with them.
    assert facts(usefulness)["Answers"] == "5" and "Mean" not in facts(usefulness)
    clarity = facts(block(html, "why_clarity"))
    assert clarity["Answers"] == "5"
    text = facts(block(html, "why_missing"))  # one manager wrote one
    assert (text["Answers"], text["No answer"]) == ("fewer than 5", "fewer than 5")
    canvas = facts(block(html, "why_tools.canvas"))  # two managers rated it
    assert canvas["Answers"] == "fewer than 5" and "Mean" not in canvas, "a mean of two is theirs"
    assert facts(block(whole, "why_tools.canvas"))["Mean"] == "3.00"


# --- free text --------------------------------------------------------------------------------


def test_free_texts_stand_beside_no_language_and_in_an_order_that_tells_nothing(
    editor: FlaskClient, session: Session, make_round: Maker, invite: Maker
) -> None:
    data = build(session, make_round(is_anonymous=True), invite)
    notes = sorted(note(i) for i in range(12) if i not in MANAGERS or i == 4)
    for query in ("", "?q=role:officer"):  # the filter selects 7: allowed, but not for texts
        html = dashboard(editor, data.round.id, query)
        part = html[html.index('id="free-text"') : html.index('id="comparison"')]
        assert "<h4>What is unclear?</h4>" in part
        # The first three by their text, with nothing beside them; the rest on triage.
        assert re.findall(r"<li><q>([^<]*)</q></li>", part) == notes[:3]
        assert f"{len(notes) - 3} more answers to this question" in part
        assert "English" not in part and "svenska" not in part


def test_triage_of_an_anonymous_round_shows_no_language_nor_the_order_of_responses(
    editor: FlaskClient, session: Session, make_round: Maker, invite: Maker
) -> None:
    data = build(session, make_round(is_anonymous=True), invite, count=24)
    url = f"/workspace/rounds/{data.round.id}/feedback"
    assert (
        editor.get(url).status_code == 200
        and not fresh(session).scalars(select(FeedbackItem)).all()
    ), "submitting adds no item in an anonymous round: its id would follow the submits"
    assert "20 submitted comments are not in this list yet." in editor.get(url).get_data(
        as_text=True
    )
    token = workspace_token(editor, url)
    assert editor.post(f"{url}/bring-in", data={"csrf_token": token}).status_code == 303
    html = editor.get(url).get_data(as_text=True)
    assert '<th scope="col">Language</th>' not in html and 'name="language"' not in html
    assert '<th scope="col">Group</th>' not in html and 'name="group"' not in html
    answers = re.findall(r'<td data-label="Comment" class="answer">([^<]*)</td>', html)
    assert answers == sorted(answers) and len(answers) == 20
    query = select(FeedbackItem.response_id).where(FeedbackItem.round_id == data.round.id)
    by_item_id = list(fresh(session).scalars(query.order_by(FeedbackItem.id)))
    assert by_item_id != sorted(by_item_id), "item ids (shown) do not follow the responses"


def test_you_said_we_did_of_an_anonymous_round_gives_no_language(
    editor: FlaskClient, session: Session, make_round: Maker, invite: Maker
) -> None:
    earlier = make_round(revision="0.3", is_anonymous=True)
    build(session, earlier, invite)
    feedback.bring_in_comments(session, earlier, actor=SETUP)
    session.commit()
    later = make_round(revision="0.4")
    response = editor.get(f"/workspace/rounds/{later.id}/you-said-we-did.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 8
    assert {(row["language"], row["group"]) for row in rows} == {("", "")}


# --- the setting ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "count"), [(None, 5), ("", 5), ("3", 3), ("1", 1)])
def test_anonymity_min_count_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, count: int
) -> None:
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.delenv("ANONYMITY_MIN_COUNT", raising=False)
    if value is not None:
        monkeypatch.setenv("ANONYMITY_MIN_COUNT", value)
    assert load_config()["ANONYMITY_MIN_COUNT"] == count


@pytest.mark.parametrize("value", ["0", "-2", "five", "2.5"])
def test_a_mistyped_anonymity_min_count_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("ANONYMITY_MIN_COUNT", value)
    with pytest.raises(ConfigError, match="ANONYMITY_MIN_COUNT must be a whole number"):
        load_config()


def test_two_filters_at_once_are_refused_in_an_anonymous_round(
    editor: FlaskClient, session: Session, make_round: Maker, invite: Maker
) -> None:
    """Officers (7) and English-speaking officers (5) each pass the threshold (officers only,
    and officers in English as the old rule checked it), but the two
    pages side by side would give the two Swedish officers' answers as the difference."""
    data = build(session, make_round(is_anonymous=True), invite)
    assert "must select" not in dashboard(editor, data.round.id, "?q=role:officer")
    both = dashboard(editor, data.round.id, "?q=role:officer&language=en")
    assert "must select at least 5 responses" in both and shown(both) == "12"


def test_one_hidden_count_is_not_left_to_be_worked_out_from_the_others(
    editor: FlaskClient, session: Session, make_round: Maker, invite: Maker
) -> None:
    """Among officers, response 6 alone found the manual 6 out of 10 useful: with every other
    bar exact, that one would be the answers minus the rest, and the mean would tell it."""
    data = build(session, make_round(is_anonymous=True), invite)
    usefulness = block(dashboard(editor, data.round.id, "?q=role:officer"), "overall_usefulness")
    counts = {label: count for label, (count, _share) in bars(usefulness).items()}
    assert counts["6"] == "fewer than 5"
    assert list(counts.values()).count("not shown") == 1, counts
    assert "Mean" not in facts(usefulness) and "Median" not in facts(usefulness)


def test_shown_counts_withhold_the_smallest_other_count_beside_a_lone_hidden_one() -> None:
    withheld, fewer = anonymity.Withheld(), anonymity.FewerThan(5)
    assert anonymity.shown_counts([1, 6, 9, 0], 5) == [fewer, withheld, 9, 0]
    assert anonymity.shown_counts([1, 2, 9], 5) == [fewer, fewer, 9], "two hide each other"
    assert anonymity.shown_counts([7, 9, 0], 5) == [7, 9, 0]
    assert anonymity.shown_counts([3], 5) == [fewer]
