"""The built-in scales and how a survey's languages meet them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveyapp.definitions import BUILTIN_SCALES, INTERFACE_LANGUAGES, Survey, localize

Problems = Callable[[str], list[tuple[int, str]]]
Load = Callable[[str], Survey]


@pytest.mark.parametrize(
    ("scale_id", "size"),
    [("agree5", 5), ("agree7", 7), ("useful5", 5), ("frequency5", 5), ("satisfied5", 5)],
)
def test_builtin_scales_have_values_1_to_n_in_every_interface_language(
    scale_id: str, size: int
) -> None:
    scale = BUILTIN_SCALES[scale_id]
    assert scale.id == scale_id
    assert scale.values == tuple(range(1, size + 1))
    for point in scale.points:
        assert set(point.label) == set(INTERFACE_LANGUAGES)
        assert all(text.strip() for text in point.label.values())
    for lang in INTERFACE_LANGUAGES:  # no two points read the same
        assert len({p.label[lang] for p in scale.points}) == size


def test_agree5_wording() -> None:
    first, *_, last = BUILTIN_SCALES["agree5"].points
    assert {lang: first.label[lang] for lang in ("en", "fi", "sv")} == {
        "en": "Strongly disagree",
        "fi": "Täysin eri mieltä",
        "sv": "Helt av annan åsikt",
    }
    assert {lang: last.label[lang] for lang in ("en", "fi", "sv")} == {
        "en": "Strongly agree",
        "fi": "Täysin samaa mieltä",
        "sv": "Helt av samma åsikt",
    }
    # Labelled in every interface language, from the catalogues (msgctxt "agree5").
    assert set(first.label) == set(INTERFACE_LANGUAGES) and len(INTERFACE_LANGUAGES) >= 24
    assert first.label["de"] and first.label["de"] != first.label["en"]


def test_builtin_scales_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        BUILTIN_SCALES["agree5"] = BUILTIN_SCALES["agree7"]  # type: ignore[index]


def _likert_survey(languages: str, title: str, scale: str = "agree5") -> str:
    return (
        f"id: test\ntitle: {title}\nlanguages: {languages}\nsections:\n"
        f"  - id: s\n    title: {title}\n    questions:\n"
        f"      - {{id: a, type: likert, scale: {scale}, text: {title}}}\n"
        f"      - {{id: b, type: matrix, scale: {scale}, text: {title}, "
        f"rows: [{{value: r, label: {title}}}]}}\n"
    )


def test_labels_are_restricted_to_the_survey_languages(load: Load) -> None:
    survey = load(_likert_survey("[fi]", "Otsikko"))
    scale = survey.question("a").scale
    assert scale is not None
    assert scale.points[0].label == {"fi": "Täysin eri mieltä"}
    assert localize(scale.points[4].label, "fi") == "Täysin samaa mieltä"
    assert survey.question("b").scale is scale  # one copy per survey


def test_a_language_a_builtin_scale_lacks_is_reported_once(problems: Problems) -> None:
    assert problems(_likert_survey("[en, is, uk]", "{en: T, is: T, uk: T}")) == [
        (
            8,
            "section 's', question 'a': the built-in scale 'agree5' has no labels in "
            "'is' or 'uk'; define your own scale under 'scales' with labels in every "
            "survey language",
        ),
    ]


def test_a_survey_scale_serves_other_languages(load: Load) -> None:
    text = _likert_survey("[en, de]", "{en: T, de: T}", scale="zustimmung") + (
        "scales:\n  zustimmung:\n"
        "    - {value: 1, label: {en: No, de: Nein}}\n"
        "    - {value: 2, label: {en: Yes, de: Ja}}\n"
    )
    scale = load(text).question("a").scale
    assert scale is not None and scale.points[1].label == {"en": "Yes", "de": "Ja"}
