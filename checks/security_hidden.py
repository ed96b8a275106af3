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
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin

from xunjian.checks.cssmatch import page_names, select

_LINK = re.compile(r":link\b")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
# @media/@supports blocks (one level of nesting) and @import/@charset lines: rules that apply only sometimes
_AT_RULE = re.compile(r"@[^{};]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}|@[^{};]*;")
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
    for prop in ("width", "height", "max-height"):  # auto, 100%, inherit ... are not a size of 0 or 1 px
        size = _length(decl.get(prop, "")) if prop in decl else None
        if size is not None and size <= 1:
            return True
    return False


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
    """Element -> declarations of the page's ``<style>`` rules; ``selectors`` holds every selector read;
    ``complete`` is True when nothing but the page itself can colour it (:func:`own_styles_only`)."""

    selectors: str = ""
    complete: bool = False


#: Pseudo-classes of a state the page does not rest in (hover, focus ...) and pseudo-elements: a rule with
#: one never restyles a link as a visitor first sees it.
_STATE_PSEUDO = re.compile(r"::?(?:hover|active|focus(?:-within|-visible)?|target|before|after|selection|"
                           r"placeholder|marker|first-line|first-letter|-webkit-[\w-]+|-moz-[\w-]+)", re.I)
_COLOURING = frozenset({"color", "background", "background-color", "background-image"})
_SPEC_ID = re.compile(r"#[\w-]+")
_SPEC_CLASS = re.compile(r"\.[\w-]+|\[[^\]]*\]|:[\w-]+")
_SPEC_TYPE = re.compile(r"(?:^|[\s>+~])([a-z][\w-]*)", re.I)
_NON_JS = ("json", "template", "html", "text/plain", "x-tmpl")


def _specificity(sel: str) -> tuple[int, int, int]:
    return len(_SPEC_ID.findall(sel)), len(_SPEC_CLASS.findall(sel)), len(_SPEC_TYPE.findall(sel))


def own_styles_only(tree) -> bool:
    """True when no style sheet or script from elsewhere can restyle the page: no ``<link rel=stylesheet>``
    and no script (a JSON or template ``<script type>`` runs nothing). The page's ``<style>``, inline
    styles and presentational attributes then decide every colour, as in a browser."""
    if any("stylesheet" in (link.get("rel") or "").lower() for link in tree.iter("link")):
        return False
    for script in tree.iter("script"):
        kind = (script.get("type") or "").lower()
        if kind and any(k in kind for k in _NON_JS):
            continue
        if script.get("src") or (script.text or "").strip():
            return False
    return True


#: What SC001 reads of a rule; a rule with none of these (margins, borders, fonts ...) is not matched.
_READ = frozenset({"color", "background", "background-color", "background-image", "display", "visibility",
                   "opacity", "font-size", "position", "left", "top", "right", "margin-left", "margin-top",
                   "text-indent", "overflow", "overflow-y", "width", "height", "max-height", "clip"})


