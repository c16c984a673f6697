"""Declarative base, engine set-up and the one-session-per-request helper."""

from __future__ import annotations

import datetime as dt
import select
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

# Stable constraint names, so Alembic migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Whether new SQLite transactions in this context take the write lock at BEGIN.
_write_intent: ContextVar[bool] = ContextVar("sqlite_write_intent", default=True)


class json_object_agg(GenericFunction[Any]):  # named as PostgreSQL names it
    """`json_object_agg(key, json_value)`: the group's rows as one JSON object, read back as a
    dict (SQL NULL for no rows). SQLite calls it json_group_object, and its JSON values are
    text, which json() turns back into JSON."""

    type = JSON()
    inherit_cache = True


@compiles(json_object_agg, "sqlite")
def _json_group_object(element: json_object_agg, compiler: SQLCompiler, **kw: Any) -> str:
    key, value = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"json_group_object({key}, json({value}))"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets the settings that keep several workers safe."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if make_url(url).get_driver_name() != "psycopg":
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    engine = create_engine(url, pool_size=5, max_overflow=5)
    event.listen(engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled connection that the server has closed, without a round trip.

    A restarted server (or a cut network path) closes its end of every idle connection,
    and says so: the socket turns readable, with the server's goodbye or end-of-file. An
    idle connection's socket has nothing to read otherwise. pool_pre_ping would find out
    too, but with a `SELECT 1` before every request, which cost more than a third of a
    survey page's round trips (benchmarks/load). DisconnectionError makes the pool connect
    afresh.
    """
    if dbapi_conn.closed or dbapi_conn.broken or _has_input(dbapi_conn.fileno()):
        raise DisconnectionError("the server closed this pooled connection")


def _has_input(fd: int) -> bool:
    poller = select.poll()  # not select.select: it cannot watch descriptors above 1023
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _sqlite_engine(url: str) -> Engine:
    in_memory = ":memory:" in url or url in ("sqlite://", "sqlite:///")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: an acknowledged answer must survive a power cut, not just a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer takes the lock up front: a deferred BEGIN that reads and then writes fails
        # with "database is locked" when another worker wrote in between. Readers (GET pages,
        # exports) begin deferred, so in WAL mode they never wait or make anyone wait.
        immediate = conn.get_execution_options().get("sqlite_immediate", _write_intent.get())
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def init_app(app: Flask) -> None:
    """Create the engine and session factory and close each request's session."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    # get_session's sessions: after their first commit they only read (on SQLite) until
    # begin_write. Listened to on the factory: a listener per session cost a few percent of
    # a survey page (benchmarks/load).
    requests = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(requests, "after_commit", _reads_from_now_on)
    app.extensions["request_sessionmaker"] = requests
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The current request's (or CLI command's) session, created on first use.

    On SQLite, a POST's transactions take the write lock until its first commit; after
    that, and in GET requests, transactions only read.
    """
    if "db_session" not in g:
        _write_intent.set(not has_request_context() or request.method not in SAFE_METHODS)
        g.db_session = current_app.extensions["request_sessionmaker"]()
    db_session: Session = g.db_session
    return db_session


def read_connection() -> Connection:
    """The connection for the current request's reads that need no transaction.

    On PostgreSQL, a pooled connection of its own in autocommit, outside the ORM session:
    in READ COMMITTED each statement sees its own snapshot anyway, so BEGIN and ROLLBACK
    were two round trips that bought nothing, and the session's set-up and teardown cost
    more than a survey page's query (benchmarks/load). It goes back to the pool at
    begin_write, so a request holds one connection at a time. SQLite reads in the session's
    deferred BEGIN, which costs no round trip (SQLAlchemy's AUTOCOMMIT for pysqlite would
    also turn pysqlite's own transaction handling back on when the connection is pooled).
    """
    reads: Connection | None = g.get("db_reads")
    if reads is not None:
        return reads
    engine: Engine = current_app.extensions["engine"]
    if engine.dialect.name == "sqlite":
        return get_session().connection()
    reads = g.db_reads = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    return reads


def begin_write(session: Session) -> None:
    """End the request's reads and begin a transaction that writes.

    On SQLite the new transaction takes the write lock at BEGIN: upgrading a read
    transaction after another worker committed fails at once with "database is locked".
    """
    _end_reads()
    session.commit()  # nothing is pending in a read transaction; this only ends it
    session.connection(execution_options={"sqlite_immediate": True})


def read_before_writing(session: Session) -> None:
    """This request's reads (read_connection) need no transaction, until begin_write.

    For a POST that does its reading and checking first: on SQLite it then holds the write
    lock, which every worker's writes queue for, only while it writes.
    """
    assert session is g.db_session
    _write_intent.set(False)


def _reads_from_now_on(_session: Session) -> None:
    _write_intent.set(False)


def _end_reads() -> None:
    reads = g.pop("db_reads", None)
    if reads is not None:
        reads.close()


def _close_session(_exc: BaseException | None) -> None:
    _end_reads()
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def database_is_reachable() -> bool:
    """True when a trivial query succeeds on the current session."""
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
        session.rollback()
        return True
    except SQLAlchemyError:
        session.rollback()
        return False
