"""Independent evaluation corpus: synthetic government sites from other CMS templates, with their truth.

``build_all(out)`` writes every site under ``out/<key>/`` and returns ``{key: truth}``. See ``common.py`` for
the truth format and ``../eval_quality.py`` for the scorer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import hanweb, kpy, lonsun, trs

#: kpy is the held-out site, written after the fixes (see its docstring).
SITES = (trs, hanweb, lonsun, kpy)


def build_all(out: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Write every site under ``out``; ``{key: (root, truth)}``."""
    built = {}
    for module in SITES:
        site = module.build()
        built[site.key] = (site.write(out), site.truth())
    return built
