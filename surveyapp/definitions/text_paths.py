"""Every translatable text of a survey by its path (`sections/why/questions/q1/text`, …),
in file order: what the catalogues, the lock file and `check` go through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from surveyapp.definitions.schema import LangText, Option, Question, Scale, Section, Survey

TextFn = Callable[[str, LangText, int], LangText]


def replace_texts(survey: Survey, fn: TextFn) -> Survey:
    """The survey with each translatable text replaced by `fn(path, text, line)`; walks
    the texts in file order (`survey_texts` uses it to list them)."""

    def options(prefix: str, items: tuple[Option, ...], line: int) -> tuple[Option, ...]:
        return tuple(
            replace(o, label=fn(f"{prefix}/{o.value}/label", o.label, line)) for o in items
        )

    def maybe(path: str, text: LangText | None, line: int) -> LangText | None:
        return None if text is None else fn(path, text, line)

    title = fn("title", survey.title, 1)
    description = maybe("description", survey.description, 1)
    scales = {
        name: Scale(name, options(f"scales/{name}/points", scale.points, 1))
        for name, scale in survey.scales.items()
    }
    sections: list[Section] = []
    for section in survey.sections:
        where = f"sections/{section.id}"
        s_title = fn(f"{where}/title", section.title, section.line)
        s_description = maybe(f"{where}/description", section.description, section.line)
        questions: list[Question] = []
        for q in section.questions:
            qp, line = f"{where}/questions/{q.id}", q.line
            questions.append(
                replace(
                    q,
                    text=fn(f"{qp}/text", q.text, line),
                    help=maybe(f"{qp}/help", q.help, line),
                    options=options(f"{qp}/options", q.options, line),
                    rows=options(f"{qp}/rows", q.rows, line),
                    min_label=maybe(f"{qp}/min_label", q.min_label, line),
                    max_label=maybe(f"{qp}/max_label", q.max_label, line),
                    scale=scales.get(q.scale.id, q.scale) if q.scale is not None else None,
                )
            )
        sections.append(
            replace(section, title=s_title, description=s_description, questions=tuple(questions))
        )
    about = replace(
        survey.about,
        organiser=maybe("about/organiser", survey.about.organiser, 1),
        privacy=maybe("about/privacy", survey.about.privacy, 1),
    )
    return replace(
        survey,
        title=title,
        description=description,
        scales=scales,
        sections=tuple(sections),
        about=about,
    )


@dataclass(frozen=True)
class Text:
    path: str
    texts: LangText
    line: int  # the line of the survey, section or question it belongs to


def survey_texts(survey: Survey) -> list[Text]:
    """Every translatable text of the survey, in file order."""
    found: list[Text] = []

    def collect(path: str, text: LangText, line: int) -> LangText:
        found.append(Text(path, text, line))
        return text

    replace_texts(survey, collect)
    return found
