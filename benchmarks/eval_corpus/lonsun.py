"""青川区人民政府: a Lonsun (龙讯 EX-GK)-style district portal: /content/column/N and /content/article/N URLs,
UTF-8 bytes behind a stale ``charset=gb2312`` meta, split day/month dates, tab blocks with 更多 links."""

from __future__ import annotations

from .common import PNG, TITLES, Site, body_text

NAME = "青川区人民政府"
CODE = "3401020001"


def _head(title: str, labels: dict[str, str]) -> str:
    metas = "\n".join(f'<meta name="{k}" content="{v}">' for k, v in labels.items())
    return f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{title}</title>
{metas}
<link rel="stylesheet" href="/assets/css/ex-gk.css">
<style>.tip-box{{background:#fff}} .tip-box .tip-link{{color:#fff;font-size:12px}}</style>
</head>"""


def _site() -> dict[str, str]:
    return {"SiteName": NAME, "SiteDomain": "www.qingchuan.gov.cn", "SiteIDCode": CODE}


NAV = [("/content/column/5561234", "工作动态"), ("/content/column/5560000", "信息公开"),
       ("/content/column/5561300", "通知公告"), ("/content/column/5561400", "领导之窗"),
       ("/content/column/5561500", "联系我们")]


def _top() -> str:
    items = "".join(f'<li class="nav-item"><a href="{u}">{n}</a></li>' for u, n in NAV)
    return f"""<body><div class="ls-top"><div class="container"><span class="welcome">欢迎访问{NAME}门户网站</span>
<a href="/site/search/5560001?keywords=%E6%94%BF%E5%8A%A1">站内搜索</a></div></div>
<div class="navbar"><ul><li class="nav-item"><a href="/">首页</a></li>{items}</ul></div>"""


def _footer(contact: bool = True) -> str:
    phone = "<p>总机：5123456　传真：5123400</p>" if contact else ""
    return f"""<div class="ls-footer"><div class="container">
<p><a href="/content/column/5569999">网站地图</a> | <a href="/content/column/5561500">联系我们</a></p>
<p>青川区人民政府（主办）　青川区政务服务数据管理局（承办）</p>{phone}
<p>网站标识码：{CODE}　<a href="https://beian.miit.gov.cn">皖ICP备12345678-2号</a>　
<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=34010202000456">皖公网安备 34010202000456号</a></p>
<script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/34/010/0000/40102001/CA340100000401020010001.js' type='text/javascript'%3E%3C/script%3E"));</script>
<script id="_jiucuo_" sitecode="{CODE}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>
</div></div></body></html>"""


def _split(d: str) -> str:
    y, m, dd = d.split("-")
    return f'<div class="date"><b>{dd}</b><span>{y}年{m}月</span></div>'


def _column(site: Site, col: int, name: str, dates: list[str], offset: int, split: bool = False) -> list[str]:
    arts, lis = [], []
    for i, d in enumerate(dates):
        n = offset + i
        url = f"/content/article/{27000000 + n}"
        arts.append((url, d, n))
        when = _split(d) if split else f'<span class="date">{d}</span>'
        lis.append(f'<li><a href="{url}" target="_blank" title="{TITLES[n % len(TITLES)]}">{TITLES[n % len(TITLES)]}</a>{when}</li>')
    labels = {**_site(), "ColumnName": name, "ColumnDescription": name, "ColumnType": name}  # no ColumnKeywords
    site.add(f"/content/column/{col}/", _head(f"{name}-{NAME}", labels) + _top() +
             f'<div class="container"><div class="ls-position">当前位置：<a href="/">首页</a> &gt; '
             f'<a href="/content/column/{col}">{name}</a></div><div class="ls-list"><ul class="doc-list">{"".join(lis)}</ul>'
             f'<div class="pagination">共 {len(dates)} 条</div></div></div>' + _footer())
    out = []
    for url, d, n in arts:
        title = TITLES[n % len(TITLES)]
        extra = ""
        if n == offset:  # contact details in the article body, not in the (contact-less) article footer
            extra = "<p>联系人：王女士，联系电话：0551-65123456，电子邮箱：qcfgw@qingchuan.gov.cn。</p>"
        if n == 1:  # one article only
            extra = "<p>会议强调，要深入学习贯彻习近平总书纪重要讲话精神，残废人就业帮扶要落到实处。</p>"
        labels = {**_site(), "ColumnName": name, "ColumnType": name, "ArticleTitle": title, "PubDate": f"{d} 16:20",
                  "ContentSource": "青川区人民政府办公室", "Author": "区政府办"}
        site.add(f"{url}/", _head(f"{title}-{NAME}", labels) + _top() +
                 f'<div class="container"><div class="ls-position">当前位置：<a href="/">首页</a> &gt; '
                 f'<a href="/content/column/{col}">{name}</a></div><div class="ls-article"><h1>{title}</h1>'
                 f'<div class="ls-info">发布时间：{d} 16:20　来源：青川区人民政府办公室</div>'
                 f'<div class="ls-content j-fontContent">{body_text(title, 3, extra)}</div></div></div>' + _footer(False))
        out.append(url)
    return out


def build() -> Site:
    site = Site("lonsun_qingchuan", NAME, CODE, "Lonsun EX-GK")
    site.register = {"site_code": CODE}
    site.domain = "www.qingchuan.gov.cn"
    gzdt = _column(site, 5561234, "工作动态", ["2026-10-21", "2026-10-14", "2026-09-29"], 0, split=True)
    site.expect("UP002", "工作动态 newest 2026-10-21, dates split over elements", page="/content/column/5561234/")
    zjdt = _column(site, 5560100, "镇街动态", ["2026-10-02", "2026-09-18"], 10)
    site.expect("UP002", "镇街动态 7 weeks old, only through the 信息公开 channel page", page="/content/column/5560100/")
    zcjd = _column(site, 5560200, "政策解读", ["2026-06-30", "2026-05-01"], 20)
    site.trap("政策解读 2026-06-30: within 6 months", page="/content/column/5560200/")
    tzgg = _column(site, 5561300, "通知公告", ["2026-11-18", "2026-11-05", "2026-10-28"], 30)
    yw = _column(site, 5561100, "青川要闻", ["2026-11-20", "2026-11-18", "2026-11-13", "2026-11-09"], 40)
    colpages = ["/content/column/5561234", "/content/column/5560100", "/content/column/5560200",
                "/content/column/5561300", "/content/column/5561100"]
    site.expect("MT001", "column template without ColumnKeywords", pages=[p + "/" for p in colpages] + colpages)
    arts = gzdt + zjdt + zcjd + tzgg + yw
    site.expect("FT008", "article footer has no contact (the body's phone number does not count)",
                pages=[*arts, *(a + "/" for a in arts)])
    site.expect("TX001", "习近平总书纪", page=gzdt[1], word="习近平总书纪")
    site.expect("TX003", "残废人", page=gzdt[1], word="残废人")
    # channel page 信息公开
    boxes = ""
    for col, nm, urls, dates in ((5560100, "镇街动态", zjdt, ["2026-10-02", "2026-09-18"]),
                                 (5560200, "政策解读", zcjd, ["2026-06-30", "2026-05-01"])):
        lis = "".join(f'<li><a href="{u}">{TITLES[(i + 5) % len(TITLES)]}</a><span>{d}</span></li>'
                      for i, (u, d) in enumerate(zip(urls, dates)))
        boxes += (f'<div class="gk-box"><div class="gk-hd"><h4>{nm}</h4><a class="more" href="/content/column/{col}">更多</a>'
                  f'</div><ul>{lis}</ul></div>')
    labels = {**_site(), "ColumnName": "信息公开", "ColumnDescription": "信息公开", "ColumnKeywords": "信息公开",
              "ColumnType": "信息公开"}
    site.add("/content/column/5560000/", _head(f"信息公开-{NAME}", labels) + _top() +
             f'<div class="container">{boxes}</div>' + _footer())
    for col, nm, inner in ((5561400, "领导之窗", "<h3>区长 陈立新</h3>" + body_text("主持区政府全面工作", 3)),
                           (5561500, "联系我们", "<p>地址：青川区府前路8号</p><p>电话：0551-65120000</p>"),
                           (5569999, "网站地图", "".join(f'<p><a href="{u}">{n}</a></p>' for u, n in NAV))):
        labels = {**_site(), "ColumnName": nm, "ColumnDescription": nm, "ColumnKeywords": nm, "ColumnType": nm}
        site.add(f"/content/column/{col}/", _head(f"{nm}-{NAME}", labels) + _top() +
                 f'<div class="container"><div class="ls-position">当前位置：<a href="/">首页</a> &gt; {nm}</div>'
                 f'<div class="ls-page">{inner}</div></div>' + _footer())
    site.trap("领导之窗 / 联系我们 single pages", page="/content/column/5561400/")
    results = "".join(f'<li><a href="{u}">{TITLES[i % len(TITLES)]}</a><p>{body_text("搜索摘要", 1)}</p>'
                      f'<span>发布时间：2026-11-{10 + i}</span></li>' for i, u in enumerate(yw))
    site.add("/site/search/5560001/", _head(f"搜索-{NAME}", _site()) + _top() +
             f'<div class="container search-wrap"><div class="search-tip">找到相关结果 4 条</div><ul>{results}</ul></div>'
             + _footer())
    site.trap("site-search result page", page="/site/search/5560001")
    home_gz = "".join(f'<li><a href="{u}">{TITLES[i]}</a>{_split(d)}</li>'
                      for i, (u, d) in enumerate(zip(gzdt, ["2026-10-21", "2026-10-14", "2026-09-29"])))
    home_yw = "".join(f'<li><a href="{u}">{TITLES[(40 + i) % len(TITLES)]}</a><span>{d[5:]}</span></li>'
                      for i, (u, d) in enumerate(zip(yw, ["2026-11-20", "2026-11-18", "2026-11-13", "2026-11-09"])))
    home_tz = "".join(f'<li><a href="{u}">关于开展冬季安全生产大检查的通知</a><span>{d}</span></li>'
                      for u, d in zip(tzgg, ["2026-11-18", "2026-11-05", "2026-10-28"]))
    home = (_head(NAME, _site()) + _top() +
            '<div class="container"><div class="tab-box"><div class="tab-hd"><span class="on">青川要闻</span>'
            f'<span>工作动态</span><a class="more" href="/content/column/5561100">更多</a></div>'
            f'<div class="tab-bd"><ul>{home_yw}</ul><ul style="display:none">{home_gz}</ul></div></div>'
            '<div class="tab-box"><div class="tab-hd"><span>工作动态</span><a class="more" href="/content/column/5561234">'
            f'更多</a></div><ul>{home_gz}</ul></div>'
            f'<div class="tab-box"><div class="tab-hd"><span>通知公告</span><a class="more" href="/content/column/5561300">更多</a></div>'
            f'<ul>{home_tz}</ul></div>'
            '<div class="tip-box"><a class="tip-link" href="http://www.kyty-sports.example/">更多资讯</a></div></div>'
            + _footer())
    site.add("/index.html", home)
    site.expect("SC001", "white link on a white box (classes in <style>)", target="kyty-sports.example")
    site.trap("UTF-8 pages declaring gb2312: text must be read right", page="/")
    site.trap("footer: XX（主办）, ICP -N before 号, 总机 without area code", page="/")
    site.binary["/assets/css/ex-gk.css"] = b"body{margin:0}\n"
    site.binary["/assets/logo.png"] = PNG
    return site