def sheet_styles(tree, reads: frozenset[str] = _READ) -> Styles:
    """The declarations the page's ``<style>`` rules give each element, in cascade order (specificity,
    then source order; ``_selector`` names the rule applied last); only rules that set a property in
    ``reads`` are matched. Rules of a state (``:hover``) are
    skipped; ``:link`` counts as the link itself. ``complete`` stays False when a colouring rule could not
    be read (``@import``/``@media``, ``!important``, ``:visited``, a selector cssselect does not know)."""
    styles = Styles()
    complete = own_styles_only(tree)
    rules, names, page = [], [], None
    for style in tree.iter("style"):
        css = _COMMENT.sub("", style.text_content() or "")
        if "@" in css:
            complete, css = False, _AT_RULE.sub(" ", css)
        for selectors, body in _RULE.findall(css):
            decl = parse_style(body)
            colouring = bool(_COLOURING & decl.keys())
            complete = complete and not (colouring and "!important" in body)
            for written in selectors.split(","):
                sel = _LINK.sub("", written.strip()) or ("*" if ":link" in written else "")
                if not sel or sel.startswith("@") or not decl or _STATE_PSEUDO.search(sel):
                    continue
                if not reads & decl.keys():
                    names.append(sel)  # says how the classes it names look, with nothing SC001 reads
                    continue
                try:
                    if ":visited" in sel:
                        raise ValueError(sel)  # cssselect never matches it; a visited link may look otherwise
                    if page is None:
                        page = page_names(tree)
                    found = select(tree, sel, page)
                except Exception:  # cssselect raises several types on selectors it does not support
                    complete = complete and not colouring
                    continue
                names.append(sel)
                rules.append((_specificity(written), len(rules), sel, decl, found))
    for _spec, _order, sel, decl, found in sorted(rules, key=lambda r: r[:2]):
        for el in found:
            styles.setdefault(el, {}).update({**decl, "_selector": sel})
    styles.complete = complete
    styles.selectors = " " + " ".join(names)
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
          "yellow": (255, 255, 0), "navy": (0, 0, 128), "maroon": (128, 0, 0), "purple": (128, 0, 128),
          "teal": (0, 128, 128), "olive": (128, 128, 0), "lime": (0, 255, 0), "aqua": (0, 255, 255),
          "fuchsia": (255, 0, 255), "orange": (255, 165, 0), "whitesmoke": (245, 245, 245),
          "snow": (255, 250, 250), "ivory": (255, 255, 240)}
_NAMES = "|".join(sorted(_NAMED, key=len, reverse=True))
_COLOUR_TOKEN = re.compile(r"rgba?\([^)]*\)|#[0-9a-f]{3,6}\b|\b(?:" + _NAMES + r")\b")
_INHERIT = ("inherit", "currentcolor", "unset")
_UA_LINK = (0, 0, 238)  # Chromium's colour of an unvisited link that no style colours
_CANVAS = (255, 255, 255)  # the browser's page background when nothing colours it


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
    """True when the page itself says how ``node`` looks: nothing else can style the page
    (``styles.complete``), no class or id, a rule of the page's ``<style>`` matches it, or its classes/id
    are named in the page's selectors (``.box a`` names ``box``)."""
    names = [f".{c}" for c in (node.get("class") or "").split()] + ([f"#{node.get('id')}"] if node.get("id") else [])
    if getattr(styles, "complete", False) or not names or node in styles or node.tag in ("body", "html"):
        return True
    selectors = getattr(styles, "selectors", "")
    return all(re.search(re.escape(n) + r"(?![\w-])", selectors) for n in names)


_UNKNOWN = object()  # a colour the page does not decide


def _link_colour(a, styles: dict[Any, dict[str, str]]) -> Any:
    """The colour of a link's own text: its declared colour; without one the browser's link colour (or
    ``<body link>``), since an ancestor's colour does not reach a link unless it says ``inherit``."""
    value = _declarations(a, styles).get("color")
    if not value:
        body = next(a.iterancestors("body"), None)
        return parse_colour(body.get("link")) if body is not None and body.get("link") else _UA_LINK
    node = a
    while value in _INHERIT:
        node = node.getparent()
        if node is None or not isinstance(node.tag, str):
            return (0, 0, 0)
        if not _styled_here(node, styles):
            return _UNKNOWN
        decl = _declarations(node, styles)
        value = decl.get("color") or (node.get("text") if node.tag == "body" else None) or "inherit"
    return parse_colour(value) or _UNKNOWN


def _text_colour(owner, a, styles: dict[Any, dict[str, str]]) -> Any:
    """The colour of the text directly in ``owner`` (``a`` or an element inside it)."""
    node = owner
    while node is not a:
        if not _styled_here(node, styles):
            return _UNKNOWN
        value = _declarations(node, styles).get("color")
        if value and value not in _INHERIT:
            return parse_colour(value) or _UNKNOWN
        node = node.getparent()
    return _UNKNOWN if not _styled_here(a, styles) else _link_colour(a, styles)


