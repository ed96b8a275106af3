"""临江市商务局: a 开普云 (Kaipuyun)-style department site, GBK pages, div layout, ``/xxgk/`` trees.

Held-out site: written AFTER the footer, label, column, date and SC001 fixes, with other variants of each
class than the fixes were written against (sponsor after 网站主办, ICP of 10 digits behind a label, the old
公安 form behind 公网安备, 值班电话 without area code, a 纠错 relay image, a month-day + year split date,
columns reached only through the site map or through breadcrumbs, a 延伸阅读 block, a /s?q= search page,
white text on a body background from the page's <style>, a zero-font nav reset by a class rule).

Added after the session-3 fixes, as variants those fixes were not written against (``_after_session3``):
an interaction template whose footer is an ``<iframe>`` of an ``.shtml`` include lacking the 公安 record, a
``<section>`` of ``<article>`` posts in a policy column, a lazy ``data-original`` image, a 200 page saying
您要查看的文章已被移除, a 办证/假证 advertisement in one message.
"""

from __future__ import annotations

from .common import PNG, TITLES, Site, body_text

NAME = "临江市商务局"
CODE = "2206000012"


def _head(title: str, labels: dict[str, str]) -> str:
    metas = "\n".join(f'<meta name="{k}" content="{v}"/>' for k, v in labels.items())
    return f"""<!DOCTYPE html><html><head><meta charset="gbk"/>
<title>{title}</title>
{metas}
<style>body{{background-color:#ffffff}} .topnav{{font-size:0}} .topnav a{{font-size:15px;margin:0 12px}}
.notice-line a.nl{{color:#FFF}}</style>
</head>"""


def _site() -> dict[str, str]:
    return {"SiteName": NAME, "SiteDomain": "swj.linjiang.gov.cn", "SiteIDCode": CODE}


NAV = [("/xxgk/gzdt/", "工作动态"), ("/xxgk/tzgg/", "通知公告"), ("/jgsz/", "机构设置"), ("/lxwm/", "联系我们")]


def _top() -> str:
    links = "".join(f'<a href="{u}">{n}</a>' for u, n in NAV)
    return f"""<body><div class="header"><div class="logo">{NAME}</div>
<form action="/s" method="get"><input name="q"/><button>搜索</button></form></div>
<div class="topnav"><a href="/">首页</a>{links}<a href="http://zwfw.jilin-portal.example/">政务服务网</a></div>"""


def _footer(contact: bool = True) -> str:
    phone = "<span>值班电话：6612345</span>" if contact else ""
    return f"""<div class="footer-wrap"><div class="ft-links"><a href="/wzdt/">网站地图</a></div>
<p>网站主办：临江市商务局　技术支持：临江市大数据中心 {phone}</p>
<p>ICP备案号：吉ICP备2021003456号-1　吉公网安备 22060299004-00021　网站标识码{CODE}</p>
<p><a href="https://bszs.conac.cn/sitename?method=show&amp;id=1A2B3C4D5E6F70819A2B3C4D5E6F7081"><img src="/img/red.png"/></a>
<a href="https://www.linjiang.gov.cn/jiucuo/index.html?sitecode={CODE}"><img src="/img/jc.png" alt="网站纠错"/></a></p>
</div></body></html>"""


def _split(d: str) -> str:
    y, m, dd = d.split("-")
    return f'<span class="md">{m}-{dd}</span><span class="y">{y}</span>'


