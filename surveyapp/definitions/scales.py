"""The built-in answer scales, labelled in every interface language."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from surveyapp.definitions.schema import Option, Scale
from surveyapp.languages import INTERFACE_LANGUAGES

# (en, fi, sv) per point, from value 1 upwards. The Finnish and Swedish wordings
# are the ones Finnish public-sector surveys use (Swedish as written in Finland).
_LABELS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "agree5": (
        ("Strongly disagree", "Täysin eri mieltä", "Helt av annan åsikt"),
        ("Disagree", "Jokseenkin eri mieltä", "Delvis av annan åsikt"),
        (
            "Neither agree nor disagree",
            "Ei samaa eikä eri mieltä",
            "Varken av samma eller annan åsikt",
        ),
        ("Agree", "Jokseenkin samaa mieltä", "Delvis av samma åsikt"),
        ("Strongly agree", "Täysin samaa mieltä", "Helt av samma åsikt"),
    ),
    "agree7": (
        ("Strongly disagree", "Täysin eri mieltä", "Helt av annan åsikt"),
        ("Disagree", "Eri mieltä", "Av annan åsikt"),
        ("Somewhat disagree", "Jokseenkin eri mieltä", "Delvis av annan åsikt"),
        (
            "Neither agree nor disagree",
            "Ei samaa eikä eri mieltä",
            "Varken av samma eller annan åsikt",
        ),
        ("Somewhat agree", "Jokseenkin samaa mieltä", "Delvis av samma åsikt"),
        ("Agree", "Samaa mieltä", "Av samma åsikt"),
        ("Strongly agree", "Täysin samaa mieltä", "Helt av samma åsikt"),
    ),
    "useful5": (
        ("Not at all useful", "Ei lainkaan hyödyllinen", "Inte alls användbar"),
        ("Slightly useful", "Vähän hyödyllinen", "Lite användbar"),
        ("Moderately useful", "Kohtalaisen hyödyllinen", "Måttligt användbar"),
        ("Very useful", "Hyvin hyödyllinen", "Mycket användbar"),
        ("Extremely useful", "Erittäin hyödyllinen", "Ytterst användbar"),
    ),
    "frequency5": (
        ("Never", "Ei koskaan", "Aldrig"),
        ("Rarely", "Harvoin", "Sällan"),
        ("Sometimes", "Joskus", "Ibland"),
        ("Often", "Usein", "Ofta"),
        ("Always", "Aina", "Alltid"),
    ),
    "satisfied5": (
        ("Very dissatisfied", "Erittäin tyytymätön", "Mycket missnöjd"),
        ("Dissatisfied", "Melko tyytymätön", "Ganska missnöjd"),
        (
            "Neither satisfied nor dissatisfied",
            "Ei tyytyväinen eikä tyytymätön",
            "Varken nöjd eller missnöjd",
        ),
        ("Satisfied", "Melko tyytyväinen", "Ganska nöjd"),
        ("Very satisfied", "Erittäin tyytyväinen", "Mycket nöjd"),
    ),
}


def _scale(scale_id: str, labels: tuple[tuple[str, str, str], ...]) -> Scale:
    points = tuple(
        Option(value=number, label=dict(zip(INTERFACE_LANGUAGES, texts, strict=True)))
        for number, texts in enumerate(labels, start=1)
    )
    return Scale(id=scale_id, points=points)


BUILTIN_SCALES: Mapping[str, Scale] = MappingProxyType(
    {scale_id: _scale(scale_id, labels) for scale_id, labels in _LABELS.items()}
)


def for_languages(scale: Scale, languages: tuple[str, ...]) -> Scale:
    """A built-in scale whose labels carry exactly the survey's `languages` it knows."""
    points = tuple(
        Option(p.value, {lang: p.label[lang] for lang in languages if lang in p.label})
        for p in scale.points
    )
    return Scale(id=scale.id, points=points)


def missing_languages(scale: Scale, languages: tuple[str, ...]) -> list[str]:
    """The survey languages a built-in scale has no labels in."""
    known = set(scale.points[0].label) if scale.points else set()
    return [lang for lang in languages if lang not in known]
