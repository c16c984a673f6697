"""gunicorn settings for surveyapp (README: "Production deployment").

gunicorn reads this file from the working directory by default, so from the repository
root `gunicorn wsgi:app` is enough; elsewhere pass `-c /path/to/gunicorn.conf.py`.
Command-line options override these values.

Environment:
    SURVEYAPP_BIND          address to listen on (default 127.0.0.1:8000: behind a reverse
                            proxy on the same machine; several addresses: comma-separated)
    WEB_CONCURRENCY         worker processes (default 2 x CPU cores + 1, at most 8)
    SURVEYAPP_WORKER_CLASS  gthread (default) or sync
    SURVEYAPP_THREADS       threads per gthread worker (default 4)
    SURVEYAPP_TIMEOUT       seconds a request may take before its worker is restarted (60)
    SURVEYAPP_ACCESS_LOG    file for the access log, "-" for standard output (default), or
                            "off"
"""

from __future__ import annotations

import os
import time
from typing import Any

from surveyapp.jobs.runner import unfinished
from surveyapp.logs import GunicornLogger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Where to listen. The app itself is never exposed directly: nginx (or a load balancer)
# terminates TLS and forwards to this address (set SURVEYAPP_TRUSTED_PROXIES for it).
bind = [b.strip() for b in os.environ.get("SURVEYAPP_BIND", "127.0.0.1:8000").split(",")]

# Processes. The app keeps no state in a worker (signed-cookie sessions, limits in Redis with
# REDIS_URL, data in the database), so any worker on any machine can serve any request.
# Each worker holds at most 10 PostgreSQL connections (surveyapp/db.py: pool 5 + overflow 5;
# one per thread serving a request, one per Excel build), so 8 workers stay below
# PostgreSQL's default max_connections = 100 on one machine; with several machines keep
# machines x workers x 10 below max_connections minus the reserved connections.
workers = _int("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8))

# gthread: each worker serves up to SURVEYAPP_THREADS requests at once. Measured with
# benchmarks/load/worker_class.py (benchmarks/README.md, "Load"), 4 workers on 2 cores,
# side by side: survey pages 1.4-2.4x and page saves 1.2-1.6x the requests/s of sync
# workers, with lower latencies, on SQLite and on PostgreSQL; 0 lost or duplicated either
# way. A thread waiting for the database (or a slow client) no longer idles its process.
# Each thread has its own pooled connection; sync stays one environment variable away.
worker_class = os.environ.get("SURVEYAPP_WORKER_CLASS", "gthread")
threads = _int("SURVEYAPP_THREADS", 4) if worker_class == "gthread" else 1

# A request that takes longer than this gets its worker killed and replaced. Saves and pages
# take milliseconds; the slowest page is a big round's results dashboard. The Excel summary
# is built in a background thread of the worker (surveyapp/jobs/exports.py), not in a request.
timeout = _int("SURVEYAPP_TIMEOUT", 60)
# Workers prove they are alive by touching a file; on a disk busy with database writes that
# can stall a worker (gunicorn's FAQ, "Blocking os.fchmod"), so the file lives in memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# On SIGTERM or SIGHUP, requests in progress finish (each save is one short transaction).
graceful_timeout = 30
# Seconds an idle keep-alive connection stays open (gthread; sync workers close at once).
keepalive = 5

# Replace each worker after about 10,000 requests, so slow leaks (in a library, say) stay
# bounded; the jitter keeps workers from restarting all at once. A restarting worker
# finishes its request first, and waits a while for its background jobs (worker_exit, below).
max_requests = 10_000
max_requests_jitter = 1_000

# Not preloaded: every worker imports the app and creates its own database engine after
# the fork. SQLAlchemy's pool (and a SQLite connection) must never be shared across fork,
# and the engine is created in create_app (surveyapp/db.py: init_app). Preloading would
# save a few MB per worker but needs engine.dispose(close=False) in post_fork to be safe,
# and it stops `kill -HUP` from loading new code. (A missing SECRET_KEY is caught in the
# master all the same: on_starting, below.)
preload_app = False

# Logs go to standard output/error, for systemd's journal or the container runtime.
_access = os.environ.get("SURVEYAPP_ACCESS_LOG", "-")
accesslog = None if _access.lower() == "off" else _access
errorlog = "-"
# No query string, referrer or user agent; the path keeps no link token: GunicornLogger
# turns /s/<token> and /o/<token> into /s/[token] in every field.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %(p)s'
logger_class = GunicornLogger

# Only the reverse proxy on this machine may set X-Forwarded-Proto for gunicorn; the app's
# ProxyFix (SURVEYAPP_TRUSTED_PROXIES) handles X-Forwarded-For/-Proto/-Host itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn >= 25 opens a control socket at one fixed default path per user; two instances
# on one machine (blue/green, or tests) would take it from each other. Signals do the same
# job (HUP reloads, TERM stops gracefully, TTIN/TTOU add or remove a worker).
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Refuse to start, in the master and with a clear message, without SECRET_KEY."""
    from surveyapp.config import ConfigError, load_config

    try:
        load_config()
    except ConfigError as error:
        server.log.error("surveyapp: %s", error)
        raise SystemExit(3) from None


def post_worker_init(worker: Any) -> None:
    """Say when a worker has built the app and serves requests (tests wait for this line)."""
    worker.log.info("surveyapp worker %s ready", worker.pid)


def worker_exit(server: Any, worker: Any) -> None:
    """A worker leaving after max_requests or on SIGHUP/SIGTERM lets its background jobs
    (Excel builds, mail batches) finish.

    They run in daemon threads started by surveyapp/jobs/runner.py, which would die with the
    process. The master gives an exiting worker `timeout` seconds (`graceful_timeout` on
    SIGTERM) before it kills it; a job cut off then is shown as stopped on its page and can
    be started again there.
    """
    deadline = time.monotonic() + max(timeout - 5, 1)
    for job in unfinished():
        worker.log.info("worker %s waits for %s to finish", worker.pid, job.name)
        job.join(max(deadline - time.monotonic(), 0))
