"""CSS selectors matched against a page for SC001's ``<style>`` rules, with the work a site repeats kept.

A site's templates repeat the same ``<style>`` on every page, so each selector's CSS-to-XPath translation is
kept; a shared site style sheet holds many rules for classes a given page never uses, so a selector that
needs a class or id the page lacks is known to match nothing without running its XPath.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree
from lxml.cssselect import CSSSelector

_COMPILED = threading.local()


def select(tree, sel: str, names: tuple[set[str], set[str]] | None = None) -> list[Any]:
    """``tree.cssselect(sel)`` with the CSS-to-XPath translation kept (per thread, bounded): a site's
    templates repeat the same ``<style>`` on every page. With ``names`` (:func:`page_names`), a selector
    needing a class or id the page never uses matches nothing without running it (most rules of a shared
    site style sheet); it is still compiled, so one cssselect rejects still raises."""
    cache = getattr(_COMPILED, "cache", None)
    if cache is None or len(cache) > 4096:
        cache = _COMPILED.cache = {}
    if sel not in cache:
        cache[sel] = (CSSSelector(sel, translator="html"), _needed(sel))
    compiled, needed = cache[sel]
    if names is not None and needed is not None and not (needed[0] <= names[0] and needed[1] <= names[1]):
        return []
    return compiled(tree)


_NAME = re.compile(r"([.#])([\w-]+)")
_INNER = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _needed(sel: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(classes, ids) every element matched by ``sel``'s compounds must carry between them, or None when
    the selector is not plain enough to say (escapes, quotes, namespaces, odd brackets)."""
    if any(c in sel for c in "\\'\"|"):
        return None
    bare = sel
    while True:  # :not(.x), :nth-child(2n), [class~=x]: what is inside requires nothing
        inner = _INNER.sub(" ", bare)
        if inner == bare:
            break
        bare = inner
    if any(c in bare for c in "()[]"):
        return None
    found = _NAME.findall(bare)
    return (frozenset(n for k, n in found if k == "."), frozenset(n for k, n in found if k == "#"))


def page_names(tree) -> tuple[set[str], set[str]]:
    """Every class token and id of the page's elements (a class as XPath's ``@class`` includes it)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for el in tree.iter(etree.Element):
        cls, ident = el.get("class"), el.get("id")
        if cls:
            classes.update(cls.split())
        if ident is not None:
            ids.add(ident)
    return classes, ids
