"""Write a :class:`~xunjian.reports.bulletin.Bulletin` as a Word document in the official layout, and a PDF.

Layout after GB/T 9704-2012 (党政机关公文格式): A4, margins 37/35/28/26 mm (top/bottom/left/right), title
in 方正小标宋简体 二号 centred, body in 仿宋_GB2312 三号 with a fixed 28 pt line and a two-character
first-line indent, 一、 headings in 黑体 and （一） headings in 楷体_GB2312, page numbers "— 1 —" at the foot.
Chinese fonts are set on the East-Asian slot (``w:eastAsia``): Word takes the Latin name for CJK text
otherwise. A font that is not installed here falls back to the next one of ``rules/bulletin.yaml``
(Noto CJK last), so the PDF made here is legible; the document then names the font it was drawn with.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xunjian.reports.bulletin import bulletin_rules, rate, zh_date

if TYPE_CHECKING:
    from xunjian.reports.bulletin import Bulletin

logger = logging.getLogger(__name__)
NO_SOFFICE = ("未安装 LibreOffice，只生成了 Word 文档，未生成 PDF。如需 PDF，请安装后重试："
              "apt-get install -y libreoffice-writer-nogui (或 libreoffice-writer)")
VERDICT_ZH = {"pass": "合格", "fail": "不合格"}


@cache
def installed_fonts() -> frozenset[str] | None:
    """Font family names fontconfig knows (None when fc-list is unavailable: then keep the first choice)."""
    fc = shutil.which("fc-list")
    if not fc:
        return None
    try:
        out = subprocess.run([fc, ":", "family"], capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def pick_font(role: str) -> str:
    choices = bulletin_rules()["fonts"][role]
    fonts = installed_fonts()
    if fonts is None:
        return choices[0]
    return next((c for c in choices if c in fonts), choices[-1])


def _set_font(run: Any, role: str, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    name = pick_font(role)
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(slot), name)
    run.font.size = Pt(size or bulletin_rules()["sizes"]["body"])
    run.font.bold = bold


def _para(doc: Any, text: str, role: str = "body", align: str | None = None, indent: bool = True,
          size: float | None = None, bold: bool = False) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(bulletin_rules()["line_spacing_pt"])
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(2 * (size or bulletin_rules()["sizes"]["body"]))
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    _set_font(p.add_run(text), role, size, bold)
    return p


def _table(doc: Any, header: list[str], rows: list[list[Any]], widths_mm: list[float] | None = None) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = widths_mm is None
    size = bulletin_rules()["sizes"]["table"]
    for cell, text in zip(table.rows[0].cells, header):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(cell.paragraphs[0].add_run(text), "heading1", size)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            _set_font(cell.paragraphs[0].add_run(str(value)), "table", size)
    for row in table.rows if widths_mm else ():
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
    return table


def _page_setup(doc: Any) -> None:
    from docx.shared import Mm

    page = bulletin_rules()["page"]
    for section in doc.sections:
        section.page_width, section.page_height = Mm(page["width_mm"]), Mm(page["height_mm"])
        section.top_margin, section.bottom_margin = Mm(page["top_mm"]), Mm(page["bottom_mm"])
        section.left_margin, section.right_margin = Mm(page["left_mm"]), Mm(page["right_mm"])
        _page_number(section)


def _page_number(section: Any) -> None:
    """"— 1 —" centred at the foot (a PAGE field)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(p.add_run("— "), "body", 14)
    run = p.add_run()
    _set_font(run, "body", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _set_font(p.add_run(" —"), "body", 14)


def _overview(doc: Any, b: Bulletin) -> None:
    _para(doc, "一、总体情况", "heading1")
    kinds = b.by_kind()
    total, passed = kinds[-1][1], kinds[-1][2]
    parts = "、".join(f"{label} {n} 个" for label, n, _ in kinds[:-1])
    _para(doc, f"{zh_date(b.period_from)}至{zh_date(b.period_to)}，对 {total} 个政府网站进行了检查，其中{parts}。"
               f"经检查，合格网站 {passed} 个，合格率 {rate(passed, total)}；不合格网站 {total - passed} 个。")
    _table(doc, ["网站类型", "检查数", "合格数", "合格率"],
           [[label, n, ok, rate(ok, n)] for label, n, ok in kinds])


def _problems(doc: Any, b: Bulletin) -> None:
    _para(doc, "二、存在问题", "heading1")
    numerals = "一二三四五六七八九十"
    for i, cat in enumerate(b.categories):
        head = f"（{numerals[i] if i < len(numerals) else i + 1}）{cat.name}。"
        if cat.sites:
            names = "、".join(f"{name}（{n}处）" for name, n in cat.sites)
            text = f"共 {len(cat.sites)} 个网站存在此类问题，共 {cat.total} 处：{names}。"
        else:
            text = "本次检查未发现此类问题。"
        p = _para(doc, "")
        _set_font(p.add_run(head), "heading2")
        _set_font(p.add_run(text), "body")


def _annexes(doc: Any, b: Bulletin) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "附件1", "heading1", indent=False)
    _para(doc, "不合格网站名单", "title", align="center", indent=False)
    rows = [[i, s.name, s.url, bulletin_rules()["kinds"].get(s.kind, s.kind), f"{s.score:.2f}",
             "、".join(s.veto) or "—", "、".join(s.counts) or ("单项否决" if s.veto else "得分低于合格线")]
            for i, s in enumerate(b.failed, 1)]
    _table(doc, ["序号", "网站名称", "网址", "类型", "得分", "否决项", "主要问题"], rows or [["—"] * 7],
           widths_mm=[12, 30, 38, 18, 14, 14, 30])
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "附件2", "heading1", indent=False)
    _para(doc, "得分情况", "title", align="center", indent=False)
    _table(doc, ["分档", "网站数", "网站名称"],
           [[label, len(sites), "、".join(s.name for s in sites) or "—"] for label, sites in b.bands],
           widths_mm=[32, 18, 106])
    _para(doc, "", indent=False)
    _table(doc, ["序号", "网站名称", "类型", "得分", "分档", "结论"],
           [[i, s.name, bulletin_rules()["kinds"].get(s.kind, s.kind), f"{s.score:.2f}", s.band,
             VERDICT_ZH.get(s.verdict, s.verdict)] for i, s in enumerate(b.sites, 1)])


