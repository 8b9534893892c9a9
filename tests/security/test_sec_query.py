"""``query()`` is one read-only SELECT over the result's own tables, and nothing else.

Each attack would write a file, read one, or publish data the result does not hold; render and
lint (which runs every query while checking) must both refuse it with a named error, write
nothing, and never repeat what DuckDB read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from persona_atlas.errors import ReportError
from persona_atlas.lint import lint_report
from persona_atlas.lint.output import text_lines
from persona_atlas.reports import safe_query
from persona_atlas.reports.render import query_table
from persona_atlas.schema import load_result
from tests.lint.lintkit import FIXTURE, copy_fixture
from tests.security.seckit import files_under, render_report

HOSTNAME = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
RESULT = load_result(FIXTURE / "result.json")

REFUSED = [
    ("COPY (SELECT 1) TO 'OUT/x.csv'", "found COPY"),
    ("COPY cells TO 'OUT/x.parquet' (FORMAT parquet)", "found COPY"),
    ("ATTACH 'OUT/x.duckdb' AS x", "found ATTACH"),
    ("INSTALL httpfs", "found"),
    ("LOAD httpfs", "found LOAD"),
    ("SET enable_external_access = true", "found SET"),
    ("PRAGMA database_list", "found PRAGMA"),
    ("CREATE TABLE t AS SELECT * FROM cells", "found CREATE"),
    ("SELECT 1; COPY (SELECT 1) TO 'OUT/y.csv'", "found SELECT, COPY"),
    ("SELECT * FROM read_text('/etc/hostname')", "found a table function"),
    ("SELECT CAST(content AS INTEGER) FROM read_text('/etc/hostname')", "table function"),
    ("SELECT * FROM read_csv('/etc/passwd')", "table function"),
    ("SELECT * FROM glob('/*')", "table function"),
    ("SELECT * FROM cells, read_parquet('OUT/*.parquet')", "table function"),
    ("SELECT * FROM duckdb_settings()", "table function"),
    ("WITH x AS (SELECT * FROM read_text('/etc/hostname')) SELECT * FROM x", "table function"),
    ("SELECT * FROM (SELECT * FROM read_text('/etc/hostname'))", "table function"),
    ("SELECT * FROM '/etc/hostname'", "is not one of the result's tables"),
    ("SELECT * FROM information_schema.tables", "is not one of the result's tables"),
    ("SELECT * FROM sqlite_master", "is not one of the result's tables"),
    ("SELECT * FROM (VALUES (0.98))", "a VALUES list"),
    ("SELECT 0.98 AS cos_min", "must read at least one of the result's tables"),
    ("SELECT 1", "must read at least one of the result's tables"),
    ("SELECT pair, 0.98 AS cos_min FROM cells", "output column 2 is a literal number"),
    ("SELECT pair, '0.98' AS cos_min FROM cells", "output column 2 is a literal number"),
    ("SELECT CAST(0.5 AS DOUBLE) AS x FROM cells", "output column 1 is a literal number"),
    ("WITH t AS (SELECT 0.98 AS x) SELECT x, pair FROM t, cells", "is a literal number"),
    ("SELECT pair, (SELECT 0.98) AS x FROM cells", "is a literal number"),
    ("SELECT pair FROM cells UNION ALL SELECT '0.98'", "is a literal number"),
    (
        "WITH RECURSIVE r AS (SELECT 0.98 AS x UNION ALL SELECT x FROM r WHERE false) "
        "SELECT x FROM r, cells",
        "is a literal number",
    ),
    ("", "found no statement"),
]


def _with_query(tmp_path: Path, sql: str) -> tuple[Path, int, Path]:
    report = copy_fixture(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    text = report.read_text(encoding="utf-8").rstrip("\n")
    call = '{{ query("' + sql.replace("OUT", str(out)).replace('"', '\\"') + '") }}'
    report.write_text(f"{text}\n\n{call}\n", encoding="utf-8")
    return report, text.count("\n") + 3, out


def _no_leak(message: str) -> None:
    assert "root:" not in message  # /etc/passwd
    if HOSTNAME:
        assert HOSTNAME not in message.replace("hostname", "")


@pytest.mark.parametrize(("sql", "expected"), REFUSED)
def test_render_refuses_query(tmp_path: Path, sql: str, expected: str) -> None:
    report, line, out = _with_query(tmp_path, sql)
    before = files_under(tmp_path)
    with pytest.raises(ReportError) as err:
        render_report(report)
    message = str(err.value)
    assert message.startswith(f"{report}:{line}: query: "), message
    assert expected in message, message
    assert files_under(tmp_path) == before and not list(out.iterdir())
    _no_leak(message)


@pytest.mark.parametrize(("sql", "expected"), REFUSED)
def test_lint_refuses_query_the_same_way(tmp_path: Path, sql: str, expected: str) -> None:
    report, line, out = _with_query(tmp_path, sql)
    before = files_under(tmp_path)
    lines = [t for t in text_lines(lint_report(report)) if t.startswith(f"{report}:{line}:")]
    assert any("[query]  query: " in t and expected in t for t in lines), lines
    assert files_under(tmp_path) == before and not list(out.iterdir())
    for t in lines:
        _no_leak(t)


def test_connection_configuration_is_locked_with_file_access_off(tmp_path: Path) -> None:
    import duckdb

    con = safe_query.locked_database().cursor()
    settings = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access',"
            " 'lock_configuration', 'autoload_known_extensions', 'autoinstall_known_extensions')"
        ).fetchall()
    )
    assert settings == {
        "enable_external_access": "false",
        "lock_configuration": "true",
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
    }
    with pytest.raises(duckdb.Error, match="locked"):
        con.execute("SET enable_external_access = true")
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_text('/etc/hostname')")
    with pytest.raises(duckdb.PermissionException):
        con.execute(f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'")
    assert not (tmp_path / "x.csv").exists()


def test_failed_cast_message_does_not_echo_the_data() -> None:
    secret = "s3cr3t-persona-name"
    tables = {"t": (["name", "n"], [[secret, 1]])}
    with pytest.raises(safe_query.QueryError) as err:
        safe_query.run_query(tables, "SELECT CAST(name AS INTEGER) AS n FROM t")
    assert secret not in str(err.value) and "Conversion" in str(err.value)


def test_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_query, "MAX_ROWS", 3)
    with pytest.raises(safe_query.QueryError, match="more than 3 rows"):
        query_table(RESULT, "SELECT pair, layer FROM cells")
    assert len(query_table(RESULT, "SELECT pair FROM cells LIMIT 3").rows) == 3


def test_time_limit_interrupts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_query, "TIME_LIMIT_S", 0.3)
    cross = ", ".join(f"cells c{i}" for i in range(14))  # 6**14 rows, constant memory
    sql = f"SELECT count(*) AS n FROM {cross}"
    with pytest.raises(safe_query.QueryError, match=r"took longer than 0\.3 s"):
        query_table(RESULT, sql)


def test_documented_queries_still_work() -> None:
    t = query_table(
        RESULT,
        "WITH k AS (SELECT * FROM cells WHERE verdict = 'KILL') "
        "SELECT pair, count(*) AS n, max(mc_r) AS best FROM k GROUP BY pair ORDER BY pair",
    )
    assert t.columns == ["pair", "n", "best"] and t.rows
    assert query_table(RESULT, "SELECT count(*) AS n FROM cells").rows == [[6]]
    assert query_table(RESULT, "SELECT layer FROM cells WHERE layer IN (7, 14) LIMIT 1").rows


def test_queries_do_not_see_each_others_tables() -> None:
    safe_query.run_query({"mine": (["a"], [[1]])}, "SELECT a FROM mine")
    with pytest.raises(safe_query.QueryError, match="not one of the result's tables"):
        safe_query.run_query({"other": (["a"], [[1]])}, "SELECT a FROM mine")


def test_nothing_written_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for sql, _ in REFUSED:
        with pytest.raises(safe_query.QueryError):
            query_table(RESULT, sql.replace("OUT", "."))
    assert os.listdir(tmp_path) == []


def test_a_query_cannot_build_a_huge_value() -> None:
    with pytest.raises(safe_query.QueryError, match="OutOfMemory"):
        query_table(RESULT, "SELECT repeat(pair, 100000000) AS p FROM cells")
