"""`show_if` conditions: reading them from YAML and checking what they name and compare.

Evaluation lives in `evaluation.py` (re-exported here); its docstring gives the
semantics, such as `other` standing for the free-text "Other" choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import NamedTuple

from surveyapp.definitions.evaluation import (
    as_number,
    evaluate,
    is_answered,
    is_visible,
    prune_hidden,
    visible_questions,
)
from surveyapp.definitions.fields import Context, get_str, shown
from surveyapp.definitions.question_types import ComparedAs
from surveyapp.definitions.reporting import hint, one_of
from surveyapp.definitions.schema import (
    COMPARE_OPS,
    OTHER_VALUE,
    AllOf,
    AnyOf,
    Compare,
    CompareOp,
    Condition,
    Not,
    Question,
)
from surveyapp.definitions.yamlnodes import Map, Node, Scalar, Seq

COMBINATORS = ("all", "any", "not")
ORDER_OPS = ("gte", "lte", "gt", "lt")
_EXAMPLE = "{question: role, equals: city}"


def parse_condition(node: Node, where: str, ctx: Context) -> Condition | None:
    """The condition written in `node`, or None when it has problems (reported)."""
    if not isinstance(node, Map):
        ctx.add(
            node.line, f"a condition must be a mapping such as {_EXAMPLE}, not {shown(node)}", where
        )
        return None
    combinators = [key for key in node.entries if key in COMBINATORS]
    if combinators:
        return _combination(node, combinators[0], where, ctx)
    return _comparison(node, where, ctx)


def _combination(node: Map, key: str, where: str, ctx: Context) -> Condition | None:
    if len(node.entries) > 1:
        others = [k for k in node.entries if k != key]
        ctx.add(
            node.line,
            f"'{key}' must be alone in its condition, but {one_of(others)} is beside it",
            where,
        )
        return None
    value = node.entries[key].value
    if key == "not":
        if not isinstance(value, Map):
            ctx.add(
                value.line,
                "'not' takes one condition (a mapping), not "
                f"{shown(value)}; to negate several use not: {{any: [...]}}",
                where,
            )
            return None
        inner = parse_condition(value, where, ctx)
        return Not(inner) if inner is not None else None
    if not isinstance(value, Seq) or not value.items:
        ctx.add(value.line, f"'{key}' takes a non-empty list of conditions", where)
        return None
    parts = [parse_condition(item, where, ctx) for item in value.items]
    conditions = tuple(p for p in parts if p is not None)
    if len(conditions) != len(parts):
        return None
    return AllOf(conditions) if key == "all" else AnyOf(conditions)


def _comparison(node: Map, where: str, ctx: Context) -> Compare | None:
    known = ("question", *COMPARE_OPS)
    unknown = [e for e in node.entries.values() if e.key not in known]
    for entry in unknown:
        ctx.add(
            entry.line,
            f"unknown condition key '{entry.key}'{hint(entry.key, (*known, *COMBINATORS))}",
            where,
        )
    ops = [e for e in node.entries.values() if e.key in COMPARE_OPS]
    question = get_str(node, "question", where, ctx)
    if "question" not in node.entries:
        ctx.add(node.line, f"the condition needs 'question', as in {_EXAMPLE}", where)
    if len(ops) > 1:
        ctx.add(
            node.line,
            f"a condition makes one comparison, but this one has "
            f"{one_of(e.key for e in ops)}; combine them with all: [...]",
            where,
        )
        return None
    if not ops:
        if not unknown:
            ctx.add(node.line, f"the condition needs a comparison: {one_of(COMPARE_OPS)}", where)
        return None
    value = _op_value(ops[0].key, ops[0].value, where, ctx)
    if question is None or value is None or unknown:
        return None
    op: CompareOp = ops[0].key  # type: ignore[assignment]  # one of COMPARE_OPS
    return Compare(question, op, value, line=node.line)


def _op_value(op: str, node: Node, where: str, ctx: Context) -> object:
    if op == "answered":
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        ctx.add(node.line, f"'answered' must be true or false, not {shown(node)}", where)
        return None
    items = node.items if op == "in" and isinstance(node, Seq) else (node,)
    if op == "in" and not (isinstance(node, Seq) and node.items):
        ctx.add(node.line, f"'in' takes a non-empty list of values, not {shown(node)}", where)
        return None
    values = []
    for item in items:
        if not isinstance(item, Scalar) or item.value is None:
            ctx.add(item.line, f"'{op}' needs a value, not {shown(item)}", where)
            return None
        values.append(item.value)
    return tuple(values) if op == "in" else values[0]


def comparisons(condition: Condition) -> Iterator[Compare]:
    """Every comparison inside a condition."""
    if isinstance(condition, Compare):
        yield condition
    elif isinstance(condition, Not):
        yield from comparisons(condition.condition)
    else:
        for part in condition.conditions:
            yield from comparisons(part)


class Located(NamedTuple):
    """A question as read, in survey order; `question` is None when its type is unreadable."""

    id: str
    question: Question | None
    where: str  # "section 'x', question 'y'", for messages
    line: int


def check_conditions(located: Sequence[Located], ctx: Context) -> None:
    """Check that every condition names an earlier question, and a value it can have."""
    position: dict[str, int] = {}
    for index, item in enumerate(located):
        position.setdefault(item.id, index)
    for index, item in enumerate(located):
        if item.question is None or item.question.show_if is None:
            continue
        for compare in comparisons(item.question.show_if):
            found = position.get(compare.question)
            if not _order_ok(compare, index, found, position, ctx, item.where):
                continue
            assert found is not None
            target = located[found].question
            if target is None:
                continue  # its own problems are reported already
            if not target.kind.has_answer:
                ctx.add(
                    compare.line,
                    f"show_if names question '{target.id}', an info text that has no answer",
                    item.where,
                )
                continue
            for message in value_problems(target, compare):
                ctx.add(compare.line, f"show_if: {message}", item.where)


def _order_ok(
    compare: Compare,
    index: int,
    found: int | None,
    position: Mapping[str, int],
    ctx: Context,
    where: str,
) -> bool:
    name = f"question '{compare.question}'"
    if found is None:
        ctx.add(
            compare.line,
            f"show_if names {name}, which does not exist{hint(compare.question, position)}",
            where,
        )
    elif found == index:
        ctx.add(
            compare.line,
            "show_if names the question itself; a condition may only name a question before it",
            where,
        )
    elif found > index:
        ctx.add(
            compare.line,
            f"show_if names {name}, which comes later in the survey; "
            "a condition may only name a question before it",
            where,
        )
    else:
        return True
    return False


def value_problems(target: Question, compare: Compare) -> list[str]:
    """What is wrong with comparing `target`'s answer by `compare` (empty when fine)."""
    op, kind, name = compare.op, target.kind, f"question '{target.id}'"
    if op == "answered":
        return []
    if op not in kind.condition_ops or kind.compared_as is None:
        return [kind.misused.format(op=op, name=name, type=target.type)]
    values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
    return _VALUE_CHECKS[kind.compared_as](target, op, values)


