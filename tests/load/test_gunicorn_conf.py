"""gunicorn.conf.py: workers from the environment, no token in the access log, no start
without SECRET_KEY."""

from __future__ import annotations

import datetime as dt
import logging
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gunicorn.config import Config

from surveyapp import logs

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"


def _conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("SURVEYAPP_BIND", "WEB_CONCURRENCY", "SURVEYAPP_WORKER_CLASS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_defaults_loopback_threads_not_preloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _conf(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert 1 <= conf["workers"] <= 8
    assert conf["worker_class"] == "gthread" and conf["threads"] == 4
    assert conf["preload_app"] is False  # every worker builds its own engine after the fork
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0
    assert conf["timeout"] >= 60 and conf["graceful_timeout"] > 0
    # No query string, request line with query, referrer or headers in the access log.
    for atom in ("%(q)s", "%(r)s", "%(f)s", "}i)s"):
        assert atom not in conf["access_log_format"]
    assert conf["logger_class"] is logs.GunicornLogger


def test_bind_and_workers_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _conf(monkeypatch, SURVEYAPP_BIND="0.0.0.0:9000, [::1]:9001", WEB_CONCURRENCY="3")
    assert conf["bind"] == ["0.0.0.0:9000", "[::1]:9001"]
    assert conf["workers"] == 3


class _Resp:
    status = "200 OK"
    sent = 1234
    headers = [("Location", f"/s/{TOKEN}/p/why")]


class _Req:
    headers = [("Referer", f"https://surveys.example/s/{TOKEN}"), ("Host", "x")]


def _environ() -> dict[str, str]:
    return {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/s/{TOKEN}/p/why?lang=fi",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/s/{TOKEN}/p/why",
        "QUERY_STRING": "lang=fi",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://surveys.example/o/{TOKEN}",
    }


def test_gunicorn_logger_redacts_every_access_log_field() -> None:
    logger = logs.GunicornLogger(Config())
    fields = logger.atoms(_Resp(), _Req(), _environ(), dt.timedelta(milliseconds=12))
    atoms = logger.atoms_wrapper_class(fields)  # what the log format reads from
    assert len(atoms) > 15
    assert not [k for k in atoms if TOKEN in str(atoms[k])]
    assert atoms["U"] == "/s/[token]/p/why"
    assert atoms["{Referer}i"] == "https://surveys.example/s/[token]"


class _ReviewResp(_Resp):
    headers = [("Location", f"/r/{TOKEN}/chapter/how")]


class _ReviewReq(_Req):
    headers = [("Referer", f"https://surveys.example/r/{TOKEN}/summary"), ("Host", "x")]


def _review_environ() -> dict[str, str]:
    """A peer reviewer's request: /r/<token> is a personal link too."""
    environ = _environ()
    environ.update(
        RAW_URI=f"/r/{TOKEN}/chapter/how?lang=fi",
        PATH_INFO=f"/r/{TOKEN}/chapter/how",
        HTTP_REFERER=f"https://surveys.example/r/{TOKEN}",
    )
    return environ


def test_gunicorn_logger_redacts_a_reviewers_link_from_every_field(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config()
    config.set("accesslog", "-")
    logger = logs.GunicornLogger(config)
    request = (_ReviewResp(), _ReviewReq(), _review_environ(), dt.timedelta(milliseconds=12))
    atoms = logger.atoms_wrapper_class(logger.atoms(*request))
    assert not [k for k in atoms if TOKEN in str(atoms[k])]
    assert atoms["U"] == "/r/[token]/chapter/how"
    assert atoms["{Referer}i"] == "https://surveys.example/r/[token]/summary"
    config.set("access_log_format", " ".join(f"%({k})s" for k in logger.atoms(*request)))
    monkeypatch.setattr(logging.getLogger("gunicorn.access"), "filters", [])
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access(*request)
    assert "/r/[token]/chapter/how" in caplog.text
    assert TOKEN not in caplog.text


def test_gunicorn_logger_lines_have_no_token_without_the_filter(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Handlers set up by a logging config file or syslog see the record unfiltered."""
    config = Config()
    config.set("accesslog", "-")
    logger = logs.GunicornLogger(config)
    fields = logger.atoms(_Resp(), _Req(), _environ(), dt.timedelta(milliseconds=12))
    every_field = " ".join(f"%({k})s" for k in fields)
    config.set("access_log_format", every_field)
    monkeypatch.setattr(logging.getLogger("gunicorn.access"), "filters", [])
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access(_Resp(), _Req(), _environ(), dt.timedelta(milliseconds=12))
    assert "/s/[token]/p/why" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    "fmt",
    [
        '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %(p)s',  # ours
        '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"',  # gunicorn's default
    ],
)
def test_access_log_lines_through_the_filter_format_without_tokens(
    fmt: str, caplog: pytest.LogCaptureFixture
) -> None:
    """gunicorn logs `fmt % atoms`: the filter must keep the mapping, or the line breaks
    and logging prints the raw fields, token included, to standard error."""
    config = Config()
    config.set("access_log_format", fmt)
    config.set("accesslog", "-")
    # gunicorn's plain logger, so only the filter of logs.install() stands in the way.
    from gunicorn.glogging import Logger

    plain = Logger(config)
    logs.install()
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        plain.access(_Resp(), _Req(), _environ(), dt.timedelta(milliseconds=12))
        plain.access(_ReviewResp(), _ReviewReq(), _review_environ(), dt.timedelta(seconds=1))
    assert "/s/[token]/p/why" in caplog.text and "/r/[token]/chapter/how" in caplog.text
    assert TOKEN not in caplog.text


def test_gunicorn_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", SURVEYAPP_BIND="127.0.0.1:0")
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr + done.stdout
    assert "Booting worker" not in done.stderr + done.stdout


def test_an_exiting_worker_waits_for_its_background_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from flask import Flask

    from surveyapp.jobs.runner import run_in_background

    conf = _conf(monkeypatch)
    done: list[str] = []

    def job(name: str) -> None:
        time.sleep(0.5)
        done.append(name)

    with Flask(__name__).app_context():
        for name in ("export-7", "mail-batch-3"):  # an Excel build and a mail batch
            run_in_background(name, job, name, inline="EXPORT_INLINE")
    threading.Thread(target=time.sleep, args=(5,), name="other", daemon=True).start()

    class Worker:
        pid = 1
        log = logging.getLogger("test")

    started = time.monotonic()
    conf["worker_exit"](None, Worker())
    assert sorted(done) == ["export-7", "mail-batch-3"]
    assert time.monotonic() - started < 4, "a thread not started as a job is not waited for"
