"""Server-rendered charts: geometry for SVG templates (no chart library, no script)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def sparkline(history: list[dict[str, Any]], width: int = 120, height: int = 28, top: float = 110.0) -> dict[str, Any]:
    """Polyline points of the scores over the last scans (oldest left)."""
    scores = [float(h.get("score") or 0) for h in history]
    if not scores:
        return {"points": "", "dots": [], "width": width, "height": height}
    step = width / max(1, len(scores) - 1)
    coords = [(round(i * step if len(scores) > 1 else width / 2, 1),
               round(height - 2 - (min(s, top) / top) * (height - 4), 1)) for i, s in enumerate(scores)]
    dots = [{"x": x, "y": y, "fail": h.get("verdict") == "fail", "label": f"{h.get('as_of') or ''} {s:g}"}
            for (x, y), h, s in zip(coords, history, scores)]
    return {"points": " ".join(f"{x},{y}" for x, y in coords), "dots": dots, "width": width, "height": height}


def probe_chart(probes: list[Any], now: datetime, days: int = 7, width: int = 720, height: int = 120,
                timeout: float = 15.0) -> dict[str, Any]:
    """One bar per probe over ``days`` days: height = response time (capped), class = outcome."""
    start = now - timedelta(days=days)
    span = (now - start).total_seconds()
    plot_h = height - 20
    bars = []
    for p in probes:
        x = round((p.at - start).total_seconds() / span * width, 1)
        if p.outcome == "down" or p.elapsed is None:
            h = plot_h
        else:
            h = max(2.0, min(1.0, p.elapsed / timeout) * plot_h)
        label = f"{p.at:%m-%d %H:%M} {p.outcome} {p.status or ''} {'' if p.elapsed is None else f'{p.elapsed:.2f}s'}"
        bars.append({"x": x, "y": round(plot_h - h, 1), "h": round(h, 1), "cls": p.outcome, "label": label})
    ticks = [{"x": round(i / days * width, 1), "label": (start + timedelta(days=i)).strftime("%m-%d")}
             for i in range(days + 1)]
    up = sum(1 for p in probes if p.outcome != "down")
    return {"bars": bars, "ticks": ticks, "width": width, "height": height, "plot_h": plot_h,
            "total": len(probes), "down": len(probes) - up,
            "ratio": round(100.0 * up / len(probes), 1) if probes else None}
