"""Helpers for SC001 (hidden links): why an element is invisible, from markup alone or from a browser.

Static analysis reads inline ``style`` attributes, the page's own ``<style>`` rules (simple selectors,
applied with lxml's cssselect), the ``hidden`` attribute, ``<marquee>`` tricks and hidden markup written by
``document.write``; text coloured like the background it sits on (the nearest background given by the page,
inherited from an ancestor); a zero font size or ``visibility:hidden`` that a descendant resets is not
hiding. The browser side (:mod:`xunjian.crawler.visibility`, run by the renderer) asks Chromium for every
link's computed visibility; :func:`xunjian.checks.security.confirm_hidden_links` combines the two.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_LEN = re.compile(r"^(-?\d+(?:\.\d+)?)(px|pt|em|rem|%|vw|vh)?$")
_WRITE = re.compile(r"document\.write(?:ln)?\s*\(", re.I)
_HREF_IN_JS = re.compile(r"""href\s*=\s*\\?["']?(https?://[^"'\\\s>]+)""", re.I)
_OFFSCREEN_PX = 500


def parse_style(style: str) -> dict[str, str]:
    """Inline/rule declarations as a lower-case property -> value dict (``!important`` dropped)."""
    decl: dict[str, str] = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            decl[name.strip().lower()] = value.replace("!important", "").strip().lower()
    return decl


def _length(value: str) -> float | None:
    m = _LEN.match(value.strip())
    return float(m.group(1)) if m else None


def _offscreen(decl: dict[str, str]) -> bool:
    if decl.get("position") not in ("absolute", "fixed", "relative"):
        return False
    for side in ("left", "top", "right", "margin-left", "margin-top"):
        v = _length(decl.get(side, ""))
        if v is not None and v <= -_OFFSCREEN_PX:
            return True
    return False


def _zero_box(decl: dict[str, str]) -> bool:
    if decl.get("overflow") not in ("hidden", "clip") and decl.get("overflow-y") != "hidden":
        return False
    return any((_length(decl.get(p, "")) or 1) <= 1 and p in decl for p in ("width", "height", "max-height"))


def hiding_reason(decl: dict[str, str]) -> str | None:
    """Why a set of declarations hides an element from visitors, or None."""
    if decl.get("display") == "none":
        return "display:none"
    if decl.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    if _length(decl.get("opacity", "")) == 0:
        return "opacity:0"
    if _length(decl.get("font-size", "")) == 0:
        return "font-size:0"
    if _offscreen(decl):
        return "off-screen position"
    indent = _length(decl.get("text-indent", ""))
    if indent is not None and indent <= -_OFFSCREEN_PX:
        return "text-indent off-screen"
    if _zero_box(decl):
        return "zero size with overflow hidden"
    color = decl.get("color")
    background = decl.get("background-color") or decl.get("background")
    if color and background and color == background:
        return "text coloured like its background"
    if "rect(0" in decl.get("clip", "").replace(" ", ""):
        return "clip:rect(0)"
    return None


class Styles(dict):
    """Element -> declarations of the page's ``<style>`` rules; ``selectors`` holds every selector read."""

    selectors: str = ""


def sheet_styles(tree) -> Styles:
    """The declarations the page's ``<style>`` rules give each element, later rules over earlier ones
    (``_selector`` names the last rule; unparsable selectors and pseudo-classes are skipped)."""
    styles = Styles()
    for style in tree.iter("style"):
        css = _COMMENT.sub("", style.text_content() or "")
        for selectors, body in _RULE.findall(css):
            decl = parse_style(body)
            for sel in selectors.split(","):
                sel = sel.strip()
                if not sel or sel.startswith("@") or ":" in sel or not decl:
                    continue
                styles.selectors += f" {sel}"
                try:
                    for el in tree.cssselect(sel):
                        styles.setdefault(el, {}).update({**decl, "_selector": sel})
                except Exception:  # cssselect raises several types on selectors it does not support
                    continue
    return styles


def stylesheet_hidden(tree, styles: dict[Any, dict[str, str]] | None = None) -> dict[Any, str]:
    """Elements hidden by the page's ``<style>`` rules -> reason."""
    marked: dict[Any, str] = {}
    for el, decl in (sheet_styles(tree) if styles is None else styles).items():
        reason = hiding_reason(decl)
        if reason:
            marked[el] = f"{reason} (<style> {decl.get('_selector', '')})"
    return marked


def _declarations(node, styles: dict[Any, dict[str, str]] | None) -> dict[str, str]:
    decl = dict((styles or {}).get(node, {}))
    # presentational attributes of table-layout pages (bgcolor, background, <font color>): any CSS overrides them
    if node.get("bgcolor"):
        decl.setdefault("background-color", node.get("bgcolor"))
    if node.get("background"):
        decl.setdefault("background", f"url({node.get('background')})")
    if node.tag == "font" and node.get("color"):
        decl.setdefault("color", node.get("color"))
    if node.get("style"):
        decl.update(parse_style(node.get("style")))
    return decl


def _resets(decl: dict[str, str]) -> set[str]:
    """What a descendant's own declarations undo of an ancestor's hiding (font-size:0, visibility:hidden)."""
    out = set()
    size = _length(decl.get("font-size", ""))
    if (size is not None and size > 0) or decl.get("font-size", "").endswith(("small", "medium", "large")):
        out.add("font-size:0")
    if decl.get("visibility") == "visible":
        out.add("visibility:hidden")
    return out


def _marquee_reason(el) -> str | None:
    for attr in ("width", "height"):
        v = _length((el.get(attr) or "").strip())
        if v is not None and v <= 5:
            return f"<marquee {attr}={el.get(attr)}>"
    amount = _length((el.get("scrollamount") or "").strip())
    if amount is not None and amount >= 1000:
        return f"<marquee scrollamount={el.get('scrollamount')}>"
    delay = _length((el.get("scrolldelay") or "").strip())
    if delay is not None and delay >= 10000:
        return f"<marquee scrolldelay={el.get('scrolldelay')}>"
    return None


def element_hidden(el, sheet: dict[Any, str], styles: dict[Any, dict[str, str]] | None = None,
                   ) -> tuple[str, Any] | None:
    """Why ``el`` or one of its ancestors is invisible, and which element hides it; None if visible.

    A zero font size or ``visibility:hidden`` that ``el`` or an element between it and the hider resets
    (``<ul style="font-size:0"><li style="font-size:14px">``, a common inline-block layout) hides nothing.
    """
    node = el
    reset: set[str] = set()
    while node is not None and isinstance(node.tag, str):
        if node.get("hidden") is not None:
            return "hidden attribute", node
        reason = hiding_reason(parse_style(node.get("style") or "")) if node.get("style") else None
        if reason and not any(reason.startswith(r) for r in reset):
            return f"{reason} (inline style)", node
        if node in sheet and not any(sheet[node].startswith(r) for r in reset):
            return sheet[node], node
        reset |= _resets(_declarations(node, styles))
        if node.tag == "marquee":
            reason = _marquee_reason(node)
            if reason:
                return reason, node
        node = node.getparent()
    return None


_HEX = re.compile(r"^#([0-9a-f]{3}|[0-9a-f]{6})$")
_RGB = re.compile(r"^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)$")
_NAMED = {"white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
          "blue": (0, 0, 255), "gray": (128, 128, 128), "grey": (128, 128, 128), "silver": (192, 192, 192),
          "yellow": (255, 255, 0)}
_COLOUR_TOKEN = re.compile(r"rgba?\([^)]*\)|#[0-9a-f]{3,6}\b|\b(?:" + "|".join(_NAMED) + r")\b")


def parse_colour(value: str) -> tuple[int, int, int] | None:
    """``#fff``, ``#ffffff``, ``rgb(255, 255, 255)``, ``white`` as RGB; None for anything else or transparent."""
    found = _COLOUR_TOKEN.search(value.lower())  # the colour inside a ``background`` shorthand
    value = found.group(0) if found else ""
    if value in _NAMED:
        return _NAMED[value]
    if m := _HEX.match(value):
        h = m.group(1) if len(m.group(1)) == 6 else "".join(c * 2 for c in m.group(1))
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    if (m := _RGB.match(value)) and (m.group(4) is None or float(m.group(4)) > 0.5):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def _styled_here(node, styles: dict[Any, dict[str, str]]) -> bool:
    """True when the page itself says how ``node`` looks: no class or id, a rule of the page's ``<style>``
    matches it, or its classes/id are named in the page's selectors (``.box a`` names ``box``)."""
    names = [f".{c}" for c in (node.get("class") or "").split()] + ([f"#{node.get('id')}"] if node.get("id") else [])
    if not names or node in styles or node.tag in ("body", "html"):
        return True
    selectors = getattr(styles, "selectors", "")
    return all(re.search(re.escape(n) + r"(?![\w-])", selectors) for n in names)


def colour_hidden(el, styles: dict[Any, dict[str, str]]) -> tuple[str, Any] | None:
    """Text coloured like the background it sits on: the link's colour (its own or inherited) against the
    nearest background colour the page gives ``el`` or an ancestor. Nothing is assumed: without a known
    colour and background, or with a background image, or across an element that an unseen style sheet
    may colour (a class or id the page's ``<style>`` does not cover), the link is not judged."""
    if el.find(".//img") is not None or not " ".join(el.text_content().split()):
        return None
    colour = background = box = None
    node = el
    while node is not None and isinstance(node.tag, str):
        decl = _declarations(node, styles)
        if colour is None and decl.get("color"):
            colour = parse_colour(decl["color"])
        back = decl.get("background-color") or decl.get("background") or ""
        if "url(" in back:
            return None
        if parse_colour(back):
            background, box = parse_colour(back), node
            break
        if not _styled_here(node, styles):
            return None  # an external style sheet may give this element its own background
        node = node.getparent()
    if colour is None or background is None or max(abs(a - b) for a, b in zip(colour, background)) > 8:
        return None
    return "text coloured like its background (inherited)", box


#: Ways of hiding that ordinary interfaces use too (drop-down menus, tabs, analytics beacons, CMS credits).
UI_HIDING = ("display:none", "visibility:hidden", "hidden attribute", "opacity:0")


def is_ui_hiding(reason: str) -> bool:
    return reason.startswith(UI_HIDING)


def scripted_hidden_links(tree) -> Iterator[tuple[str, str]]:
    """(href, reason) for off-page links written by ``document.write`` together with a hiding style."""
    for script in tree.iter("script"):
        code = script.text or ""
        if not _WRITE.search(code):
            continue
        reason = hiding_reason(parse_style(" ".join(re.findall(r"style\s*=\s*\\?[\"']([^\"'\\]*)", code))))
        if reason:
            for href in _HREF_IN_JS.findall(code):
                yield href, f"{reason} (document.write)"
