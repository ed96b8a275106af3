"""Generate the bundled sample government site (``demo/site/``): ``python demo/make_site.py``.

A city portal, 示例市人民政府, evaluated as of 2026-11-22: a dozen columns (fresh, stale, blank,
undated, paginated, one in GBK), articles with page labels, attachments, a footer with every
identifier, and planted problems (broken links, a broken attachment, a dead external host, a
soft 404, a typo, a service sub-system whose footer lost its 公安备案 line, and a hidden gambling link of the
kind attackers plant). The output is committed; re-run this script only to change the site.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"
NAME = "示例市人民政府"
CODE = "1199000001"
DEAD_HOST = "http://127.0.0.1:9"  # nothing listens on the discard port: a dead external host

COLUMNS = [
    # path, name, category comment, dates of items (newest first), encoding
    ("zwdt", "政务动态", ["2026-11-18", "2026-11-12", "2026-11-05", "2026-10-28", "2026-10-20", "2026-10-11",
                        "2026-09-30", "2026-09-21", "2026-09-10", "2026-09-01", "2026-08-25", "2026-08-15"], "utf-8"),
    ("bmdt", "部门动态", ["2026-09-30", "2026-09-12", "2026-08-30"], "utf-8"),
    ("tzgg", "通知公告", ["2026年11月10日", "2026年10月08日", "2026年09月01日"], "utf-8"),
    ("zcwj", "政策文件", ["2026-03-01", "2025-12-20", "2025-10-11"], "gbk"),
    ("gfxwj", "规范性文件", ["2026.10.08", "2026.06.30"], "utf-8"),
    ("rsxx", "人事信息", ["2025-06-01", "2025-03-15"], "utf-8"),
    ("ghjh", "规划计划", ["2026-01-15", "2025-02-10"], "utf-8"),
    ("tpxw", "图片新闻", ["[11-16]", "[11-02]"], "utf-8"),
    ("xwfb", "新闻发布", [None, None, None], "utf-8"),
    ("ztzl", "专题专栏", [], "utf-8"),
    ("ldxx", "领导信箱", ["2026-11-19", "2026-11-03"], "utf-8"),
    ("bsfw", "办事服务", ["2026-11-01"], "utf-8"),
]
TITLES = ["市政府召开常务会议研究部署近期重点工作", "我市推进优化营商环境改革工作", "全市安全生产工作会议召开",
          "市领导调研重点项目建设", "我市开展政务公开专项检查", "市政府与高校签署战略合作协议",
          "全市秋冬季森林防火工作部署会召开", "我市启动数字政府建设三年行动", "市政府新闻发布会介绍民生实事进展",
          "我市举办政务服务效能提升培训班", "全市农业农村工作现场推进会召开", "我市持续深化一网通办改革"]


def footer(extra: str = "", police: bool = True) -> str:
    police_line = ('<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010502000001">'
                   '京公网安备 11010502000001号</a>') if police else ""
    return f"""
<div class="footer" id="footer">
  <p><a href="/wzdt/">网站地图</a> | <a href="/lxwm.html">联系我们</a> {extra}</p>
  <p>主办单位：{NAME}办公室　承办单位：示例市大数据中心　联系电话：0999-12345678　电子邮箱：zfwz@example.gov.cn</p>
  <p>网站标识码：{CODE}　<a href="https://beian.miit.gov.cn/" target="_blank">京ICP备12345678号-1</a>
  　{police_line}</p>
  <script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/33/000/0000/40672222/CA330000000406722220001.js' type='text/javascript'%3E%3C/script%3E"));</script>
  <script id="_jiucuo_" sitecode="{CODE}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>
</div>"""


def head(title: str, charset: str, labels: dict[str, str]) -> str:
    metas = "\n".join(f'<meta name="{k}" content="{v}">' for k, v in labels.items())
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>{title}</title>
<meta name="SiteName" content="{NAME}">
<meta name="SiteDomain" content="127.0.0.1">
<meta name="SiteIDCode" content="{CODE}">
{metas}
<link rel="stylesheet" href="/css/style.css">
</head>"""


def nav() -> str:
    items = "".join(f'<li><a href="/{p}/">{n}</a></li>' for p, n, _d, _e in COLUMNS)
    return f'<div class="nav"><ul><li><a href="/">首页</a></li>{items}</ul></div>'


def item_date(d: str | None) -> str:
    return f'<span class="date">{d}</span>' if d else ""


