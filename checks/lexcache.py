"""The lexicon's build cache on disk: a check process loads the built word lists instead of building them.

Building the lexicon from ``rules/`` (the confusion variants of every protected term and vocabulary word,
each tested against jieba's dictionary) costs about 2.5 s CPU on every scan, while the crawler waits for its
first pages to be checked. The built :class:`~xunjian.checks.wordlists.Lexicon` is pickled into one file whose
name and header carry its key: a hash of every file of the rules folder, of the modules that build it, of
jieba's dictionary and of the versions of Python, pyahocorasick and jieba. A file with another key is stale and
never read; a file whose payload does not match the SHA-256 digest in its header is corrupt; either way the
lexicon is built again and the file rewritten (to a temporary name, then renamed: a reader never sees half a
file). The folder is ``checks.cache_dir`` (settings.yaml), else ``$XDG_CACHE_HOME/xunjian`` (``~/.cache``),
else a per-user folder of the temp dir; a folder or file that another user could have written is not read
(a pickle is code). Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import marshal
import os
import pickle
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
MAGIC = b"xunjian-lexicon 1\n"
#: a temporary file older than this is what a killed write left behind (a live write takes seconds)
STALE_TMP_SECONDS = 3600
#: The modules whose code decides what the built lexicon holds.
CODE = ("wordlists.py", "lextable.py", "idioms.py", "outdated.py", "lexcache.py")
_configured: str | None = None


def set_cache_dir(path: str | os.PathLike[str] | None) -> None:
    """Use ``path`` for the build cache (``checks.cache_dir``); None: the default folder."""
    global _configured
    _configured = None if path is None else str(path)


def cache_dir() -> Path | None:
    """The folder of the build cache, created if missing, or None when no usable folder is found."""
    if _configured:
        candidates = [Path(_configured).expanduser()]
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        candidates = [Path(xdg) / "xunjian", Path(tempfile.gettempdir()) / f"xunjian-{os.getuid()}"]
    for folder in candidates:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if _private(folder) and os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    return None


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else."""
    st = path.stat()
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _hash_file(h: Any, path: Path) -> None:
    data = path.read_bytes()
    h.update(f"{path.name}\0{len(data)}\0".encode())
    h.update(data)


def cache_key(rules_dir: Path) -> str:
    """The hash of everything the built lexicon depends on (rules files, code, jieba's dictionary, versions)."""
    import jieba

    h = hashlib.sha256(MAGIC)
    h.update(f"{sys.version}\0{metadata.version('pyahocorasick')}\0{jieba.__version__}\0".encode())
    here = Path(__file__).resolve().parent
    for name in CODE:
        _hash_file(h, here / name)
    _hash_file(h, Path(jieba.__file__).resolve().parent / "dict.txt")
    for path in sorted(p for p in Path(rules_dir).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(rules_dir).as_posix().encode() + b"\0")
        _hash_file(h, path)
    return h.hexdigest()


def _prefix(rules_dir: Path) -> str:
    """File-name prefix of one rules folder's cache (another folder's cache is left alone)."""
    return "lexicon-" + hashlib.sha256(str(Path(rules_dir).resolve()).encode()).hexdigest()[:10] + "-"


def cache_file(rules_dir: Path, key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"{_prefix(rules_dir)}{key[:20]}.pickle"


def _read(path: Path | None, key: str) -> memoryview | None:
    """The payload of a cache file written for ``key``, or None (missing, not ours, stale or corrupt)."""
    try:
        if path is None or not path.is_file() or not _private(path):
            return None
        data = path.read_bytes()
    except OSError as exc:
        logger.debug("cache %s not read: %s", path, exc)
        return None
    head = MAGIC + key.encode() + b"\n"
    digest_end = len(head) + 65
    if not data.startswith(head) or len(data) < digest_end:
        logger.warning("缓存 %s 无效（格式或版本不符），重新构建", path)
        return None
    digest, payload = data[len(head):digest_end - 1], memoryview(data)[digest_end:]  # no copy of the payload
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        logger.warning("缓存 %s 已损坏（校验和不符），重新构建", path)
        return None
    return payload


def _write(path: Path, key: str, payload: bytes, prefix: str) -> None:
    """Write the file atomically (temporary name, then rename); other files of ``prefix`` are removed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n")
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob(f"{prefix}*{path.suffix}"):
        if old != path:
            old.unlink(missing_ok=True)
    stale = time.time() - STALE_TMP_SECONDS  # a write killed half-way (SIGKILL, power) left its temporary file
    for tmp_file in path.parent.glob(".tmp-*"):
        with contextlib.suppress(OSError):
            if tmp_file.stat().st_mtime < stale:
                tmp_file.unlink()


def load(rules_dir: Path) -> Any | None:
    """The lexicon cached for ``rules_dir`` as it is now, or None (no cache, stale, corrupt, or not ours)."""
    try:
        key = cache_key(rules_dir)
        path = cache_file(rules_dir, key)
    except OSError as exc:
        logger.debug("lexicon cache not read: %s", exc)
        return None
    payload = _read(path, key)
    if payload is None:
        return None
    try:
        return pickle.loads(payload)
    except Exception as exc:  # a digest that matches a payload that does not load: built again
        logger.warning("词表缓存 %s 无法读取 (%r)，重新构建", path, exc)
        return None


def store(rules_dir: Path, lexicon: Any) -> Path | None:
    """Write the lexicon's cache file of ``rules_dir``; older caches of the same folder are removed. Never
    raises: without a cache the lexicon is only built again next time."""
    try:
        key = cache_key(rules_dir)
        path = cache_file(rules_dir, key)
        if path is not None:
            _write(path, key, pickle.dumps(lexicon, protocol=pickle.HIGHEST_PROTOCOL), _prefix(rules_dir))
        return path
    except (OSError, pickle.PicklingError) as exc:
        logger.warning("词表缓存无法写入：%s", exc)
        return None


def _jieba_key() -> str:
    import jieba

    h = hashlib.sha256(MAGIC + b"jieba\0")
    h.update(f"{sys.version}\0{jieba.__version__}\0".encode())
    _hash_file(h, Path(jieba.__file__).resolve().parent / "dict.txt")
    return h.hexdigest()


def load_jieba_dict() -> tuple[dict[str, int], int] | None:
    """jieba's prefix dictionary (``FREQ``, ``total``) of its bundled dict.txt, as its ``initialize`` builds it,
    from this cache (one read and ``marshal.loads``: a third of the time of jieba's own cache file, which
    ``marshal.load`` reads piece by piece), or None."""
    try:
        key = _jieba_key()
        folder = cache_dir()
    except OSError:
        return None
    payload = _read(None if folder is None else folder / f"jieba-{key[:20]}.marshal", key)
    try:
        freq, total = marshal.loads(payload) if payload is not None else (None, None)
    except (ValueError, EOFError, TypeError):
        return None
    return (freq, total) if isinstance(freq, dict) and isinstance(total, int) else None


def store_jieba_dict(freq: dict[str, int], total: int) -> None:
    try:
        key, folder = _jieba_key(), cache_dir()
        if folder is not None:
            _write(folder / f"jieba-{key[:20]}.marshal", key, marshal.dumps((freq, total)), "jieba-")
    except (OSError, ValueError) as exc:
        logger.warning("jieba 词典缓存无法写入：%s", exc)


def release_memory(collect: bool = True) -> None:
    """Give a build's or a load's temporaries back: collect cycles (``collect``), then return the free pages of
    the heap to the system (glibc's ``malloc_trim``; the loads' large buffers otherwise stay in the RSS)."""
    if collect:
        gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
