"""`sort: alphabetical`, `options_from: countries` and `about:` in survey files: loaded,
checked, and known to the JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Callable

import jsonschema

from surveyapp.definitions import Survey, schema_text
from surveyapp.definitions.option_lists import EU27, sort_key, sorted_options
from surveyapp.definitions.reporting import Report
from surveyapp.definitions.schema import Option
from surveyapp.definitions.text_paths import survey_texts
from surveyapp.definitions.yamlnodes import parse, plain

MakeSurvey = Callable[..., str]
Problems = Callable[[str], list[tuple[int, str]]]
T = "{en: T, fi: T, sv: T}"
HEADER = """\
id: test
title: {en: Test, fi: Testi, sv: Test}
languages: [en, fi, sv]
sections:
  - id: main
    title: {en: Main, fi: Pää, sv: Huvud}
    questions:
"""

FRUIT = f"""\
- id: fruit
  type: single
  sort: alphabetical
  text: {T}
  options:
    - {{value: 1, label: {{en: Zebra fruit, fi: Öljypuu, sv: Äpple}}}}
    - {{value: 2, label: {{en: apple, fi: Omena, sv: Banan}}}}
    - {{value: 3, label: {{en: Ölive, fi: Zucchini, sv: Zucchini}}}}
    - {{value: 4, label: {{en: banana, fi: Ananas, sv: Ödla}}}}
"""
COUNTRY = f"""\
- id: country
  type: single
  text: {T}
  options_from: countries
"""


def _labels(survey: Survey, lang: str) -> list[str]:
    return [o.label[lang] for o in survey.question(survey.questions[0].id).options_in(lang)]


def test_alphabetical_sort_follows_the_language(
    make_survey: MakeSurvey, load: Callable[[str], Survey]
) -> None:
    survey = load(make_survey(FRUIT))
    assert _labels(survey, "en") == ["apple", "banana", "Ölive", "Zebra fruit"]
    assert _labels(survey, "fi") == ["Ananas", "Omena", "Zucchini", "Öljypuu"]
    assert _labels(survey, "sv") == ["Banan", "Zucchini", "Äpple", "Ödla"]
    # The stored values and the written order are untouched.
    assert [o.value for o in survey.questions[0].options] == [1, 2, 3, 4]


def test_finnish_and_swedish_letters_after_z() -> None:
    assert sort_key("Åland", "sv") > sort_key("Zambia", "sv")
    assert sort_key("Ä", "sv") < sort_key("Ö", "sv")
    assert sort_key("Åland", "en") < sort_key("Belgium", "en")
    options = [Option(1, {"fi": "Itävalta"}), Option(2, {"fi": "Italia"})]
    assert [o.value for o in sorted_options(options, "fi")] == [2, 1]


def test_countries_come_from_babel_in_each_language(
    make_survey: MakeSurvey, load: Callable[[str], Survey]
) -> None:
    survey = load(make_survey(COUNTRY))
    q = survey.question("country")
    assert len(q.options) == len(EU27) == 27
    by_value = {str(o.value): o.label for o in q.options}
    assert by_value["fi"] == {"en": "Finland", "fi": "Suomi", "sv": "Finland"}
    assert by_value["de"]["fi"] == "Saksa"
    assert by_value["se"]["sv"] == "Sverige"
    finnish = _labels(survey, "fi")
    assert finnish[0] == "Alankomaat" and finnish[-1] == "Viro"
    assert finnish.index("Italia") < finnish.index("Itävalta")
    assert _labels(survey, "sv")[-1] == "Österrike"


def test_a_condition_can_name_a_country(make_survey: MakeSurvey, problems: Problems) -> None:
    text = make_survey(
        COUNTRY + f"- id: region\n  type: text\n  text: {T}\n"
        "  show_if: {question: country, equals: fi}\n"
    )
    assert problems(text) == []
    wrong = text.replace("equals: fi", "equals: xx")
    assert problems(wrong)


def test_problems_of_the_new_keys(make_survey: MakeSurvey, problems: Problems) -> None:
    assert problems(make_survey(FRUIT.replace("alphabetical", "random"))) == [
        (10, "section 'main', question 'fruit': 'sort' must be 'alphabetical', not 'random'")
    ]
    assert problems(make_survey(COUNTRY.replace("countries", "cities"))) == [
        (11, "section 'main', question 'country': 'options_from' must be 'countries', not 'cities'")
    ]
    both = COUNTRY + "  options:\n    - {value: 1, label: " + T + "}\n"
    assert any("not both" in m for _, m in problems(make_survey(both)))
    likert = f"- id: q\n  type: likert\n  scale: agree5\n  sort: alphabetical\n  text: {T}\n"
    assert any(
        "'sort' is not allowed for type likert" in m for _, m in problems(make_survey(likert))
    )


ABOUT = """\
about:
  organiser: {en: The partnership, fi: Kumppanuus, sv: Partnerskapet}
  contact: survey@example.org
  privacy: {en: We keep answers safe., fi: Vastaukset ovat turvassa., sv: Svaren är säkra.}
  privacy_url: https://example.org/privacy
"""


def _with_about(about: str) -> str:
    body = HEADER.replace("languages: [en, fi, sv]\n", "languages: [en, fi, sv]\n" + about)
    return body + f"      - id: q\n        type: text\n        text: {T}\n"


def test_about_is_read(load: Callable[[str], Survey]) -> None:
    about = load(_with_about(ABOUT)).about
    assert about.organiser == {"en": "The partnership", "fi": "Kumppanuus", "sv": "Partnerskapet"}
    assert about.contact == "survey@example.org"
    assert about.privacy_url == "https://example.org/privacy"
    assert about.privacy is not None and about.privacy["sv"] == "Svaren är säkra."


def test_about_problems(problems: Problems, load: Callable[[str], Survey]) -> None:
    bad = ABOUT.replace("survey@example.org", "nobody").replace("https://", "ftp://")
    found = [m for _, m in problems(_with_about(bad + "  phone: 123\n"))]
    assert any("'contact' must be an email address" in m for m in found)
    assert any("'privacy_url' must start with https://" in m for m in found)
    assert any("phone" in m for m in found)
    # A missing translation is the translations' business (surveyapp check reports it):
    # the about texts are among the survey's translatable texts.
    missing = load(_with_about(ABOUT.replace(", sv: Partnerskapet", "")))
    organiser = next(t for t in survey_texts(missing) if t.path == "about/organiser")
    assert "sv" not in organiser.texts and organiser.texts["fi"] == "Kumppanuus"
    assert any(t.path == "about/privacy" for t in survey_texts(missing))


def test_the_json_schema_knows_the_new_keys(make_survey: MakeSurvey) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))

    def errors(text: str) -> list[str]:
        report = Report("t")
        return [e.message for e in validator.iter_errors(plain(parse(text, report)))]

    assert errors(make_survey(FRUIT)) == []
    assert errors(make_survey(COUNTRY)) == []
    assert errors(_with_about(ABOUT)) == []
    assert errors(make_survey(FRUIT.replace("alphabetical", "random")))
    assert errors(make_survey(COUNTRY.replace("countries", "cities")))
    assert errors(_with_about(ABOUT + "  phone: 123\n"))
    both = COUNTRY + "  options:\n    - {value: 1, label: " + T + "}\n"
    assert errors(make_survey(both))
