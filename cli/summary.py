"""Print a scan's results for people: counts per rule (with the Chinese rule names) and examples."""

from __future__ import annotations

from collections import Counter

from rich.table import Table

from xunjian.checks.codes import RULES
from xunjian.cli.common import out
from xunjian.storage.db import session_scope
from xunjian.storage.findings import current_findings


def print_findings_summary(db_url: str, site_id: str, examples: int = 3) -> Counter[str]:
    with session_scope(db_url) as s:
        rows = current_findings(s, site_id)
        data = [(r.rule, r.severity, r.page or "", r.target or "", r.message) for r in rows]
    counts: Counter[str] = Counter(rule for rule, *_ in data)
    if not data:
        out.print("未发现问题。")
        return counts
    table = Table("规则", "名称", "级别", "数量", "示例", title=f"{site_id} 当前问题 (共 {len(data)} 条)")
    for rule in sorted(counts):
        sample = [f"{msg} — {target or page}" for r, _s, page, target, msg in data if r == rule][:examples]
        meta = RULES.get(rule)
        table.add_row(rule, meta.zh if meta else "", meta.severity if meta else "", str(counts[rule]), "\n".join(sample))
    out.print(table)
    return counts
