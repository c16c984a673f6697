"""jobs.runner: a job runs in a daemon thread with the app's context, or inline when the
app's flag says so; its errors go to the log, never to the caller."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from flask import Flask, current_app

from surveyapp.jobs.runner import run_in_background, unfinished


@pytest.fixture
def app() -> Flask:
    made = Flask("runner-test")
    made.config["TEST_INLINE"] = False
    return made


def test_a_job_runs_in_a_daemon_thread_of_its_name_with_the_apps_context(app: Flask) -> None:
    seen: dict[str, Any] = {}
    go, done = threading.Event(), threading.Event()

    def job(number: int, *, word: str) -> None:
        go.wait(5)
        here = threading.current_thread()
        seen.update(app=current_app.name, args=(number, word), name=here.name, daemon=here.daemon)
        done.set()

    with app.app_context():
        run_in_background("export-41", job, 41, word="fi", inline="TEST_INLINE")
    assert [t.name for t in unfinished()] == ["export-41"], "a worker leaving waits for it"
    go.set()
    assert done.wait(5)
    assert seen == {"app": "runner-test", "args": (41, "fi"), "name": "export-41", "daemon": True}


def test_with_the_flag_set_the_job_runs_in_the_callers_thread(app: Flask) -> None:
    app.config["TEST_INLINE"] = True
    seen: list[threading.Thread] = []
    with app.app_context():
        run_in_background(
            "mail-batch-3", lambda: seen.append(threading.current_thread()), inline="TEST_INLINE"
        )
    assert seen == [threading.current_thread()]
    assert unfinished() == []


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "thread"])
def test_an_error_goes_to_the_log_with_the_jobs_name_not_to_the_caller(
    app: Flask, inline: bool, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["TEST_INLINE"] = inline

    def broken() -> None:
        raise RuntimeError("the database went away")

    with caplog.at_level(logging.ERROR), app.app_context():
        run_in_background("mail-batch-9", broken, inline="TEST_INLINE")
        for thread in unfinished():
            thread.join(5)
    (record,) = [r for r in caplog.records if r.name == app.logger.name]
    assert record.getMessage() == "the background job mail-batch-9 stopped"
    assert record.exc_info and "the database went away" in str(record.exc_info[1])
