"""The word lists' build cache (checks/lexcache.py): a cached lexicon matches as a fresh build does; a stale, corrupt
or foreign cache file is never used, and is rebuilt; the compact entry table gives back the entries it was given."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xunjian.checks import lexcache, wordlists
from xunjian.checks.lextable import Entry, EntryTable
from xunjian.config import RULES_DIR

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [line.split("\t")[3] for line in (ROOT / "benchmarks/data/gov_sentences.tsv").read_text(encoding="utf-8")
         .splitlines() if line and not line.startswith("#")] + [
    "各国媒体举世嘱目地关注这次会议。", "防汛工作已经迫再眉睫。", "中华人民共合国成立", "市工商局发布通知", "买六合彩加QQ12345678"]


def _matches(lex: wordlists.Lexicon) -> list:
    return [(i, m.start, m.end, m.entry) for i, text in enumerate(TEXTS) for m in lex.scan(text)]


@pytest.fixture()
def cache(tmp_path: Path):
    lexcache.set_cache_dir(tmp_path / "cache")
    yield tmp_path / "cache"
    lexcache.set_cache_dir(None)


@pytest.fixture(scope="module")
def fresh() -> tuple[wordlists.Lexicon, list]:
    lex = wordlists.build_lexicon(RULES_DIR)
    return lex, _matches(lex)


def test_cached_lexicon_matches_as_a_fresh_build(cache: Path, fresh) -> None:
    lex, expected = fresh
    assert expected and {m[3].code for m in expected} >= {"TX001", "TX002", "SC002"}
    assert lexcache.store(RULES_DIR, lex) is not None
    loaded = lexcache.load(RULES_DIR)
    assert isinstance(loaded, wordlists.Lexicon) and loaded is not lex
    loaded.idioms.with_freq(wordlists._jieba().dt.FREQ)
    assert loaded.counts == lex.counts
    assert _matches(loaded) == expected
    assert [(s, e, g) for t in TEXTS for s, e, g in loaded.candidates(t)] == \
        [(s, e, g) for t in TEXTS for s, e, g in lex.candidates(t)]


def test_a_changed_rules_file_makes_the_cache_stale(cache: Path, fresh, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules, ignore=shutil.ignore_patterns("__pycache__"))
    lexcache.store(rules, fresh[0])
    assert lexcache.load(rules) is not None
    with (rules / "typos_extra.txt").open("a", encoding="utf-8") as fh:
        fh.write("坚持不泄\t坚持不懈\tidiom\ttest\n")
    assert lexcache.load(rules) is None  # another key: the old file is not read
    lex = wordlists.lexicon.__wrapped__(rules)  # rebuilt from the changed files, and cached again
    assert [m.entry.suggestion for m in lex.scan("我们要坚持不泄地努力")] == ["坚持不懈"]
    assert lexcache.load(rules) is not None
    assert len(list(cache.glob("lexicon-*.pickle"))) == 1  # the stale file was replaced


def test_a_corrupt_cache_is_rebuilt(cache: Path, fresh) -> None:
    path = lexcache.store(RULES_DIR, fresh[0])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert lexcache.load(RULES_DIR) is None
    path.write_bytes(b"")  # truncated
    assert lexcache.load(RULES_DIR) is None
    lex = wordlists.lexicon.__wrapped__(RULES_DIR)
    assert _matches(lex) == fresh[1]
    assert lexcache.load(RULES_DIR) is not None  # the rebuild rewrote the file


def test_a_file_others_can_write_is_not_read(cache: Path, fresh) -> None:
    path = lexcache.store(RULES_DIR, fresh[0])
    os.chmod(path, 0o666)
    assert lexcache.load(RULES_DIR) is None
    os.chmod(path, 0o600)
    os.chmod(cache, 0o777)
    assert lexcache.cache_dir() != cache


def test_a_killed_writes_temporary_file_is_removed_by_the_next_write(cache: Path, fresh) -> None:
    import time

    lexcache.store(RULES_DIR, fresh[0])
    old, young = cache / ".tmp-killed.pickle", cache / ".tmp-writing.pickle"
    old.write_bytes(b"half a lexicon")
    young.write_bytes(b"another process's write in progress")
    hours_ago = time.time() - lexcache.STALE_TMP_SECONDS - 60
    os.utime(old, (hours_ago, hours_ago))
    lexcache.store(RULES_DIR, fresh[0])
    assert not old.exists() and young.exists()


def test_jieba_dictionary_cache(cache: Path) -> None:
    jieba = wordlists._jieba()
    lexcache.store_jieba_dict(jieba.dt.FREQ, jieba.dt.total)
    assert lexcache.load_jieba_dict() == (jieba.dt.FREQ, jieba.dt.total)
    (path,) = cache.glob("jieba-*.marshal")
    path.write_bytes(path.read_bytes()[:-10])
    assert lexcache.load_jieba_dict() is None


def test_entry_table_gives_back_its_entries() -> None:
    groups = [[Entry("GUARD", "中华人民共和国", "中华人民共和国")],
              [Entry("TX003", "Abc", "", "spam", "s.yaml", "warn", True, label="垃圾"), Entry("SC002", "abc", "x")],
              [Entry("TX004", "工商局", "市场监督管理局", "", "2018年机构改革", not_after=("原",), not_before=("旧",))]]
    table = EntryTable(groups)
    assert len(table) == 3
    assert [list(table.group(g)) for g in range(3)] == groups
    assert table.group(1) is table.group(1)  # made once


def test_the_crawler_process_does_not_load_the_word_lists() -> None:
    """Importing what the crawling process imports (spider, pipelines, scan driver) loads neither jieba nor a
    lexicon: the word lists live in the check process only."""
    code = ("import sys; import xunjian.crawler.spider, xunjian.crawler.checkpool, xunjian.crawler.pipeline, "
            "xunjian.scanning; from xunjian.checks.wordlists import lexicon; "
            "assert 'jieba' not in sys.modules and lexicon.cache_info().currsize == 0, 'loaded'")
    subprocess.run([sys.executable, "-c", code], check=True)
