"""psycopg2 against a live Eddy server: run by tests/e2e/clients-psycopg2.test.ts.

Usage: /usr/bin/python3 psycopg2_check.py <dsn>
Prints one JSON line per check: {"check": name, "ok": bool, "detail": ..., "sqlstate": ...}.
A check that raises is reported as not ok with the error, and the next check runs on a fresh
connection state (rollback).
"""
import datetime
import decimal
import io
import json
import sys
import traceback

import psycopg2
import psycopg2.extras

DSN = sys.argv[1]
conn = psycopg2.connect(DSN)


def report(name, ok, detail=None, sqlstate=None):
    print(json.dumps({"check": name, "ok": ok, "detail": detail, "sqlstate": sqlstate}, default=str), flush=True)


def check(fn):
    name = fn.__name__
    try:
        detail = fn()
        report(name, True, detail)
    except AssertionError as e:
        report(name, False, "assertion failed: %s\n%s" % (e, traceback.format_exc()))
    except psycopg2.Error as e:
        report(name, False, "%s: %s" % (type(e).__name__, e), e.pgcode)
    except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
        report(name, False, "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc()))
    try:
        conn.rollback()
    except psycopg2.Error:
        pass
    return fn


@check
def connect():
    assert conn.server_version >= 150000, conn.server_version
    assert conn.get_parameter_status("server_encoding") == "UTF8"
    with conn.cursor() as cur:
        cur.execute("SELECT 1 AS one")
        assert cur.fetchone() == (1,)
        assert [d.name for d in cur.description] == ["one"]
    return conn.server_version


@check
def params_round_trip():
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE py_typed (id BIGINT PRIMARY KEY, amount NUMERIC, at TIMESTAMPTZ, ok BOOLEAN, note TEXT, doc JSONB)"
            )
            at = datetime.datetime(2024, 3, 31, 22, 15, 1, 250000, tzinfo=datetime.timezone.utc)
            cur.execute(
                "INSERT INTO py_typed VALUES (%s, %s, %s, %s, %s, %s)",
                (2**62, decimal.Decimal("98765.4321"), at, True, "grüße 🚀 'quoted'", psycopg2.extras.Json({"k": [1, "two"]})),
            )
            cur.execute("INSERT INTO py_typed VALUES (%s, %s, %s, %s, %s, %s)", (2, None, None, None, None, None))
            cur.execute("SELECT id, amount, at, ok, note, doc FROM py_typed WHERE id = %s", (2**62,))
            row = cur.fetchone()
            assert row == (2**62, decimal.Decimal("98765.4321"), at, True, "grüße 🚀 'quoted'", {"k": [1, "two"]}), row
            assert isinstance(row[1], decimal.Decimal) and row[2].tzinfo is not None
            cur.execute("SELECT amount, at, ok, note, doc FROM py_typed WHERE id = %(id)s", {"id": 2})
            assert cur.fetchone() == (None, None, None, None, None)
            cur.execute("SELECT %s::int + 1, %s::float8 * 2", (41, 1.25))
            assert cur.fetchone() == (42, 2.5)
    finally:
        conn.autocommit = False


@check
def fetchall_fetchmany():
    with conn.cursor() as cur:
        cur.execute("SELECT id, label FROM numbers WHERE id <= %s ORDER BY id", (250,))
        assert cur.rowcount == 250, cur.rowcount
        first = cur.fetchmany(100)
        second = cur.fetchmany(100)
        rest = cur.fetchall()
        assert [len(first), len(second), len(rest)] == [100, 100, 50]
        assert first[0] == (1, "row 1") and rest[-1] == (250, "row 250")
    conn.commit()


@check
def transaction_block_and_error_recovery():
    # psycopg2 opens a transaction (BEGIN) before the first statement; an error aborts it
    # until rollback, as in PostgreSQL.
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
        try:
            cur.execute("SELECT 1 / 0")
            raise AssertionError("division by zero did not fail")
        except psycopg2.errors.DivisionByZero:
            pass
        assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR
        try:
            cur.execute("SELECT 1")
            raise AssertionError("a statement in an aborted transaction ran")
        except psycopg2.errors.InFailedSqlTransaction:
            pass
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT 'ok'")
        assert cur.fetchone() == ("ok",)
    conn.commit()


@check
def executemany_execute_values_and_dict_cursor():
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE py_many (id INT PRIMARY KEY, name TEXT)")
            cur.executemany("INSERT INTO py_many VALUES (%s, %s)", [(i, "n%d" % i) for i in range(1, 51)])
            # execute_values folds many rows into one multi-row INSERT per page.
            psycopg2.extras.execute_values(cur, "INSERT INTO py_many VALUES %s", [(i, "m%d" % i) for i in range(51, 301)], page_size=100)
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute("SELECT count(*) AS n, max(name) AS top FROM py_many")
            assert cur.fetchone() == {"n": 300, "top": "n9"}
    finally:
        conn.autocommit = False


@check
def named_server_side_cursor():
    # psycopg2 turns a named cursor into DECLARE ... CURSOR / FETCH FORWARD n.
    cur = conn.cursor(name="py_cur")
    cur.itersize = 100
    cur.execute("SELECT id FROM numbers ORDER BY id")
    ids = [r[0] for r in cur]
    cur.close()
    assert ids == list(range(1, 1001)), len(ids)
    conn.commit()


@check
def copy_expert():
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE py_copy (id INT PRIMARY KEY, label TEXT)")
            cur.copy_expert("COPY py_copy FROM STDIN", io.StringIO("1\tone\n2\ttwo\n"))
            out = io.StringIO()
            cur.copy_expert("COPY (SELECT id, label FROM py_copy ORDER BY id) TO STDOUT", out)
            assert out.getvalue() == "1\tone\n2\ttwo\n", out.getvalue()
    finally:
        conn.autocommit = False


conn.close()
