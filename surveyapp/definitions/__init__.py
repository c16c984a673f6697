"""Survey definitions: YAML files → checked, frozen dataclasses. Plain Python, no Flask."""

from __future__ import annotations

import json
from importlib import resources

from surveyapp.definitions.criteria import (
    CriteriaSet,
    Criterion,
    Level,
    criteria_from_data,
    criteria_to_data,
)
from surveyapp.definitions.criteria_file import load_criteria, load_criteria_text
from surveyapp.definitions.criteria_registry import (
    CriteriaRegistry,
    UnknownCriteriaSet,
    check_criteria_paths,
    default_criteria_dir,
)
from surveyapp.definitions.evaluation import (
    evaluate,
    is_answered,
    is_visible,
    prune_hidden,
    visible_questions,
)
from surveyapp.definitions.loader import CheckReport, check_paths, load_dir, load_file, load_text
from surveyapp.definitions.manual import (
    MANUAL_FILE,
    Chapter,
    Manual,
    Revision,
    Topic,
    revision_key,
)
from surveyapp.definitions.manual_file import load_manual_text, manual_of_dir
from surveyapp.definitions.question_types import QUESTION_KINDS, QUESTION_TYPES, QuestionKind
from surveyapp.definitions.registry import (
    SurveyRegistry,
    cached_snapshot,
    definition_hash,
    load_snapshot,
)
from surveyapp.definitions.scales import BUILTIN_SCALES
from surveyapp.definitions.schema import (
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
MANUAL_SCHEMA_FILE = "manual.schema.json"
CRITERIA_SCHEMA_FILE = "criteria.schema.json"


def schema_text(manual: Manual | None = None) -> str:
    """The JSON Schema of the definition format, for editors and `jsonschema`; with a
    manual, a section's chapter must be one of its latest revision's."""
    text = resources.files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    if manual is None or not manual.revisions:
        return text
    schema = json.loads(text)
    chapter = schema["$defs"]["section"]["properties"]["chapter"]
    del chapter["type"], chapter["pattern"]
    chapter["enum"] = [c.id for c in manual.latest.chapters]
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def manual_schema_text() -> str:
    """The JSON Schema of surveys/manual.yaml."""
    return resources.files(__name__).joinpath(MANUAL_SCHEMA_FILE).read_text(encoding="utf-8")


def criteria_schema_text() -> str:
    """The JSON Schema of a criteria set (criteria/<id>.yaml)."""
    return resources.files(__name__).joinpath(CRITERIA_SCHEMA_FILE).read_text(encoding="utf-8")


__all__ = [
    "BUILTIN_SCALES",
    "INTERFACE_LANGUAGES",
    "MANUAL_FILE",
    "OTHER_VALUE",
    "QUESTION_KINDS",
    "QUESTION_TYPES",
    "AllOf",
    "AnyOf",
    "Chapter",
    "CheckReport",
    "Compare",
    "Condition",
    "CriteriaRegistry",
    "CriteriaSet",
    "Criterion",
    "Level",
    "Manual",
    "Not",
    "Option",
    "Question",
    "QuestionKind",
    "Revision",
    "Scale",
    "Section",
    "Survey",
    "SurveyRegistry",
    "Topic",
    "UnknownCriteriaSet",
    "cached_snapshot",
    "check_criteria_paths",
    "check_paths",
    "criteria_from_data",
    "criteria_schema_text",
    "criteria_to_data",
    "default_criteria_dir",
    "definition_hash",
    "evaluate",
    "is_answered",
    "is_visible",
    "load_criteria",
    "load_criteria_text",
    "load_dir",
    "load_file",
    "load_manual_text",
    "load_snapshot",
    "load_text",
    "localize",
    "manual_of_dir",
    "manual_schema_text",
    "prune_hidden",
    "revision_key",
    "schema_text",
    "visible_questions",
]
