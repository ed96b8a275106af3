// Every link of the rendered page with its computed visibility (SC001 hidden links), evaluated by
// xunjian.crawler.visibility in Chromium. A link is invisible when it is not rendered, has no size, lies
// off the document, has a font below 2px, is clipped by a zero-size or overflow-hidden box, or its text
// colour equals (within 8 per channel) the nearest background colour behind it (inherited from ancestors),
// for every piece of its text.
// In-page anchors (skip-to-content links that appear on focus) are always visible.
() => {
  const docW = Math.max(document.documentElement.scrollWidth, innerWidth);
  const docH = Math.max(document.documentElement.scrollHeight, innerHeight);
  const rgb = (c) => {
    const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)/.exec(c || '');
    if (!m || (m[4] !== undefined && parseFloat(m[4]) < 0.5)) return null;
    return [+m[1], +m[2], +m[3]];
  };
  const backOf = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.backgroundImage && cs.backgroundImage !== 'none') return null;  // text over an image: unknown
      const b = rgb(cs.backgroundColor);
      if (b) return b;
    }
    return [255, 255, 255];
  };
  const PICTURES = ['IMG', 'PICTURE', 'SVG', 'CANVAS', 'VIDEO', 'IFRAME', 'OBJECT', 'EMBED', 'INPUT'];
  // What is painted right behind the link's centre (elements stacked there, below the link): a colour,
  // null for a picture or image (unknown), undefined when the point cannot be hit-tested.
  const paintedBehind = (a) => {
    a.scrollIntoView({block: 'center', inline: 'center'});
    const r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return undefined;
    const stack = document.elementsFromPoint(x, y);
    const at = stack.findIndex((e) => a === e || a.contains(e));
    if (at < 0) return undefined;
    for (const e of stack.slice(at + 1)) {
      if (a.contains(e)) continue;
      if (PICTURES.includes(e.tagName.toUpperCase())) return null;
      const cs = getComputedStyle(e);
      if (cs.backgroundImage && cs.backgroundImage !== 'none') return null;
      const b = rgb(cs.backgroundColor);
      if (b) return b;
    }
    return [255, 255, 255];
  };
  const same = (fg, bg) => !!(fg && bg) && fg.every((v, i) => Math.abs(v - bg[i]) <= 8);
  const sameColour = (a) => {  // every piece of the link's text coloured like the background behind it
    const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    let pieces = 0, firstFg = null;
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!(t.nodeValue || '').trim()) continue;
      const el = t.parentElement, fg = rgb(getComputedStyle(el).color), bg = backOf(el);
      if (!same(fg, bg)) return false;
      firstFg = firstFg || fg;
      pieces += 1;
    }
    if (!pieces) return false;
    const behind = paintedBehind(a);  // a positioned banner image or box under the text is no background
    return behind === undefined || same(firstFg, behind);
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
  const inPage = (a) => a.hash && a.host === location.host && a.pathname === location.pathname;
  return Array.from(document.querySelectorAll('a[href]')).map((a) => {
    const cs = getComputedStyle(a);
    let r = a.getBoundingClientRect();
    for (const c of a.querySelectorAll('*')) {
      const q = c.getBoundingClientRect();
      if (q.width * q.height > r.width * r.height) r = q;
    }
    const reasons = [];
    if (!inPage(a)) {
      const shown = a.checkVisibility ? a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
                                      : a.getClientRects().length > 0;
      if (!shown) reasons.push('not rendered (display/visibility/opacity)');
      if (r.width < 2 || r.height < 2) reasons.push('zero size');
      const x = r.left + scrollX, y = r.top + scrollY;
      if (x + r.width <= 0 || y + r.height <= 0 || x >= docW || y >= docH) reasons.push('off-screen');
      let size = parseFloat(cs.fontSize) || 0;
      for (const c of a.querySelectorAll('*')) size = Math.max(size, parseFloat(getComputedStyle(c).fontSize) || 0);
      if (size < 2 && !a.querySelector('img')) reasons.push('font-size:0');
      if (!a.querySelector('img') && sameColour(a)) reasons.push('same colour as background');
      if (clipped(a, r)) reasons.push('clipped by a zero-size or overflow-hidden box');
    }
    return {href: a.href, text: (a.textContent || '').trim().slice(0, 100), visible: reasons.length === 0,
            reasons: reasons, width: r.width, height: r.height};
  });
}
