"""Storage on SQLite and PostgreSQL: migrations match the models, the registry upserts, the lock is exclusive."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from xunjian.storage.db import get_engine, session_scope
from xunjian.storage.locks import acquire_site_lock, release_site_lock
from xunjian.storage.models import Base, Site
from xunjian.storage.registry import RegistryError, parse_registry, upsert_sites
from xunjian.storage.scans import create_scan, finish_scan


def test_migrations_match_models(db_url):
    """Like `alembic check`: the migrated schema and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from xunjian.storage.migrations.env_hooks import include_object

    with get_engine(db_url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_schema_check_without_alembic_agrees_with_alembic(db_url):
    """is_current reads the migration heads from the files, not through Alembic (12 MB in every worker): the
    heads must be Alembic's, and a database one revision behind is not current."""
    import subprocess
    import sys

    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from xunjian.storage.db import alembic_config, is_current, migration_heads

    assert migration_heads() == frozenset(ScriptDirectory.from_config(alembic_config(db_url)).get_heads())
    assert is_current(db_url)
    with get_engine(db_url).begin() as conn:
        (old,) = conn.execute(text("SELECT version_num FROM alembic_version")).one()
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        assert not is_current(db_url)
    finally:
        with get_engine(db_url).begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": old})
    probe = "import sys, xunjian.storage.db as d; d.is_current(sys.argv[1]); print('alembic' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe, db_url], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_registry_upsert_never_duplicates(db_url, tmp_path):
    reg = tmp_path / "sites.yaml"
    reg.write_text("sites:\n  - id: a\n    name: 甲\n    url: http://127.0.0.1:1/\n"
                   "    columns:\n      - url: http://127.0.0.1:1/zwdt/\n        category: news\n", encoding="utf-8")
    with session_scope(db_url) as s:
        assert upsert_sites(s, parse_registry(reg)).created == ["a"]
    reg.write_text("sites:\n  - id: a\n    name: 甲市\n    url: http://127.0.0.1:2/\n", encoding="utf-8")
    with session_scope(db_url) as s:
        assert upsert_sites(s, parse_registry(reg)).updated == ["a"]
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Site)) == 1
        assert (s.get(Site, "a").name, s.get(Site, "a").url) == ("甲市", "http://127.0.0.1:2/")


def test_registry_reports_every_problem_with_line(tmp_path):
    reg = tmp_path / "sites.yaml"
    reg.write_text("sites:\n  - id: a\n    name: 甲\n    url: http://x/\n"
                   "  - id: a\n    name: 乙\n    url: ftp://y/\n    kind: bureau\n"
                   "  - id: c\n    name: 丙\n    url: http://z/\n    site_code: '12'\n    colour: red\n", encoding="utf-8")
    with pytest.raises(RegistryError) as exc:
        parse_registry(reg)
    problems = {(line, field) for line, field, _msg in exc.value.problems}
    assert {(5, "url"), (5, "kind"), (9, "site_code"), (9, "colour")} <= problems
    assert len(exc.value.problems) == 4  # the duplicate id of line 5 is only checked once the entry is valid


def test_registry_csv_columns(tmp_path):
    reg = tmp_path / "sites.csv"
    reg.write_text("id,name,url,site_code,columns\n"
                   "b,乙,https://b.gov.cn/,bm17000009,https://b.gov.cn/zwdt/|news;https://b.gov.cn/tzgg/|notice\n",
                   encoding="utf-8")
    (entry,) = parse_registry(reg)
    assert entry.site_code == "bm17000009"
    assert [(c.url, c.category) for c in entry.columns] == [("https://b.gov.cn/zwdt/", "news"), ("https://b.gov.cn/tzgg/", "notice")]


def test_malformed_yaml_is_one_clear_problem(tmp_path):
    reg = tmp_path / "sites.yaml"
    reg.write_text("sites:\n  - id: a\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegistryError) as exc:
        parse_registry(reg)
    assert "YAML" in exc.value.problems[0][2]


def test_site_lock_is_exclusive_and_stale_lock_is_taken_over(db_url, tmp_path):
    reg = tmp_path / "sites.yaml"
    reg.write_text("sites:\n  - id: a\n    name: 甲\n    url: http://127.0.0.1:1/\n", encoding="utf-8")
    with session_scope(db_url) as s:
        upsert_sites(s, parse_registry(reg))
        first = create_scan(s, "a", date(2026, 11, 22), "cli", None)
        second = create_scan(s, "a", date(2026, 11, 22), "scheduler", None)
        assert acquire_site_lock(s, "a", first.id)
        assert not acquire_site_lock(s, "a", second.id)
        finish_scan(s, first.id, "failed", "crashed")  # the holder died without releasing
        assert acquire_site_lock(s, "a", second.id)
        release_site_lock(s, "a", second.id)
        assert s.get(Site, "a").lock_scan_id is None


def test_every_check_family_imports():
    from xunjian import checks

    assert checks.page_checks() and checks.site_checks() and checks.extractors()
    assert checks.BROKEN == {}
    loaded = {m.__name__.rsplit(".", 1)[1] for m in checks._families()}
    assert {"links", "footer", "labels", "columns", "freshness", "text", "security"} <= loaded