def _background(node, styles: dict[Any, dict[str, str]]) -> tuple[tuple[int, int, int], Any] | None:
    """The background colour behind ``node`` and the element that paints it: the nearest one given by
    ``node`` or an ancestor (``transparent`` lets the parent's show); None behind an image or gradient, or
    across an element an unseen style sheet may colour."""
    while node is not None and isinstance(node.tag, str):
        decl = _declarations(node, styles)
        back = decl.get("background-color") or decl.get("background") or ""
        painted = decl.get("background", "") + decl.get("background-image", "")
        if any(k in painted + back for k in ("url(", "gradient(")):
            return None
        if colour := parse_colour(back):
            return colour, node
        if not _styled_here(node, styles):
            return None  # an external style sheet may give this element its own background
        last, node = node, node.getparent()
    return (_CANVAS, last) if getattr(styles, "complete", False) else None


def colour_hidden(el, styles: dict[Any, dict[str, str]]) -> tuple[str, Any] | None:
    """Text coloured like the background it sits on: every piece of the link's text (its own colour, or the
    colour an element inside it gives) against the background behind that piece, inherited from the
    nearest ancestor that paints one (the page's canvas when nothing else can style the page). Nothing is
    assumed: an image in the link, a colour or background the page does not decide, or an element an unseen
    style sheet may colour (a class or id the page's ``<style>`` does not cover) leaves the link unjudged."""
    if el.find(".//img") is not None:
        return None
    owners = [n for n in el.iter() if isinstance(n.tag, str) and (
        (n.text or "").strip() or any((c.tail or "").strip() for c in n))]
    box = None
    for owner in owners:
        colour, behind = _text_colour(owner, el, styles), _background(owner, styles)
        if colour is _UNKNOWN or colour is None or behind is None:
            return None
        if max(abs(x - y) for x, y in zip(colour, behind[0])) > 8:
            return None
        box = box if box is not None else behind[1]
    if box is None or _overlay_within(box, el, styles):
        return None
    return "text coloured like its background (inherited)", box


_PICTURES = frozenset({"img", "picture", "svg", "canvas", "video", "iframe", "object", "embed"})


def _overlay_within(box, link, styles: dict[Any, dict[str, str]]) -> bool:
    """True when an absolutely positioned picture or painted box inside ``box`` (not the link, not one of
    its ancestors) may lie behind the link's text: a banner image under white links is not white."""
    around = {link, *link.iterancestors()}
    for node in box.iter():
        if not isinstance(node.tag, str) or node in around:
            continue
        decl = _declarations(node, styles)
        if decl.get("position") not in ("absolute", "fixed") or link in node.iterancestors():
            continue
        back = decl.get("background-color", "") + decl.get("background", "") + decl.get("background-image", "")
        if node.tag in _PICTURES or parse_colour(back) or "url(" in back or "gradient(" in back \
                or any(n.tag in _PICTURES for n in node.iter() if isinstance(n.tag, str)):
            return True
    return False


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


def colour_suspects(tree, base: str, offsite: Callable[[str], bool],
                    skip: set[str] | None = None) -> list[str]:
    """Off-site links that the page's own styles colour like the background behind them, on a page that an
    external style sheet or script may restyle: only a browser can tell (SC001 "suspect, then confirm").

    Targets in ``skip`` (already looked at) are left out, and the style sheet is read only when a link to
    a new off-site target is there: a template's links cost one look per scan.
    """
    candidates = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        target = urljoin(base, href) if href and not href.startswith("#") else ""
        if target and (skip is None or target not in skip) and offsite(target) and a.find(".//img") is None \
                and a.text_content().strip():
            candidates.append((a, target))
    if skip is not None:
        skip.update(t for _a, t in candidates)
    if not candidates:
        return []
    styles = sheet_styles(tree, _COLOURING)
    if styles.complete:
        return []  # nothing else styles the page: the static verdict is the browser's
    undecided = [(a, t) for a, t in candidates if colour_hidden(a, styles) is None]
    styles.complete = True  # as if the page's own styles were all there is
    return sorted({t for a, t in undecided if colour_hidden(a, styles) is not None})
