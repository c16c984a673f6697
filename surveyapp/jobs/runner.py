"""The one way to run a background job: a daemon thread with the app's context.

A job's errors reach nobody's page, so they go to the app's log. With the config flag given
as `inline` set (EXPORT_INLINE, MAIL_SEND_INLINE: tests), the job runs in the caller's
request instead, in the same way. The threads are remembered so that a worker leaving
gracefully can wait for them (gunicorn.conf.py: worker_exit).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable

from flask import Flask, current_app

_started: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def run_in_background(
    name: str, job: Callable[..., object], *args: object, inline: str, **kwargs: object
) -> None:
    """Run `job(*args, **kwargs)` in a daemon thread called `name`, in the current app's
    context; in this thread instead when the app's config flag `inline` is set.

    The arguments must be plain values: the thread outlives the request that starts it.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    call = functools.partial(job, *args, **kwargs)
    if app.config.get(inline):
        _run(app, name, call)
        return
    thread = threading.Thread(target=_run, args=(app, name, call), name=name, daemon=True)
    _started.add(thread)
    thread.start()


def _run(app: Flask, name: str, call: Callable[[], object]) -> None:
    try:
        with app.app_context():
            call()
    except Exception:
        app.logger.exception("the background job %s stopped", name)


def unfinished() -> list[threading.Thread]:
    """The threads started here that are still running."""
    return [thread for thread in list(_started) if thread.is_alive()]
