"""Helpers for SC001 (hidden links): why an element is invisible, from markup alone or from a browser.

Static analysis reads inline ``style`` attributes, the page's own ``<style>`` rules (simple selectors,
applied with lxml's cssselect), the ``hidden`` attribute, ``<marquee>`` tricks and hidden markup written by
``document.write``. The browser side (:func:`collect_link_visibility`) asks Chromium for every link's
computed visibility; :func:`xunjian.checks.security.confirm_hidden_links` combines the two.
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


def stylesheet_hidden(tree) -> dict[Any, str]:
    """Elements hidden by the page's ``<style>`` rules -> reason (unparsable selectors are skipped)."""
    marked: dict[Any, str] = {}
    for style in tree.iter("style"):
        css = _COMMENT.sub("", style.text_content() or "")
        for selectors, body in _RULE.findall(css):
            reason = hiding_reason(parse_style(body))
            if not reason:
                continue
            for sel in selectors.split(","):
                sel = sel.strip()
                if not sel or sel.startswith("@") or ":" in sel:
                    continue
                try:
                    for el in tree.cssselect(sel):
                        marked.setdefault(el, f"{reason} (<style> {sel})")
                except Exception:  # cssselect raises several types on selectors it does not support
                    continue
    return marked


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


def element_hidden(el, sheet: dict[Any, str]) -> tuple[str, Any] | None:
    """Why ``el`` or one of its ancestors is invisible, and which element hides it; None if visible."""
    node = el
    while node is not None and isinstance(node.tag, str):
        if node.get("hidden") is not None:
            return "hidden attribute", node
        reason = hiding_reason(parse_style(node.get("style") or "")) if node.get("style") else None
        if reason:
            return f"{reason} (inline style)", node
        if node in sheet:
            return sheet[node], node
        if node.tag == "marquee":
            reason = _marquee_reason(node)
            if reason:
                return reason, node
        node = node.getparent()
    return None


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


#: JavaScript evaluated in the rendered page: every link with its computed visibility.
VISIBILITY_JS = r"""
() => {
  const docW = Math.max(document.documentElement.scrollWidth, innerWidth);
  const docH = Math.max(document.documentElement.scrollHeight, innerHeight);
  const bgOf = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const b = getComputedStyle(n).backgroundColor;
      if (b && b !== 'transparent' && b !== 'rgba(0, 0, 0, 0)') return b;
    }
    return 'rgb(255, 255, 255)';
  };
  const clipped = (el, r) => {
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.overflow !== 'visible' || n.tagName === 'MARQUEE') {
        const p = n.getBoundingClientRect();
        if (p.width < 2 || p.height < 2) return true;
        if (r.right <= p.left || r.left >= p.right || r.bottom <= p.top || r.top >= p.bottom) return true;
      }
    }
    return false;
  };
  return Array.from(document.querySelectorAll('a[href]')).map((a) => {
    const cs = getComputedStyle(a);
    let r = a.getBoundingClientRect();
    for (const c of a.querySelectorAll('*')) {
      const q = c.getBoundingClientRect();
      if (q.width * q.height > r.width * r.height) r = q;
    }
    const reasons = [];
    const shown = a.checkVisibility ? a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
                                    : a.getClientRects().length > 0;
    if (!shown) reasons.push('not rendered (display/visibility/opacity)');
    if (r.width < 2 || r.height < 2) reasons.push('zero size');
    const x = r.left + scrollX, y = r.top + scrollY;
    if (x + r.width <= 0 || y + r.height <= 0 || x >= docW || y >= docH) reasons.push('off-screen');
    if ((parseFloat(cs.fontSize) || 0) < 2 && !a.querySelector('img')) reasons.push('font-size:0');
    if (cs.color === bgOf(a) && !a.querySelector('img')) reasons.push('same colour as background');
    if (clipped(a, r)) reasons.push('clipped by a zero-size or overflow-hidden box');
    return {href: a.href, text: (a.textContent || '').trim().slice(0, 100), visible: reasons.length === 0,
            reasons: reasons, width: r.width, height: r.height};
  });
}
"""


def collect_link_visibility(pw_page) -> list[dict[str, Any]]:
    """Every link's computed visibility in a rendered Playwright page (sync API):
    ``[{"href", "text", "visible", "reasons", "width", "height"}, ...]``."""
    return pw_page.evaluate(VISIBILITY_JS)


async def collect_link_visibility_async(pw_page) -> list[dict[str, Any]]:
    """The same for Playwright's async API (scrapy-playwright hands out async pages)."""
    return await pw_page.evaluate(VISIBILITY_JS)