def _column(site: Site, path: str, name: str, dates: list[str], offset: int, crumbs: str = "",
            split: bool = False, article_extra=None, labels_ok: bool = True) -> list[str]:
    lis, urls = [], []
    for i, d in enumerate(dates):
        n = offset + i
        url = f"{path}{d[:4]}{d[5:7]}/t{d.replace('-', '')}_{n}.html"
        urls.append(url)
        when = f'<div class="dt">{d[8:]}<em>{d[:7]}</em></div>' if split else f"<span>{d}</span>"
        lis.append(f'<li><a href="{url}">{TITLES[n % len(TITLES)]}</a>{when}</li>')
    labels = {**_site(), "ColumnName": name, "ColumnDescription": name, "ColumnKeywords": name, "ColumnType": name}
    site.add(path, _head(f"{name}-{NAME}", labels) + _top() +
             f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumbs}<a href="{path}">{name}</a></div>'
             f'<div class="list-con"><ul>{"".join(lis)}</ul></div>' + _footer())
    for i, (url, d) in enumerate(zip(urls, dates)):
        n = offset + i
        title = TITLES[n % len(TITLES)]
        labels = {**_site(), "ColumnName": name, "ColumnType": name, "ArticleTitle": title,
                  "PubDate": f"{d} 09:00:00", "ContentSource": NAME}
        if not labels_ok:
            del labels["PubDate"]
        extra = article_extra(n, urls) if article_extra else ""
        site.add(url, _head(f"{title}-{NAME}", labels) + _top() +
                 f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumbs}<a href="{path}">{name}</a></div>'
                 f'<div class="detail"><h2>{title}</h2><div class="fbsj">发布时间：{d}　来源：{NAME}</div>'
                 f'<div class="view">{body_text(title, 2, extra)}</div></div>' + _footer(contact=False))
    return urls


