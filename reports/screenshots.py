"""Screenshots of offending elements, outlined in red, for the HTML report (Playwright + Debian Chromium).

For link findings the ``<a>/<img>/...`` whose resolved href/src equals the finding's target is
outlined; for footer findings the footer region; for text findings the element holding the text;
hidden links are shown through their nearest visible ancestor. Only the site's own pages are opened,
at most ``report.screenshot_max_pages`` of them, each load time-boxed, the whole run time-boxed.
Without Chromium the report is written without screenshots after one clear warning.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from xunjian.config import ReportSettings

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING_CHROMIUM = "未找到 Chromium ({path})，报告不含截图。安装: apt-get install -y chromium fonts-noto-cjk"
VIEWPORT = {"width": 1280, "height": 860}
CONTEXT_PX = 140  # page shown above and below the outlined element
MIN_CLIP_PX = 320
TEXT_KEYS = ("word", "phrase", "term", "text", "match", "keyword")

# Outline one element: by target URL (links), the footer region (FT), or the text (TX); hidden
# elements are outlined through their nearest ancestor with a visible box. Returns true when marked.
OUTLINE_JS = """
([rule, target, text]) => {
  document.querySelectorAll('[data-xj-mark]').forEach(e => {
    if (e.tagName === 'DIV' && e.style.position === 'fixed') { e.remove(); return; }
    e.style.outline = ''; e.removeAttribute('data-xj-mark'); });
  const visible = (el) => { while (el && el !== document.body) { const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      if (r.width > 2 && r.height > 2 && s.visibility !== 'hidden' && s.opacity !== '0'
          && r.right + window.scrollX > 0 && r.bottom + window.scrollY > 0) return el;
      el = el.parentElement; } return el; };
  let el = null;
  if (target) {
    const tags = 'a[href],img[src],script[src],link[href],iframe[src],area[href]';
    for (const c of document.querySelectorAll(tags)) {
      const raw = [c.href, c.src, c.getAttribute('href'), c.getAttribute('src')];
      if (raw.includes(target)) { el = c; break; }
    }
  }
  if (!el && rule.startsWith('FT')) {
    el = document.querySelector(
      'footer, #footer, .footer, [id*="foot" i], [class*="foot" i], [class*="bottom" i]');
    if (!el) {
      const kids = document.body ? document.body.children : [];
      el = kids.length ? kids[kids.length - 1] : null;
    }
  }
  if (!el && text) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node; while ((node = walker.nextNode())) {
      const at = node.nodeValue.indexOf(text);
      if (at < 0 || ['SCRIPT', 'STYLE'].includes(node.parentElement.tagName)) continue;
      const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + text.length);
      const span = document.createElement('span'); range.surroundContents(span); el = span; break;
    }
  }
  if (!el) return false;
  if (el.tagName === 'SCRIPT' || el.tagName === 'LINK') el = el.parentElement;
  const shown = visible(el);
  if (shown !== el && target && rule.startsWith('SC')) {
    // A hidden element (e.g. a hidden link): show what is hidden in a banner, as text only.
    const banner = document.createElement('div');
    banner.setAttribute('data-xj-mark', '1');
    banner.style.cssText = 'position:fixed;top:8px;left:8px;right:8px;z-index:2147483647;' +
      'background:#fff4f4;' +
      'color:#c00000;border:4px solid #ff0000;padding:8px 12px;font:16px sans-serif;word-break:break-all';
    const label = (el.textContent || '').trim().slice(0, 80);
    banner.textContent = '页面上不可见的元素: <' + el.tagName.toLowerCase() + '> ' + label + ' → ' + target;
    document.body.appendChild(banner);
  }
  el = shown || el;
  el.setAttribute('data-xj-mark', '1');
  el.style.outline = '4px solid #ff0000';
  el.style.outlineOffset = '2px';
  el.scrollIntoView({block: 'center', inline: 'nearest'});
  const boxes = [...document.querySelectorAll('[data-xj-mark]')].map(e => e.getBoundingClientRect());
  const top = Math.min(...boxes.map(b => b.top)), bottom = Math.max(...boxes.map(b => b.bottom));
  return {top: top, bottom: bottom};
}
"""


def wants_shot(rule: str, rules: list[str]) -> bool:
    return any(rule == r or (len(r) == 2 and rule.startswith(r)) for r in rules)


def _own_page(url: str | None, site_url: str, aliases: list[str]) -> bool:
    if not url or not url.lower().startswith(("http://", "https://")):
        return False
    own = urlsplit(site_url)
    parts = urlsplit(url)
    hosts = {own.netloc.lower()} | {a.lower() for a in aliases}
    return parts.netloc.lower() in hosts or (parts.hostname or "").lower() in hosts


def plan(
    findings: list[dict[str, Any]], site: dict[str, Any], cfg: ReportSettings
) -> OrderedDict[str, list[dict[str, Any]]]:
    """Findings to photograph, grouped by page: own pages only, bounded pages and shots."""
    pages: OrderedDict[str, list[dict]] = OrderedDict()
    shots = 0
    for f in findings:
        if shots >= cfg.screenshot_max_shots:
            break
        own = _own_page(f.get("page"), site["url"], site.get("aliases", []))
        if not own or not wants_shot(f["rule"], cfg.screenshot_rules):
            continue
        if f["page"] not in pages and len(pages) >= cfg.screenshot_max_pages:
            continue
        pages.setdefault(f["page"], []).append(f)
        shots += 1
    return pages


def _text_of(f: dict[str, Any]) -> str | None:
    evidence = f.get("evidence") or {}
    for key in TEXT_KEYS:
        if isinstance(evidence.get(key), str) and evidence[key].strip():
            return evidence[key].strip()
    return None


def capture(
    findings: list[dict[str, Any]], site: dict[str, Any], out_dir: Path, cfg: ReportSettings,
    executable_path: str = "/usr/bin/chromium",
) -> tuple[dict[int, Path], list[str]]:
    """Screenshot the offending elements; returns ({finding id: PNG path}, warnings)."""
    todo = plan(findings, site, cfg)
    if not todo:
        return {}, []
    if not Path(executable_path).exists():
        return {}, [MISSING_CHROMIUM.format(path=executable_path)]
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    shots: dict[int, Path] = {}
    warnings: list[str] = []
    deadline = time.monotonic() + cfg.screenshot_total_timeout
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable_path, args=CHROMIUM_ARGS, headless=True)
            try:
                context = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True)
                # Only the site's own resources load: no third-party requests, bounded waiting.
                context.route("**/*", lambda route: route.continue_()
                              if _own_page(route.request.url, site["url"], site.get("aliases", []))
                              else route.abort())
                page = context.new_page()
                for url, items in todo.items():
                    if time.monotonic() > deadline:
                        warnings.append(f"截图超时 ({cfg.screenshot_total_timeout:.0f} 秒)，其余页面未截图")
                        break
                    _shoot_page(page, url, items, out_dir, cfg, shots, warnings, PlaywrightError)
            finally:
                browser.close()
    except PlaywrightError as exc:
        warnings.append(MISSING_CHROMIUM.format(path=executable_path) + f" ({str(exc).splitlines()[0]})")
    return shots, warnings


def _clip(box: dict[str, float], width: int = VIEWPORT["width"], height: int = VIEWPORT["height"]) -> dict:
    """The part of the viewport around the outlined element(s), with some context above and below."""
    top = max(0.0, min(box["top"] - CONTEXT_PX, height - MIN_CLIP_PX))
    bottom = min(float(height), max(box["bottom"] + CONTEXT_PX, top + MIN_CLIP_PX))
    return {"x": 0, "y": top, "width": width, "height": bottom - top}


def _shoot_page(page, url, items, out_dir, cfg, shots, warnings, error_type) -> None:  # noqa: ANN001
    try:
        page.goto(url, wait_until="load", timeout=cfg.screenshot_page_timeout * 1000)
    except error_type as exc:
        warnings.append(f"页面无法打开，未截图: {url} ({str(exc).splitlines()[0][:120]})")
        return
    for f in items:
        try:
            box = page.evaluate(OUTLINE_JS, [f["rule"], f.get("target") or "", _text_of(f) or ""])
            if not box:
                continue
            path = out_dir / f"finding-{f['id']}.png"
            page.screenshot(path=str(path), clip=_clip(box), timeout=cfg.screenshot_page_timeout * 1000)
            shots[f["id"]] = path
        except error_type as exc:
            warnings.append(f"截图失败: 问题 {f['id']} ({str(exc).splitlines()[0][:120]})")