def write_docx(path: Path, b: Bulletin) -> Path:
    """The bulletin as ``path`` (.docx)."""
    from docx import Document

    doc = Document()
    _page_setup(doc)
    _para(doc, b.title, "title", align="center", indent=False, size=bulletin_rules()["sizes"]["title"])
    _para(doc, "", indent=False)
    _para(doc, "各区县人民政府，市政府各部门：", indent=False)
    _para(doc, "根据《政府网站与政务新媒体检查指标》(国办秘函〔2019〕19号)，"
               f"{zh_date(b.period_from)}至{zh_date(b.period_to)}对政府网站开展了检查。现将检查情况通报如下：")
    _overview(doc, b)
    _problems(doc, b)
    _para(doc, "三、下一步工作要求", "heading1")
    for text in b.requirements:
        _para(doc, text)
    _para(doc, "", indent=False)
    _para(doc, "附件：1. 不合格网站名单", indent=True)
    _para(doc, "\u3000\u30002. 得分情况", indent=True)
    _para(doc, "", indent=False)
    _para(doc, b.issuer, align="right", indent=False)
    _para(doc, zh_date(b.generated_at.date()), align="right", indent=False)
    _annexes(doc, b)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def convert_pdf(docx_path: Path, timeout: int = 180) -> tuple[Path | None, str | None]:
    """(the PDF beside ``docx_path``, None), or (None, a Chinese warning) when LibreOffice is absent or fails."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None, NO_SOFFICE
    with tempfile.TemporaryDirectory(prefix="xj-soffice-") as profile:
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
               "--outdir", str(docx_path.parent), str(docx_path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            return None, f"LibreOffice 转换 PDF 失败: {exc}"
    pdf = docx_path.with_suffix(".pdf")
    if proc.returncode != 0 or not pdf.exists():
        return None, f"LibreOffice 转换 PDF 失败 (退出码 {proc.returncode}): {(proc.stderr or proc.stdout).strip()[:200]}"
    return pdf, None
