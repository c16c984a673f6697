"""The built-in answer scales, labelled in every interface language.

The English labels are marked here and translated in the interface catalogues, with the
scale's id as the message context: the same English label may read differently in two
scales (agree5's "Disagree" is milder in Finnish than agree7's).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from surveyapp.definitions.schema import Option, Scale
from surveyapp.languages import INTERFACE_LANGUAGES, SOURCE_LANGUAGE, TRANSLATIONS_DIR


def NP_(context: str, label: str) -> tuple[str, str]:
    """Mark `label` for the catalogues under `context` (extracted with -k NP_:1c,2)."""
    return context, label


_LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "agree5": (
        NP_("agree5", "Strongly disagree"),
        NP_("agree5", "Disagree"),
        NP_("agree5", "Neither agree nor disagree"),
        NP_("agree5", "Agree"),
        NP_("agree5", "Strongly agree"),
    ),
    "agree7": (
        NP_("agree7", "Strongly disagree"),
        NP_("agree7", "Disagree"),
        NP_("agree7", "Somewhat disagree"),
        NP_("agree7", "Neither agree nor disagree"),
        NP_("agree7", "Somewhat agree"),
        NP_("agree7", "Agree"),
        NP_("agree7", "Strongly agree"),
    ),
    "useful5": (
        NP_("useful5", "Not at all useful"),
        NP_("useful5", "Slightly useful"),
        NP_("useful5", "Moderately useful"),
        NP_("useful5", "Very useful"),
        NP_("useful5", "Extremely useful"),
    ),
    "frequency5": (
        NP_("frequency5", "Never"),
        NP_("frequency5", "Rarely"),
        NP_("frequency5", "Sometimes"),
        NP_("frequency5", "Often"),
        NP_("frequency5", "Always"),
    ),
    "satisfied5": (
        NP_("satisfied5", "Very dissatisfied"),
        NP_("satisfied5", "Dissatisfied"),
        NP_("satisfied5", "Neither satisfied nor dissatisfied"),
        NP_("satisfied5", "Satisfied"),
        NP_("satisfied5", "Very satisfied"),
    ),
}


@cache  # one catalogue per interface language, read once
def _catalogue(lang: str) -> Catalog | None:
    folder = TRANSLATIONS_DIR / lang / "LC_MESSAGES"
    # The compiled catalogue when there is one (installed app); a fresh checkout has the .po.
    for name, reader in (("messages.mo", read_mo), ("messages.po", read_po)):
        if (folder / name).is_file():
            with (folder / name).open("rb") as f:
                return reader(f)
    return None


def _label(context: str, label: str, lang: str) -> str | None:
    """`label` in `lang`, or None when that catalogue does not translate it."""
    if lang == SOURCE_LANGUAGE:
        return label
    catalogue = _catalogue(lang)
    message = catalogue.get(label, context=context) if catalogue is not None else None
    if message is None or not isinstance(message.string, str) or not message.string:
        return None
    return None if message.fuzzy else message.string


def _point_label(context: str, label: str) -> dict[str, str]:
    found = {lang: _label(context, label, lang) for lang in INTERFACE_LANGUAGES}
    return {lang: text for lang, text in found.items() if text is not None}


def _scale(scale_id: str, labels: tuple[tuple[str, str], ...]) -> Scale:
    points = tuple(
        Option(value=number, label=_point_label(context, label))
        for number, (context, label) in enumerate(labels, start=1)
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
    known = set.intersection(*(set(p.label) for p in scale.points)) if scale.points else set()
    return [lang for lang in languages if lang not in known]
