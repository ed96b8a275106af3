"""The repository carries everything it needs: no tracked file names a path outside the repository.

A fresh clone has nothing beside it. Three kinds of reference would break there and are refused:

- the names of the project's outside reference folders (``../shared``, ``shared/spec``, ``shared/data``) and
  absolute paths into the machine's work area (``/work/...``);
- Python path expressions that climb above the repository root (``Path(__file__).parents[1].parent`` in
  ``tests/``, ``ROOT.parent / "shared"``);
- relative Markdown links (``[x](../../y)``) that resolve outside the repository.

System paths such as ``/usr/bin/chromium`` or ``/tmp`` are not references to files of the project and are allowed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = re.compile(
    r"\.\./shared\b"                       # ../shared/spec/rules.md, ../shared/data
    r"|(?<![\w.-])/work/"                  # absolute paths into the work area
    r"|\bshared/(?:spec|data)\b"           # shared/spec/indicators.md, /abs/shared/data
    r"|[\"']shared[\"']\s*/\s*[\"'](?:spec|data)[\"']"  # Path(...) / "shared" / "data"
    r"|\.parent\s*/\s*[\"']shared[\"']"    # ROOT.parent / "shared"
)
#: ``Path(__file__)`` followed by ``.resolve()``, ``.parents[N]`` and ``.parent`` steps.
FILE_PATH = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?(?P<steps>(?:\.parents\[\d+\]|\.parent)+)")
MD_LINK = re.compile(r"\]\((?P<target>\.\.?/[^)\s#]*)")

#: This file spells the forbidden references in order to find them.
SELF = str(Path(__file__).resolve().relative_to(ROOT))


def tracked_text_files() -> list[tuple[str, str]]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    out = []
    for name in names.decode("utf-8").split("\0"):
        path = ROOT / name
        if not name or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (screenshots, fonts)
        out.append((name, data.decode("utf-8", errors="replace")))
    return out


def _levels_up(steps: str) -> int:
    """How many directories above the file's own directory ``.parents[N]``/``.parent`` steps go."""
    up = -1  # Path(__file__).parent is the file's directory: 0 levels up
    for m in re.finditer(r"\.parents\[(\d+)\]|\.parent", steps):
        up += int(m.group(1)) + 1 if m.group(1) is not None else 1
    return up


def outside_references(name: str, text: str) -> list[str]:
    """The references in ``text`` (file ``name``, relative to the root) that leave the repository."""
    found = [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}" for m in FORBIDDEN.finditer(text)]
    depth = name.count("/")  # directories between the root and the file
    if name.endswith(".py"):
        for m in FILE_PATH.finditer(text):
            if _levels_up(m.group("steps")) > depth:
                found.append(f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)} leaves the repository")
    if name.endswith(".md"):
        for m in MD_LINK.finditer(text):
            target = (ROOT / name).parent.joinpath(m.group("target")).resolve()
            if not target.is_relative_to(ROOT):
                found.append(f"{name}: link {m.group('target')} leaves the repository")
    return found


def test_no_tracked_file_names_a_path_outside_the_repository():
    files = tracked_text_files()
    assert len(files) > 300  # the code, the docs, the rules data and the copied fixtures
    bad = [ref for name, text in files if name != SELF for ref in outside_references(name, text)]
    assert not bad, "paths outside the repository:\n" + "\n".join(bad)


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("README.md", "see `../shared/spec/rules.md`", 1),
    ("docs/x.md", "copied from /work/shared/data/govpages_gne", 2),
    ("tests/test_x.py", 'DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"', 2),
    ("benchmarks/x.py", 'ROOT = Path(__file__).resolve().parents[1]\nbase = ROOT.parent / "shared" / "data"', 1),
    ("tests/test_x.py", "ROOT = Path(__file__).parent.parent.parent", 1),
    ("docs/x.md", "[up](../../elsewhere.md)", 1),
    # allowed: system paths, paths that stay inside, URLs, relative hrefs in HTML strings, "shared" as a word
    ("tests/test_x.py", 'CHROMIUM = "/usr/bin/chromium"; ROOT = Path(__file__).resolve().parents[1]', 0),
    ("tests/test_x.py", 'html = \'<a href="../news/1.html">\'; FIX = Path(__file__).parent / "fixtures"', 0),
    ("docs/x.md", "[rules](rules.md) [readme](../README.md) shared template, shared CI cores", 0),
    ("storage/x.py", '"""Hooks shared by the Alembic environment."""', 0),
])
def test_outside_references_are_found_and_inside_ones_are_not(name, text, expected):
    assert len(outside_references(name, text)) == expected, outside_references(name, text)