def build() -> Site:
    site = Site("kpy_linjiang", NAME, CODE, "Kaipuyun", encoding="gbk")
    site.register = {"site_code": CODE}
    site.domain = "swj.linjiang.gov.cn"

    def related(n: int, urls: list[str]) -> str:
        if n != 0:
            return "<p>咨询电话：0435-3221234。</p>" if n == 1 else ""
        rel = "".join(f'<li><a href="{u}">{TITLES[(i + 3) % len(TITLES)]}</a><span>2026-11-{10 + i}</span></li>'
                      for i, u in enumerate(urls[1:4]))
        return f'<div class="ext"><div class="ext-t">延伸阅读</div><ul>{rel}</ul></div>'

    gzdt = _column(site, "/xxgk/gzdt/", "工作动态", ["2026-11-20", "2026-11-13", "2026-11-04"], 0,
                   crumbs='<a href="/xxgk/">信息公开</a> &gt; ', article_extra=related)
    site.trap("工作动态 fresh; its first article has a 延伸阅读 block", page="/xxgk/gzdt/")
    swdt = _column(site, "/xxgk/swdt/", "商务动态", ["2026-10-16", "2026-10-02"], 10, split=True,
                   crumbs='<a href="/xxgk/">信息公开</a> &gt; ')
    site.expect("UP002", "商务动态 5 weeks old, only in the site map, dates split as day + year-month", page="/xxgk/swdt/")
    qydt = _column(site, "/xxgk/qydt/", "企业动态", ["2026-10-08", "2026-09-20"], 20,
                   crumbs='<a href="/xxgk/">信息公开</a> &gt; ')
    site.expect("UP002", "企业动态 6 weeks old, reached only through the breadcrumbs of its articles", page="/xxgk/qydt/")
    tzgg = _column(site, "/xxgk/tzgg/", "通知公告", ["2026-05-06", "2026-01-10"], 30, labels_ok=False,
                   crumbs='<a href="/xxgk/">信息公开</a> &gt; ')
    site.expect("UP003", "通知公告 newest 2026-05-06", page="/xxgk/tzgg/")
    site.expect("MT001", "通知公告 article template without PubDate", pages=tzgg)
    all_articles = gzdt + swdt + qydt + tzgg
    site.expect("FT008", "article footers drop the 值班电话 (a body phone number does not count)", pages=all_articles)
    labels = {**_site(), "ColumnName": "统计数据", "ColumnDescription": "统计数据", "ColumnKeywords": "统计数据",
              "ColumnType": "统计数据"}
    site.add("/xxgk/tjsj/", _head(f"统计数据-{NAME}", labels) + _top() +
             '<div class="crumb">当前位置：<a href="/">首页</a> &gt; 统计数据</div>'
             '<div class="list-con"><ul></ul><div class="no-data">暂无数据</div></div>' + _footer())
    site.expect("UP005", "统计数据 shows 暂无数据", page="/xxgk/tjsj/")
    for path, name, inner in (("/jgsz/", "机构设置", "<h3>内设机构</h3>" + body_text("办公室负责机关日常运转", 3)),
                              ("/lxwm/", "联系我们", "<p>地址：临江市建设大街88号</p><p>值班电话：6612345</p>"),
                              ("/xxgk/ldxx/", "领导信息", '<div class="ld"><img src="/img/ld.png"/><p>局长：孙立平</p></div>')):
        labels = {**_site(), "ColumnName": name, "ColumnDescription": name, "ColumnKeywords": name, "ColumnType": name}
        site.add(path, _head(f"{name}-{NAME}", labels) + _top() +
                 f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {name}</div><div class="detail">{inner}</div>'
                 + _footer())
    site.trap("机构设置 / 联系我们 / 领导信息 single pages", page="/jgsz/")
    # 信息公开 overview: links to sub-columns without 更多 (not to 商务动态)
    labels = {**_site(), "ColumnName": "信息公开", "ColumnDescription": "信息公开", "ColumnKeywords": "信息公开",
              "ColumnType": "信息公开"}
    site.add("/xxgk/", _head(f"信息公开-{NAME}", labels) + _top() +
             '<div class="xxgk-nav"><a href="/xxgk/gzdt/">工作动态</a> <a href="/xxgk/tzgg/">通知公告</a> '
             '<a href="/xxgk/ldxx/">领导信息</a> <a href="/xxgk/tjsj/">统计数据</a></div>' + _footer())
    sm = "".join(f'<li><a href="{u}">{n}</a></li>' for u, n in
                 [*NAV, ("/xxgk/", "信息公开"), ("/xxgk/swdt/", "商务动态"), ("/xxgk/tjsj/", "统计数据"),
                  ("/hdjl/", "留言咨询"), ("/xxgk/zcjd/", "政策解读")])
    site.add("/wzdt/", _head(f"网站地图-{NAME}", _site()) + _top() + f'<div class="sitemap"><h3>网站地图</h3><ul>{sm}</ul></div>'
             + _footer())
    results = "".join(f'<div class="res"><a href="{u}">{TITLES[i]}</a><p>{body_text("检索摘要", 1)}</p></div>'
                      for i, u in enumerate(gzdt))
    site.add("/s/", _head(f"检索结果-{NAME}", _site()) + _top() + f'<div class="search-list"><p>检索结果：共 3 条</p>{results}</div>'
             + _footer())
    site.trap("search page /s?q=", page="/s")
    home_news = "".join(f'<li><a href="{u}">{TITLES[i]}</a>{_split(d)}</li>'
                        for i, (u, d) in enumerate(zip(gzdt + qydt, ["2026-11-20", "2026-11-13", "2026-11-04",
                                                                    "2026-10-08", "2026-09-20"])))
    home_tz = "".join(f'<li><a href="{u}">关于开展消费品以旧换新工作的通知</a><span>{d}</span></li>'
                      for u, d in zip(tzgg, ["2026-05-06", "2026-01-10"]))
    home = (_head(NAME, _site()) + _top() +
            '<div class="main"><div class="box"><div class="box-t">工作动态<a href="/xxgk/gzdt/" class="more">+</a></div>'
            f'<ul>{home_news}</ul></div>'
            f'<div class="box"><div class="box-t">通知公告<a href="/xxgk/tzgg/" class="more">更多+</a></div><ul>{home_tz}</ul></div>'
            '<div class="notice-line"><a class="nl" href="http://www.ag-yule8.example/">热点</a></div>'
            '<a class="skip" href="#footer" style="position:absolute;top:-999px">跳到页脚</a>'
            '<a href="/s?q=%C9%CC%CE%F1">热门检索：商务</a></div>' + _footer())
    site.add("/index.html", home)
    site.expect("SC001", "white link on the body's white background from <style>", target="ag-yule8.example")
    site.trap("zero-font nav whose links reset the size by a class rule", page="/")
    site.trap("footer: 网站主办：, ICP备案号：吉ICP备 10 digits, old 公安 form after 公网安备, 值班电话, 纠错 relay", page="/")
    _after_session3(site)
    site.binary["/img/red.png"] = PNG
    site.binary["/img/jc.png"] = PNG
    site.binary["/img/ld.png"] = PNG
    return site


