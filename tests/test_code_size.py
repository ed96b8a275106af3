"""Small rooms: no source module over 450 lines, no function over 80 lines (the brief's hard limits).

Tests, benchmarks and migrations are excepted. The aim is ~400 lines a module and ~60 a function;
these are the limits past which a module or function must be split.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
EXCLUDED = ("tests", "benchmarks", ".venv", "venv", "build", "dist", ".git")
EXCLUDED_PATHS = (("storage", "migrations"),)


def source_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in EXCLUDED or any(p.startswith(".") for p in parts):
            continue
        if any(parts[: len(prefix)] == prefix for prefix in EXCLUDED_PATHS):
            continue
        files.append(path)
    return files


def test_the_scan_sees_the_source():
    names = {p.relative_to(ROOT).as_posix() for p in source_files()}
    assert {"scanning.py", "crawler/pipeline.py", "probes/client.py", "config.py"} <= names
    assert not any(n.startswith(("tests/", "benchmarks/", "storage/migrations/")) for n in names)


def test_no_module_over_the_limit():
    over = {}
    for path in source_files():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            over[path.relative_to(ROOT).as_posix()] = lines
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them): {over}"


def test_no_function_over_the_limit():
    over = {}
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = node.end_lineno - start + 1
                if length > MAX_FUNCTION_LINES:
                    over[f"{path.relative_to(ROOT).as_posix()}:{node.name}"] = length
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines (split them): {over}"
