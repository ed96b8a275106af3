"""TX004 helpers: every administrative level of a renamed body, and 原 + place name before an old name."""

from __future__ import annotations


def outdated_family_terms(data: dict) -> list[dict]:
    """Every level of every renamed family of ``outdated_terms.yaml`` (国土资源 x 厅/局/分局/所 ...)."""
    known = {t["term"] for t in data.get("terms") or []}
    out = []
    for fam in data.get("families") or []:
        for stem in fam["old"]:
            for level in fam["levels"]:
                term = stem + level
                if term in known:
                    continue
                known.add(term)
                row = {"term": term, "current": fam.get("current") or fam["new"] + level,
                       "reform": fam.get("reform", ""), "category": "local-body"}
                if "not_after" in fam:
                    row["not_after"] = fam["not_after"]
                out.append(row)
    return out


_PLACE_END = frozenset("省市县区镇乡州旗盟")


def former_prefix(text: str, s: int) -> bool:
    """原 + a place name before the match (原县国土资源局, 原XX市工商局): the old body named on purpose.

    原 must not be part of a word (太原市工商局 is a current mistake, not a former body).
    """
    lo = max(0, s - 10)
    i = text.rfind("原", lo, s)
    if i < 0 or s - i < 2 or text[s - 1] not in _PLACE_END:
        return False
    between = text[i + 1:s]
    if not all("\u4e00" <= c <= "\u9fff" for c in between):
        return False
    from xunjian.checks.wordlists import _is_word

    return not (i > 0 and _is_word(text[i - 1:i + 1])) and not _is_word(text[i:i + 2])
