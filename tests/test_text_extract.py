"""Text extraction: visible main text, template blocks, title parts and attachment names."""

from __future__ import annotations

from xunjian.checks.textextract import extract_segments
from xunjian.records import LinkRef, PageRecord

HTML = """<html><head><title>关于印发实施方案的通知 - 示例市人民政府</title><style>p{color:red}</style></head>
<body>
<div class="top-nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
<nav><a href="/hdjl/">互动交流</a></nav>
<div id="content"><h1>关于印发实施方案的通知</h1><p>各县区人民政府：</p><p>现将方案印发给你们。<span hidden>隐藏文字</span></p>
<script>var x = "脚本文字";</script><!-- 注释文字 --></div>
<div id="footer">主办：示例市人民政府办公室</div>
</body></html>"""


def _page(html: str, links=()) -> PageRecord:
    url = "http://127.0.0.1/a.html"
    return PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html", links=list(links))


def test_segments_split_main_template_and_title():
    segs = extract_segments(_page(HTML), "示例市人民政府")
    kinds = [(s.kind, s.text) for s in segs]
    assert ("title", "关于印发实施方案的通知") in kinds
    assert ("template", "示例市人民政府") in kinds          # site-name part of the title
    main = next(s.text for s in segs if s.kind == "main")
    assert "现将方案印发给你们。" in main and "各县区人民政府：" in main
    for invisible in ("隐藏文字", "脚本文字", "注释文字", "首页", "主办"):
        assert invisible not in main, invisible
    templates = [s.text for s in segs if s.kind == "template"]
    assert "首页政务公开" in templates and "互动交流" in templates and "主办：示例市人民政府办公室" in templates
    assert len({s.block for s in segs if s.kind == "template"}) == len(templates)


def test_block_elements_do_not_glue_words_together():
    segs = extract_segments(_page("<html><body><p>中华人民</p><p>共和国</p></body></html>"))
    assert next(s.text for s in segs if s.kind == "main") == "中华人民\n共和国"


def test_attachment_file_names_are_text():
    url = "http://127.0.0.1/files/%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88.pdf"
    link = LinkRef(url=url, kind="attachment", tag="a")
    segs = extract_segments(_page("<html><body><p>附件</p></body></html>", [link]))
    assert ("attachment", "实施方案.pdf") in [(s.kind, s.text) for s in segs]


def test_empty_and_broken_pages():
    assert extract_segments(_page("")) == []
    assert [s.kind for s in extract_segments(_page("<p>只有一段"))] == ["main"]
