"""Survey definitions: YAML files → checked, frozen dataclasses. Plain Python, no Flask."""

from __future__ import annotations

from importlib import resources

from surveyapp.definitions.evaluation import (
    evaluate,
    is_answered,
    is_visible,
    prune_hidden,
    visible_questions,
)
from surveyapp.definitions.loader import CheckReport, check_paths, load_dir, load_file, load_text
from surveyapp.definitions.question_types import QUESTION_KINDS, QUESTION_TYPES, QuestionKind
from surveyapp.definitions.registry import (
    SurveyRegistry,
    cached_snapshot,
    definition_hash,
    load_snapshot,
)
from surveyapp.definitions.scales import BUILTIN_SCALES
from surveyapp.definitions.schema import (
    CHAPTERS,
    OTHER_VALUE,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Not,
    Option,
    Question,
    Scale,
    Section,
    Survey,
    localize,
)
from surveyapp.languages import INTERFACE_LANGUAGES

SCHEMA_FILE = "survey.schema.json"


def schema_text() -> str:
    """The JSON Schema of the definition format, for editors and `jsonschema`."""
    return resources.files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


__all__ = [
    "BUILTIN_SCALES",
    "CHAPTERS",
    "INTERFACE_LANGUAGES",
    "OTHER_VALUE",
    "QUESTION_KINDS",
    "QUESTION_TYPES",
    "AllOf",
    "AnyOf",
    "CheckReport",
    "Compare",
    "Condition",
    "Not",
    "Option",
    "Question",
    "QuestionKind",
    "Scale",
    "Section",
    "Survey",
    "SurveyRegistry",
    "cached_snapshot",
    "check_paths",
    "definition_hash",
    "evaluate",
    "is_answered",
    "is_visible",
    "load_dir",
    "load_file",
    "load_snapshot",
    "load_text",
    "localize",
    "prune_hidden",
    "schema_text",
    "visible_questions",
]