def write(path: Path, html: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(html.encode(encoding))


def article(col: str, name: str, idx: int, date: str | None, encoding: str) -> str:
    title = TITLES[idx % len(TITLES)]
    pub = date if date and date[0].isdigit() and "-" in date else "2026-11-01"
    body_extra = ""
    if col == "zwdt" and idx == 0:
        body_extra = ('<p>会议强调，要一如继往抓好各项工作落实。附件：<a href="/files/2026/huiyi.pdf">会议纪要.pdf</a>'
                      ' <a href="/files/2026/missing-plan.docx">实施方案.docx</a></p>')
    if col == "zwdt" and idx == 1:
        body_extra = (f'<p>相关链接：<a href="{DEAD_HOST}/old-portal/">原市政务网</a> '
                      '<a href="/zwdt/2025/deleted.html">往期报道</a> <img src="/images/missing-photo.jpg" alt="现场照片"></p>')
    # planted: the 办事服务 articles come from an integrated service system whose footer lost the 公安备案 line
    sub_footer = footer(police=False).replace('class="footer" id="footer"', 'class="bottom-service"')
    labels = {"ColumnName": name, "ColumnType": name, "ArticleTitle": title, "PubDate": f"{pub} 09:30",
              "ContentSource": f"{NAME}办公室", "Keywords": name, "Author": "市政府办", "Url": f"/{col}/{idx + 1}.html"}
    return f"""{head(title + " - " + NAME, encoding, labels)}
<body>{nav()}
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/{col}/">{name}</a></div>
<div class="article"><h1>{title}</h1>
<div class="info">发布时间：{date or "　"}　来源：{NAME}办公室</div>
<div class="content"><p>为深入贯彻落实党中央、国务院决策部署，{NAME}持续推进各项工作。{title}。</p>
<p>会议要求，各地各部门要提高政治站位，压实工作责任，确保各项任务落地见效。</p>{body_extra}</div></div>
{sub_footer if col == "bsfw" else footer()}</body></html>"""


def column_page(col: str, name: str, dates: list, encoding: str, page: int, pages: int) -> str:
    per = 10
    chunk = list(enumerate(dates))[page * per:(page + 1) * per]
    if dates:
        items = "\n".join(f'<li><a href="/{col}/{i + 1}.html">{TITLES[i % len(TITLES)]}</a>{item_date(d)}</li>'
                          for i, d in chunk)
        listing = f'<ul class="list">{items}</ul>'
    else:
        listing = '<div class="list"><p class="empty">暂无信息</p></div>'
    pager = ""
    if pages > 1:
        links = " ".join(f'<a href="/{col}/{"index" if p == 0 else f"index_{p}"}.html">{p + 1}</a>' for p in range(pages))
        pager = f'<div class="pager">共{pages}页 {links}</div>'
    labels = {"ColumnName": name, "ColumnDescription": f"{NAME}{name}", "ColumnKeywords": name, "ColumnType": name}
    return f"""{head(name + " - " + NAME, encoding, labels)}
<body>{nav()}
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; {name}</div>
<div class="column"><h2>{name}</h2>{listing}{pager}</div>
{footer()}</body></html>"""


def homepage() -> str:
    news = "\n".join(f'<li><a href="/zwdt/{i + 1}.html">{TITLES[i]}</a><span class="date">{d}</span></li>'
                     for i, d in enumerate(COLUMNS[0][2][:6]))
    notices = "\n".join(f'<li><a href="/tzgg/{i + 1}.html">关于做好冬季安全工作的通知</a><span>{d}</span></li>'
                        for i, d in enumerate(COLUMNS[2][2]))
    return f"""{head(NAME, "utf-8", {})}
<body>
<div class="top">今天是2026年11月22日 星期日　<a href="/wzdt/">网站地图</a></div>
{nav()}
<div class="block"><h3>政务动态</h3><a class="more" href="/zwdt/">更多&gt;&gt;</a><ul>{news}</ul></div>
<div class="block"><h3>通知公告</h3><a class="more" href="/tzgg/">更多&gt;&gt;</a><ul>{notices}</ul></div>
<div class="block"><h3>专题专栏</h3><a class="more" href="/ztzl/">更多&gt;&gt;</a>
  <a href="/ztzl/yhyshj/"><img src="/images/banner.png" alt="优化营商环境"></a>
  <a href="/_soft404">数字政府专题</a></div>
<div class="block"><h3>政务服务</h3><a href="/bsfw/">办事服务</a> <a href="/files/2026/banshi-zhinan.xls">办事指南下载</a>
  <a href="/bsfw/old-system.html">旧版办事系统</a></div>
<div class="links"><h3>友情链接</h3><a href="{DEAD_HOST}/province/">省人民政府</a></div>
<div class="counter">您是第123456位访客</div>
<div style="position:absolute;left:-9999px;top:-9999px"><a href="{DEAD_HOST}/bet/">澳门赌场 在线博彩 真人娱乐</a></div>
{footer("<span>© 2008-2026 " + NAME + "</span>")}</body></html>"""


def main() -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    write(SITE / "index.html", homepage())
    for col, name, dates, enc in COLUMNS:
        pages = max(1, (len(dates) + 9) // 10)
        for p in range(pages):
            fname = "index.html" if p == 0 else f"index_{p}.html"
            write(SITE / col / fname, column_page(col, name, dates, enc, p, pages), enc)
        for i, d in enumerate(dates):
            write(SITE / col / f"{i + 1}.html", article(col, name, i, d, enc), enc)
    sitemap = "".join(f'<li><a href="/{p}/">{n}</a></li>' for p, n, _d, _e in COLUMNS)
    write(SITE / "wzdt" / "index.html", f"{head('网站地图 - ' + NAME, 'utf-8', {})}<body>{nav()}<h2>网站地图</h2>"
          f"<ul class='sitemap'>{sitemap}</ul>{footer()}</body></html>")
    write(SITE / "lxwm.html", f"{head('联系我们 - ' + NAME, 'utf-8', {})}<body>{nav()}<p>联系电话：0999-12345678</p>"
          f"{footer()}</body></html>")
    (SITE / "css").mkdir(exist_ok=True)
    (SITE / "css" / "style.css").write_text("body{font-family:sans-serif}.footer{color:#666}\n", encoding="utf-8")
    (SITE / "images").mkdir(exist_ok=True)
    # A 1x1 PNG for the banner; the photo in an article is missing on purpose.
    (SITE / "images" / "banner.png").write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"))
    (SITE / "files" / "2026").mkdir(parents=True, exist_ok=True)
    (SITE / "files" / "2026" / "huiyi.pdf").write_bytes(b"%PDF-1.4\n%demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    (SITE / "files" / "2026" / "banshi-zhinan.xls").write_bytes(b"\xd0\xcf\x11\xe0demo")


if __name__ == "__main__":
    main()