def _after_session3(site: Site) -> None:
    """Variants added after the session-3 fixes (see the module docstring)."""
    include = ('<div class="foot"><p><a href="/wzdt/">网站地图</a></p><p>网站主办：临江市商务局　联系电话：0435-3221000</p>'
               f'<p>吉ICP备2021003456号-1　网站标识码：{CODE}</p>'
               '<p><a href="https://bszs.conac.cn/sitename?method=show&amp;id=1A2B3C4D5E6F70819A2B3C4D5E6F7081">'
               '<img src="/img/red.png"/></a> <a href="https://www.linjiang.gov.cn/jiucuo/index.html?sitecode='
               f'{CODE}"><img src="/img/jc.png" alt="网站纠错"/></a></p></div>')
    site.add("/include/foot.shtml", "<html><head><meta charset=\"gbk\"/></head><body>" + include + "</body></html>")
    site.allow("MT001", "the included footer fragment is not a page of its own", pages=["/include/foot.shtml"])
    msgs = [("2026-11-18", "咨询外贸企业出口退税办理流程", "请到市税务局办理。"),
            ("2026-11-15", "专业办证，各类假证均可办理，电话13900000000", ""),
            ("2026-11-09", "建议增加夜间消费集聚区", "已转相关科室研究。")]
    lis = "".join(f"<li><span>{d}</span><p>{q}</p><p>{a}</p></li>" for d, q, a in msgs)
    labels = {**_site(), "ColumnName": "留言咨询", "ColumnDescription": "留言咨询", "ColumnKeywords": "留言咨询",
              "ColumnType": "留言咨询"}
    html = (_head(f"留言咨询-{NAME}", labels) + _top() + f'<div class="hd-list"><ul>{lis}</ul></div>'
            '<iframe src="/include/foot.shtml" width="100%" height="160" frameborder="0"></iframe></body></html>')
    site.add("/hdjl/", html)
    site.expect("FT005", "留言咨询 template: its iframe footer include has no 公安 record", pages=["/hdjl/"])
    site.expect("TX003", "one 办证/假证 advertisement: one finding", page="/hdjl/", word="办证")
    site.trap("留言咨询: sponsor, contact, ICP, site code, badges and site map come from the iframe", page="/hdjl/")
    posts = "".join(f'<article class="item"><h3><a href="/xxgk/zcjd/{i}.html">{t}</a></h3><p class="tm">{d}</p></article>'
                    for i, (t, d) in enumerate((("关于促进消费的政策解读", "2026-04-01"), ("外贸稳增长政策问答", "2026-02-11"))))
    labels = {**_site(), "ColumnName": "政策解读", "ColumnDescription": "政策解读", "ColumnKeywords": "政策解读",
              "ColumnType": "政策解读"}
    site.add("/xxgk/zcjd/", _head(f"政策解读-{NAME}", labels) + _top() + f'<section class="posts">{posts}</section>'
             + _footer())
    site.expect("UP003", "政策解读 (<article> posts) newest 2026-04-01", page="/xxgk/zcjd/")
    for i, d in enumerate(("2026-04-01", "2026-02-11")):
        title = ("关于促进消费的政策解读", "外贸稳增长政策问答")[i]
        al = {**_site(), "ColumnName": "政策解读", "ColumnType": "政策解读", "ArticleTitle": title,
              "PubDate": f"{d} 09:00:00", "ContentSource": NAME}
        extra = ('<p><img src="/img/ld.png" data-original="/uploads/zcjd/tu1.jpg" alt="图解"/>'
                 '<a href="/xxgk/zcjd/old.html">原文件</a></p>') if i == 0 else ""
        site.add(f"/xxgk/zcjd/{i}.html", _head(f"{title}-{NAME}", al) + _top() +
                 f'<div class="detail"><h2>{title}</h2><div class="fbsj">发布时间：{d}</div>'
                 f'<div class="view">{body_text(title, 2, extra)}</div></div>' + _footer(contact=True))
    site.add("/xxgk/zcjd/old.html", '<html><head><meta charset="gbk"/><title>提示</title></head><body>'
             '<p>您要查看的文章已被移除，请返回首页。</p></body></html>')
    site.expect("LK002", "lazy image data-original answers 404", target="/uploads/zcjd/tu1.jpg")
    site.expect("LK004", "200 page saying 您要查看的文章已被移除", target="/xxgk/zcjd/old.html")
