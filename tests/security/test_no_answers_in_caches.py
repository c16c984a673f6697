"""No cache holds what a respondent typed, so `participants forget` leaves nothing of them in
the worker: after their pages were shown, saved, refused for an expired token and reviewed,
and the person forgotten, their answers' text is reachable from no module-level cache.
"""

from __future__ import annotations

import gc
import sys
import types
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from security_kit import invite
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

from builders import SETUP, TEST_SURVEYS, post_page
from surveyapp.caching import ByteBoundedCache
from surveyapp.definitions import SurveyRegistry
from surveyapp.services import rounds

# Not walked into: they lead everywhere (the whole interpreter), and hold no cache entries.
OPAQUE = (types.ModuleType, type, types.FunctionType, types.CodeType, types.FrameType)


def cache_roots(app: Flask) -> Iterator[tuple[str, Any]]:
    """Every cache helper's entries, every container, cached function or object held at
    module level by the app's modules, and the app's session interface."""
    yield "app.session_interface", vars(app.session_interface)
    for found in gc.get_objects():
        if isinstance(found, ByteBoundedCache):
            yield "ByteBoundedCache", found.items()
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "surveyapp" or module is None:
            continue
        for attribute, value in vars(module).items():
            if isinstance(value, LocalProxy):  # request, session, current_app: per request
                continue
            if isinstance(value, dict | list | set | tuple | frozenset) or hasattr(
                value, "cache_info"
            ):
                yield f"{name}.{attribute}", value
            elif hasattr(value, "__dict__") and not isinstance(value, OPAQUE):
                yield f"{name}.{attribute}", value.__dict__  # an instance: a session interface…


def texts_within(root: Any, depth: int = 8) -> Iterable[str]:
    """Every string and bytes object reachable from `root` (not through modules, classes or
    functions' code)."""
    seen: set[int] = set()
    level = [root]
    for _ in range(depth):
        following = []
        for item in level:
            if id(item) in seen or isinstance(item, OPAQUE):
                continue
            seen.add(id(item))
            if isinstance(item, str):
                yield item
            elif isinstance(item, bytes | bytearray):
                yield item.decode("utf-8", "replace")
            else:
                following.extend(gc.get_referents(item))
        level = following


def test_a_forgotten_persons_answers_are_in_no_cache(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, session: Session
) -> None:
    registry = SurveyRegistry(TEST_SURVEYS)
    round_ = rounds.open_round(session, registry, "respond-test", "0.3", actor=SETUP)
    person = invite(session, round_, language="en")
    email = person.participant.email
    session.commit()
    typed = f"Forget me {uuid.uuid4().hex}"  # a text no survey or template holds
    base = f"/s/{person.token}"
    about = {"role": "other", "role.other": typed}
    assert post_page(client, f"{base}/p/about", about).status_code == 302
    why = {"why_clarity": "1", "why_missing": typed[:50]}
    assert post_page(client, f"{base}/p/why", why).status_code in (200, 302)
    for path in ("/p/about", "/p/why", "/p/about?lang=fi", "/review"):
        assert client.get(base + path).status_code == 200
    expired = client.post(f"{base}/p/about", data={"csrf_token": "x", "role.other": typed + "!"})
    assert expired.status_code == 400 and typed in expired.get_data(as_text=True)
    assert typed in client.get(f"{base}/p/about").get_data(as_text=True), "it was shown"

    result = runner.invoke(args=["participants", "forget", email, "--yes"])
    assert result.exit_code == 0, result.output
    gc.collect()
    roots = list(cache_roots(app))
    assert any(name == "ByteBoundedCache" for name, _root in roots), "the caches were found"
    for name, root in roots:
        for text in texts_within(root):
            assert typed[:20] not in text, f"{name} still holds the forgotten answer"
