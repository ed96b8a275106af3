"""The one registry of rule codes (like ruff's ``codes.rs``); it must equal the table in rules.md.

A code is never reused for another meaning and never renamed. Check modules import their
:class:`Rule` records from here.
"""

from __future__ import annotations

from xunjian.checks.base import Rule

_TABLE = [
    ("AV001", "homepage-unreachable", "首页无法访问", "deduct"),
    ("AV002", "homepage-slow", "首页响应慢", "warn"),
    ("UP001", "homepage-not-updated", "首页不更新", "veto"),
    ("UP002", "column-stale-news", "动态要闻类栏目不更新", "deduct"),
    ("UP003", "column-stale-notice", "通知公告/政策文件类栏目不更新", "deduct"),
    ("UP004", "column-stale-other", "应更新未更新栏目", "deduct"),
    ("UP005", "column-blank", "空白栏目", "deduct"),
    ("UP006", "column-undated", "栏目信息无发布时间", "deduct"),
    ("LK001", "homepage-broken-link", "首页不可用链接", "deduct"),
    ("LK002", "broken-internal-link", "其他页面不可用链接(站内)", "deduct"),
    ("LK003", "broken-external-link", "其他页面不可用链接(站外)", "deduct"),
    ("LK004", "wrong-link", "错链", "deduct"),
    ("LK005", "private-network-link", "内网链接", "deduct"),
    ("LK006", "link-unverified", "链接无法核验", "info"),
    ("FT001", "missing-conac-badge", "缺少党政机关网站标识", "deduct"),
    ("FT002", "missing-site-code", "缺少网站标识码", "deduct"),
    ("FT003", "site-code-mismatch", "网站标识码不一致", "deduct"),
    ("FT004", "missing-icp", "缺少ICP备案编号", "deduct"),
    ("FT005", "missing-police-record", "缺少公安机关备案标识", "deduct"),
    ("FT006", "missing-jiucuo", '缺少"我为政府网站找错"入口', "deduct"),
    ("FT007", "missing-sponsor", "缺少网站主办单位", "deduct"),
    ("FT008", "missing-contact", "缺少联系方式", "deduct"),
    ("FT009", "missing-sitemap", "缺少网站地图", "warn"),
    ("MT001", "missing-page-labels", "网页标签缺失", "deduct"),
    ("MT002", "page-label-mismatch", "网页标签错误", "deduct"),
    ("TX001", "severe-error", "严重表述错误", "veto"),
    ("TX002", "typo", "错别字", "deduct"),
    ("TX003", "sensitive-word", "敏感词", "deduct"),
    ("TX004", "outdated-term", "过时表述", "warn"),
    ("TX005", "statistical-typo", "疑似错别字(语言模型)", "warn"),
    ("SC001", "hidden-link", "暗链", "veto"),
    ("SC002", "illicit-content", "违法违规内容", "veto"),
    ("SC003", "foreign-script", "可疑外部脚本", "warn"),
    ("SC004", "tls-problem", "证书问题", "deduct"),
    ("IN001", "message-unanswered", "留言超期未回复", "veto"),
    ("SV001", "guide-missing-elements", "办事指南要素缺失", "deduct"),
    ("FN001", "no-ipv6", "未支持IPv6", "warn"),
    ("FN002", "search-broken", "站内搜索不可用", "deduct"),
    ("FN003", "non-gov-domain", "非政府域名", "warn"),
    ("FN004", "offline-site-online", "下线网站仍可访问", "veto"),
]

RULES: dict[str, Rule] = {code: Rule(code, name, zh, sev) for code, name, zh, sev in _TABLE}

#: Rules recorded by availability probes rather than by scans (rules.md: findings of the last 7 days).
PROBE_RULES = frozenset({"AV001", "AV002", "SC004", "FN001", "FN003", "FN004"})


def rule(code: str) -> Rule:
    """The rule record for ``code``; KeyError for an unknown code."""
    return RULES[code]
