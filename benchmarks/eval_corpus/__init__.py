"""Independent evaluation corpus: synthetic government sites from other CMS templates, with their truth.

``build_all(out)`` writes every site under ``out/<key>/`` and returns ``{key: truth}``. See ``common.py`` for
the truth format and ``../eval_quality.py`` for the scorer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import aspx, hanweb, kpy, lonsun, nanwei, trs, wpcounty, zhanqun
from .common import EXT, Site

#: kpy is the held-out site, written after the fixes (see its docstring); nanwei and wpcounty are the second
#: held-out pair (issue 10, session 3), written before reading the checks; aspx and zhanqun the third pair
#: (session 3b), likewise.
SITES = (trs, hanweb, lonsun, kpy, nanwei, wpcounty, aspx, zhanqun)
HELD_OUT = ("nanwei_nanyu", "wp_liulin", "aspx_xinfeng", "zq_qinghe_jyj")


def build_all(out: Path, ext: str = EXT) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Write every site under ``out``; ``{key: (root, truth)}``. ``ext``: the other host's base URL."""
    return {key: (root, truth) for key, (root, truth, _site) in build_sites(out, ext).items()}


def build_sites(out: Path, ext: str = EXT) -> dict[str, tuple[Path, dict[str, Any], Site]]:
    """Like :func:`build_all`, with each :class:`Site` (its behaviour routes)."""
    built = {}
    for module in SITES:
        site = module.build()
        built[site.key] = (site.write(out, ext), site.truth(), site)
    return built


def ext_routes() -> dict[str, Any]:
    """The other host's routes of every site (each site uses its own path prefix)."""
    routes: dict[str, Any] = {}
    for module in SITES:
        routes.update(module.build().ext_routes)
    return routes
