"""Field accuracy on the real-page regression set (``tests/fixtures/real/truth.yaml``); filled in step 2."""

from __future__ import annotations

from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "real"


def field_accuracy(truth_path: Path | None = None) -> tuple[int, int, list[str]]:
    path = truth_path or REAL / "truth.yaml"
    if not path.exists():
        return 0, 0, []
    raise NotImplementedError