def _text_problems(target: Question, op: str, values: tuple[object, ...]) -> list[str]:
    return [
        f"'{_written(v)}' is not a text; write it in quotes"
        for v in values
        if not isinstance(v, str | int) or isinstance(v, bool)
    ]


def _choice_problems(target: Question, op: str, values: tuple[object, ...]) -> list[str]:
    name = f"question '{target.id}'"
    allowed = [str(option.value) for option in target.options]
    if target.other:
        allowed.append(OTHER_VALUE)
    return [
        f"{name} has no option '{_written(v)}'{hint(str(v), allowed)}"
        for v in values
        if isinstance(v, bool | float) or str(v) not in allowed
    ]


def _number_problems(target: Question, op: str, values: tuple[object, ...]) -> list[str]:
    name = f"question '{target.id}'"
    problems = []
    for value in values:
        number = None if isinstance(value, str) else as_number(value)
        if isinstance(value, str) and as_number(value) is not None:
            problems.append(f"write {value} without quotes: {name} has numbers for answers")
        elif number is None:
            problems.append(
                f"{name} has numbers for answers, so '{_written(value)}' can never match"
            )
        else:
            problem = _impossible(target, op, number)
            if problem:
                problems.append(f"'{op}: {_num(number)}' {problem} {name} ({_span(target)})")
    return problems


def _impossible(q: Question, op: str, number: float) -> str | None:
    """Why no answer to `q` makes `op: number` meaningful, or None when one can."""
    low, high = _bounds(q)
    if (low is not None and number < low) or (high is not None and number > high):
        return "is outside the range of"
    if (op == "gt" and number == high) or (op == "lt" and number == low):
        return "can never be true for"
    if op in ORDER_OPS:
        return None
    if q.kind.typed == "number":
        possible = number.is_integer() or not q.integer
    else:
        points = _points(q)
        possible = not points or number in points
    return None if possible else "can never be true for"


def _span(q: Question) -> str:
    if q.kind.points == "scale" and q.scale is not None:
        return "its answers are " + ", ".join(str(v) for v in q.scale.values)
    low, high = _bounds(q)
    whole = "whole numbers" if q.kind.typed == "number" and q.integer else "answers"
    if low is None and high is None:
        return f"it takes {whole}"
    return f"it takes {whole} from {_num(low)} to {_num(high)}"


def _bounds(q: Question) -> tuple[float | None, float | None]:
    if q.kind.points == "scale" and q.scale is not None and q.scale.points:
        return min(q.scale.values), max(q.scale.values)
    return q.min, q.max


def _points(q: Question) -> tuple[float, ...]:
    if q.kind.points == "scale":
        return q.scale.values if q.scale is not None else ()
    if q.min is not None and q.max is not None:
        return tuple(range(int(q.min), int(q.max) + 1))
    return ()


# How a condition's value is checked, by the kind's `compared_as`.
_VALUE_CHECKS: dict[ComparedAs, Callable[[Question, str, tuple[object, ...]], list[str]]] = {
    "option": _choice_problems,
    "number": _number_problems,
    "text": _text_problems,
}


def _written(value: object) -> str:
    """A compared value as the file spells it: `true`, not Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _num(number: float | None) -> str:
    return "any" if number is None else f"{number:g}"


__all__ = [
    "Located",
    "as_number",
    "check_conditions",
    "comparisons",
    "evaluate",
    "is_answered",
    "is_visible",
    "parse_condition",
    "prune_hidden",
    "value_problems",
    "visible_questions",
]
