"""A synthetic dzwww-shaped portal of any size, generated on request (for benchmarks).

:class:`SyntheticPortal` describes a portal of *N* fictional articles spread over
a few channels, deterministic from a seed: the same seed and size give the same
URLs and the same bytes for every page. Nothing is written to disk; each page is
rendered when it is requested.

* Articles use the variant-C markup of the fixture site (``div#news-head h2``,
  ``div#news-side`` with date / 来源 / 作者, ``div#news-body``, credit block (a)
  printed twice, a related box), 60–100 KB per page, of which 2–6 KB (UTF-8)
  is body text; the rest is the template: inline styles, scripts, the nav
  bar, the 融媒体矩阵 dropdown, side columns of links and the footer.
* Channel list pages hold 20–40 items (newest first, each with its date) and
  are paginated ``index.htm``, ``index_1.htm`` … with the TRS
  ``createPageHTML(count, index, "index", "htm")`` script as the only pager.
* ``/robots.txt`` disallows ``/sd/private/`` (nothing links there).

:class:`SyntheticServer` serves a portal on 127.0.0.1 (HTTP/1.1, keep-alive)
from a daemon thread, like :class:`~newscrawl.replica.ReplicaServer`, and
records every request path. Run it from a shell with
``python -m newscrawl.replica.synthetic --articles 2000``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newscrawl.replica.server import LocalHTTPServer, serve_until_signalled

__all__ = [
    "DEFAULT_CHANNELS",
    "DEFAULT_SEED",
    "MAX_LIST_ITEMS",
    "MIN_LIST_ITEMS",
    "ROBOTS_TXT",
    "Channel",
    "SyntheticArticle",
    "SyntheticPortal",
    "SyntheticServer",
    "main",
]

DEFAULT_SEED = 20250523
MIN_LIST_ITEMS = 20
MAX_LIST_ITEMS = 40
MIN_PAGE_BYTES = 60_000
MAX_PAGE_BYTES = 100_000
MIN_BODY_TEXT_BYTES = 2_048
MAX_BODY_TEXT_BYTES = 6_144

ROBOTS_TXT = b"User-agent: *\nDisallow: /sd/private/\n"

_NEWEST = dt.datetime(2025, 10, 28, 18, 30)
_FIRST_DOCID = 16_900_000


@dataclass(frozen=True)
class Channel:
    """A channel: sub-site, path under it, name and breadcrumb."""

    site: str
    path: str
    name: str
    crumbs: tuple[str, ...]

    @property
    def prefix(self) -> str:
        """URL path of the channel directory, e.g. ``/www/news/yw/``."""
        return f"/{self.site}/{self.path}/"


DEFAULT_CHANNELS = (
    Channel("www", "xinwen/shehuixinwen", "社会新闻", ("首页", "新闻", "社会新闻")),
    Channel("www", "news/yw", "要闻", ("首页", "要闻")),
    Channel("sd", "sdnews", "山东新闻", ("首页", "山东", "山东新闻")),
    Channel("edu", "dzjyxw/jyzytt2", "教育资讯", ("首页", "教育", "教育资讯")),
    Channel("www", "finance/jrtt", "财经头条", ("首页", "财经", "财经头条")),
)


@dataclass(frozen=True)
class SyntheticArticle:
    """One article of the portal: where it lives and what its list item shows."""

    path: str
    channel: int
    docid: int
    published: dt.datetime
    title: str


# -- vocabulary -------------------------------------------------------------------

_PLACES = (
    "济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁",
    "泰安", "威海", "日照", "临沂", "德州", "聊城", "滨州", "菏泽",
)  # fmt: skip
_DISTRICTS = (
    "历下区", "市南区", "张店区", "薛城区", "垦利区", "芝罘区", "奎文区", "任城区",
    "泰山区", "环翠区", "东港区", "兰山区", "德城区", "东昌府区", "滨城区", "牡丹区",
)  # fmt: skip
_BODIES = (
    "市教育局", "市人民医院", "市场监管部门", "文化和旅游局", "高新区管委会", "农业农村局",
    "交通运输局", "生态环境局", "街道办事处", "供电公司", "住房城乡建设局", "人社局",
    "消防救援支队", "税务局", "科技局", "卫生健康委", "应急管理局", "水利局",
)  # fmt: skip
_ACTIONS = (
    "推进老旧小区改造", "启动安全生产大检查", "开展“我为群众办实事”活动", "举办职业技能大赛",
    "上线“一网通办”服务专区", "建成智慧停车平台", "发布乡村振兴十项举措", "开通城乡公交新线路",
    "组织专家义诊进社区", "完成黄河滩区迁建任务", "实施课后服务提升行动", "召开重点项目推进会",
    "启用新建中小学校舍", "推出夜间文旅消费新场景", "开展秋冬季大气污染防治攻坚",
    "设立企业服务专员", "试点“15分钟便民生活圈”", "举办高校毕业生专场招聘会",
)  # fmt: skip
_RESULTS = (
    "惠及居民三万余户", "服务群众超十万人次", "带动就业两千余人", "总投资达12亿元",
    "覆盖全市所有乡镇", "群众满意度达98%", "较去年同期增长15.6%", "首批42个项目集中开工",
    "新增学位4800个", "累计发放补贴1.3亿元", "办理时限压缩一半以上",
)  # fmt: skip
_PLANS = (
    "进一步完善长效管理机制", "把好事办实、把实事办好", "加快推动项目落地见效",
    "持续优化营商环境", "扩大试点范围，形成可复制推广的经验", "加强部门协同和信息共享",
    "推动更多服务事项“掌上办”“就近办”", "健全考核评价体系",
)  # fmt: skip
_ROLES = ("相关负责人", "工作人员", "项目负责人", "社区党委书记", "一线干部", "参与企业负责人")
_CITIZENS = ("市民", "居民", "游客", "家长", "村民", "企业负责人", "返乡创业青年", "志愿者")
_QUOTES = (
    "以前办事要跑好几趟，现在在家门口就能办好，真是方便多了。",
    "这项工作关系到千家万户，我们每天都要到现场盯进度、查质量。",
    "看得见的变化让大家心里更踏实，对以后的日子也更有盼头了。",
    "我们把群众的需求列成清单，一项一项地解决、一件一件地销号。",
    "政策好、服务好，企业发展的信心也更足了。",
    "孩子在学校就能完成作业，还能参加兴趣课，家长接送也不着急了。",
)  # fmt: skip
_DETAILS = (
    "据了解，该项目分三期实施，目前一期工程已完成主体建设，二期工程正在加紧推进",
    "活动现场设置了政策咨询、技能展示、成果展览等多个区域，吸引了众多群众驻足参观",
    "为确保工作落实落细，相关部门成立了工作专班，实行清单化管理、项目化推进",
    "今年以来，当地围绕群众急难愁盼问题，梳理出重点任务27项，逐项明确责任单位和完成时限",
    "工作人员采取“白+黑”“5+2”工作模式，全力保障各项任务按期完成",
    "下一步，相关部门还将通过线上线下相结合的方式，持续开展政策宣传和跟踪服务",
    "与此同时，当地还建立了定期调度、督导检查和群众评议机制，确保各项措施取得实效",
    "统计数据显示，前三季度全市相关领域主要指标均保持较快增长，发展质量稳步提升",
)  # fmt: skip
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"  # noqa: E501
_GIVEN = (
    "明", "晓帆", "婷", "伟", "静", "磊", "娜", "强", "敏", "洋", "艳", "勇", "军", "杰", "娟",
    "涛", "超", "霞", "鹏", "亚飞", "德勋", "振", "蕾", "一颖", "学泉", "时川", "明明", "封", "堃",
)  # fmt: skip
_SOURCES = ("大众网", "大众网", "大众网", "大众日报", "新华社", "齐鲁晚报", "海报新闻")
_MATRIX = (
    ("http://sjb.dzwww.com/", "山东手机报"),
    ("https://hb.dzwww.com/", "海报新闻"),
    ("http://www.dzwww.com/weixin/", "大众网官方微信"),
    ("https://weibo.com/dzwww", "大众网官方微博"),
    ("https://www.douyin.com/user/dzwww", "抖音"),
    ("https://mp.peopleapp.com/", "人民号"),
    ("http://dmpt.dzwww.com/", "全国党媒平台"),
    ("https://www.yangshipin.cn/", "央视频"),
    ("https://baijiahao.baidu.com/", "百家号"),
    ("https://www.kuaishou.com/", "快手"),
    ("https://www.toutiao.com/", "头条号"),
    ("https://www.bilibili.com/", "哔哩哔哩"),
)
_NAV = (
    ("http://www.dzwww.com/", "首页"),
    ("http://www.dzwww.com/news/yw/", "要闻"),
    ("http://sd.dzwww.com/", "山东"),
    ("http://www.dzwww.com/xinwen/", "新闻"),
    ("http://finance.dzwww.com/", "财经"),
    ("http://edu.dzwww.com/", "教育"),
    ("http://health.dzwww.com/", "健康"),
    ("http://travel.dzwww.com/", "文旅"),
    ("http://sports.dzwww.com/", "体育"),
    ("http://v.dzwww.com/", "视频"),
    ("http://paper.dzwww.com/", "数字报"),
    ("http://www.sd.gov.cn/", "山东省政府"),
)
_SUBNAV = (
    "即时新闻", "国内新闻", "国际新闻", "社会新闻", "评论", "图片", "专题", "法治",
    "科技", "汽车", "房产", "健康", "文旅", "体育", "娱乐", "教育", "公益", "理论",
)  # fmt: skip
_SIDE_BOXES = ("热点排行", "图片新闻", "专题推荐", "山东各市", "视频", "评论", "网站地图")


# -- text generation -------------------------------------------------------------------


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _headline(rng: random.Random) -> str:
    place = rng.choice(_PLACES)
    text = place + rng.choice(_BODIES) + rng.choice(_ACTIONS)
    if rng.random() < 0.5:
        text += " " + rng.choice(_RESULTS)
    return text


def _sentence(rng: random.Random, place: str) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"{place}{rng.choice(_BODIES)}{rng.choice(_ACTIONS)}，{rng.choice(_RESULTS)}。"
    if kind == 1:
        citizen = rng.choice(_CITIZENS)
        return f"“{rng.choice(_QUOTES)}”{place}{citizen}{_name(rng)}说。"
    if kind == 2:
        return f"{rng.choice(_DETAILS)}。"
    if kind == 3:
        who = place + rng.choice(_BODIES) + rng.choice(_ROLES)
        return f"{who}介绍，{rng.choice(_DETAILS)}，{rng.choice(_RESULTS)}。"
    if kind == 4:
        return f"下一步，{place}将{rng.choice(_PLANS)}，{rng.choice(_PLANS)}。"
    district = _DISTRICTS[_PLACES.index(place)]
    return f"在{place}{district}，{rng.choice(_ACTIONS)}的做法已经铺开，{rng.choice(_RESULTS)}。"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- fixed template parts (the same on every page, like a real TRS template) ----------


def _stylesheet() -> str:
    rng = random.Random("stylesheet")
    blocks = ("top", "nav", "news", "side", "list", "foot", "hot", "pic", "zt", "city", "video")
    parts = ("wrap", "title", "item", "link", "more", "box", "tab", "con", "txt", "img", "time")
    props = (
        "margin: 0 auto", "padding: 0 10px", "font-size: 14px", "line-height: 26px",
        "color: #333", "color: #c00", "background: #f5f5f5", "border-bottom: 1px solid #e5e5e5",
        "overflow: hidden", "float: left", "float: right", "display: block", "text-align: center",
        "white-space: nowrap", "text-overflow: ellipsis", "position: relative", "width: 1200px",
    )  # fmt: skip
    rules = [
        'body { margin: 0; font-family: "Microsoft YaHei", "PingFang SC", sans-serif; }',
        "#news-head h2 { font-size: 30px; line-height: 44px; color: #222; }",
        "#news-side { float: left; width: 120px; color: #888; }",
        "#news-side .date { font-size: 26px; color: #c00; }",
        "#news-body { float: right; width: 700px; font-size: 18px; line-height: 34px; }",
        "#news-body img { max-width: 660px; }",
        ".matrix ul { display: none; position: absolute; }",
        ".matrix:hover ul { display: block; }",
    ]
    for block in blocks:
        for part in parts:
            chosen = "; ".join(rng.sample(props, 3))
            rules.append(f".{block}-{part}, .{block} .{part} a:hover {{ {chosen}; }}")
    return "\n  ".join(rules)


_TRACKER_JS = """
  var _hmt = _hmt || [];
  (function () {
    var hm = document.createElement("script");
    hm.src = "https://hm.baidu.com/hm.js?5f4c2bd3a1e4e1a9f5e7c4a0a29b4d61";
    var s = document.getElementsByTagName("script")[0];
    s.parentNode.insertBefore(hm, s);
  })();
"""

_WIDGET_JS = """
  (function (w, d) {
    var dz = w.dz = w.dz || {};
    dz.cookie = function (k, v, days) {
      if (v === undefined) {
        var m = d.cookie.match(new RegExp("(?:^|; )" + k + "=([^;]*)"));
        return m ? decodeURIComponent(m[1]) : null;
      }
      var e = new Date(); e.setTime(e.getTime() + (days || 30) * 864e5);
      d.cookie = k + "=" + encodeURIComponent(v) + "; expires=" + e.toUTCString() + "; path=/";
    };
    dz.tab = function (box) {
      var tabs = box.querySelectorAll(".tab span"), cons = box.querySelectorAll(".con");
      for (var i = 0; i < tabs.length; i++) {
        (function (n) {
          tabs[n].onmouseover = function () {
            for (var j = 0; j < tabs.length; j++) {
              tabs[j].className = ""; cons[j].style.display = "none";
            }
            tabs[n].className = "on"; cons[n].style.display = "block";
          };
        })(i);
      }
    };
    dz.share = function (site) {
      var url = encodeURIComponent(location.href), title = encodeURIComponent(d.title);
      var targets = {
        weibo: "https://service.weibo.com/share/share.php?url=" + url + "&title=" + title,
        qzone: "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?url=" + url,
        douban: "https://www.douban.com/share/service?href=" + url + "&name=" + title
      };
      if (targets[site]) { w.open(targets[site], "_blank", "width=620,height=450"); }
      return false;
    };
    dz.lazy = function () {
      var imgs = d.querySelectorAll("img[data-src]");
      var h = w.innerHeight || d.documentElement.clientHeight;
      for (var i = 0; i < imgs.length; i++) {
        var r = imgs[i].getBoundingClientRect();
        if (r.top < h + 200) {
          imgs[i].src = imgs[i].getAttribute("data-src");
          imgs[i].removeAttribute("data-src");
        }
      }
    };
    w.addEventListener && w.addEventListener("scroll", dz.lazy);
  })(window, document);
"""

_PAGER_JS = """
// TRS 分页（dzwww 公共分页脚本）
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var nCurrIndex = _nCurrIndex || 0;
  if (nCurrIndex == 0) {
    document.write("<a class=\\"on\\">1</a>");
  } else {
    document.write("<a class=\\"text\\" href=\\"" + (nCurrIndex - 1 == 0 ? _sPageName : _sPageName + "_" + (nCurrIndex - 1)) + "." + _sPageExt + "\\">上一页</a>");
    document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">1</a>");
  }
  for (var i = 1; i < _nPageCount; i++) {
    if (i % 10 == 0) { document.write("<br/><br/>"); }
    if (nCurrIndex == i) {
      document.write("<a class=\\"on\\">" + (i + 1) + "</a>");
    } else {
      document.write("<a href=\\"" + _sPageName + "_" + i + "." + _sPageExt + "\\">" + (i + 1) + "</a>");
    }
  }
  if (nCurrIndex < _nPageCount - 1) {
    document.write("<a class=\\"text\\" href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>");
  }
}
"""  # noqa: E501


def _hot_data_js(rng: random.Random) -> str:
    rows = []
    for n in range(48):
        title = _headline(rng).replace('"', "")
        rows.append(
            f'{{"id": {_FIRST_DOCID + 7000 + n}, "title": "{title}", '
            f'"url": "http://www.dzwww.com/xinwen/jishixinwen/{n:03d}.htm", '
            f'"pv": {rng.randrange(1000, 99999)}}}'
        )
    return "  var dzHotData = [\n    " + ",\n    ".join(rows) + "\n  ];\n"


def _top_and_nav() -> str:
    matrix = "\n".join(
        f'          <li><a href="{u}" target="_blank">{t}</a></li>' for u, t in _MATRIX
    )
    nav = "\n".join(f'    <a href="{u}" target="_blank">{t}</a>' for u, t in _NAV)
    subnav = "\n".join(
        f'    <a href="http://www.dzwww.com/xinwen/{i:02d}/" target="_blank">{t}</a>'
        for i, t in enumerate(_SUBNAV)
    )
    return f"""<!-- 顶部导航 开始 -->
<div id="top">
  <div class="top-wrap">
    <div class="logo"><a href="http://www.dzwww.com/" target="_blank"><img src="//www.dzwww.com/tpl/v2019/images/logo.png" alt="大众网"></a></div>
    <div class="top-links">
      <a class="search" href="http://search.dzwww.com/" target="_blank">搜索</a>
      <a class="hbxw" href="https://hb.dzwww.com/" target="_blank">海报新闻</a>
      <div class="matrix">
        <span class="matrix-title">融媒体矩阵</span>
        <ul class="matrix-list">
{matrix}
        </ul>
      </div>
    </div>
  </div>
</div>
<div id="nav">
  <div class="nav-wrap">
{nav}
  </div>
  <div class="subnav-wrap">
{subnav}
  </div>
</div>
<!-- 顶部导航 结束 -->
"""  # noqa: E501


_FOOTER = """<!-- 底部 开始 -->
<div id="footer">
  <div class="footer-links">
    <a href="http://www.dzwww.com/about/" target="_blank">关于我们</a> |
    <a href="http://www.dzwww.com/about/lxwm.htm" target="_blank">联系我们</a> |
    <a href="http://www.dzwww.com/about/ggfw/" target="_blank">广告服务</a> |
    <a href="http://www.dzwww.com/about/bqsm.htm" target="_blank">版权声明</a> |
    <a href="http://www.dzwww.com/about/wzdt/" target="_blank">网站地图</a>
  </div>
  <p>大众报业集团主办　大众网版权所有　未经授权禁止复制或建立镜像</p>
  <p><a href="https://beian.miit.gov.cn/" target="_blank">鲁ICP备09023866号</a>　互联网新闻信息服务许可证：37120170001　<a href="http://www.beian.gov.cn/" target="_blank">鲁公网安备 37010202000111号</a></p>
  <p>违法和不良信息举报电话：0531-85193543　举报邮箱：jubao@dzwww.com</p>
</div>
<!-- 底部 结束 -->
<script type="text/javascript" src="//www.dzwww.com/tpl/v2019/js/share.js"></script>
<script type="text/javascript">
  $(function () {
    $(".matrix").hover(function () { $(this).find("ul").show(); }, function () { $(this).find("ul").hide(); });
    $(".hyh").on("click", function () { /* 换一换：由接口随机返回相关稿件 */ return false; });
    $(".side-box").each(function () { dz.tab(this); });
  });
</script>
</body>
</html>
"""  # noqa: E501


def _head(title: str, meta: str, extra_js: str, style: str, hot_js: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
{meta}<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="shortcut icon" href="http://www.dzwww.com/favicon.ico">
<link rel="stylesheet" type="text/css" href="//www.dzwww.com/tpl/v2019/css/common.css">
<link rel="stylesheet" type="text/css" href="//www.dzwww.com/tpl/v2019/css/article.css">
<style type="text/css">
  {style}
</style>
<script type="text/javascript" src="//www.dzwww.com/tpl/v2019/js/jquery-1.12.4.min.js"></script>
<script type="text/javascript">{_TRACKER_JS}</script>
<script type="text/javascript">{_WIDGET_JS}{hot_js}</script>
{extra_js}</head>
<body>
"""


# -- the portal ----------------------------------------------------------------------

_LIST_PAGE = re.compile(r"^index(?:_(\d+))?\.htm$")


class SyntheticPortal:
    """A dzwww-shaped portal of ``articles`` articles, deterministic from ``seed``.

    Each article goes to a channel drawn at random (seeded); articles are
    dated newest first, one every 5–60 minutes going back from 2025-10-28
    18:30 (Beijing time). ``articles`` lists them all, ``by_channel`` per
    channel, ``pages`` the list pages of each channel (lists of articles).
    :meth:`render` returns any page's status, headers and bytes.
    """

    def __init__(
        self,
        articles: int = 2000,
        seed: int = DEFAULT_SEED,
        channels: tuple[Channel, ...] = DEFAULT_CHANNELS,
    ) -> None:
        if articles < 1:
            raise ValueError("a synthetic portal needs at least one article")
        self.seed = seed
        self.channels = channels
        rng = random.Random(f"{seed}:catalog")
        self.articles: list[SyntheticArticle] = []
        self.by_channel: list[list[SyntheticArticle]] = [[] for _ in channels]
        when = _NEWEST
        docid = _FIRST_DOCID
        for _ in range(articles):
            when -= dt.timedelta(minutes=rng.randint(5, 60))
            docid -= rng.randint(1, 40)
            index = rng.randrange(len(channels))
            channel = channels[index]
            path = f"{channel.prefix}{when:%Y%m}/t{when:%Y%m%d}_{docid}.htm"
            article = SyntheticArticle(path, index, docid, when, _headline(rng))
            self.articles.append(article)
            self.by_channel[index].append(article)
        self.by_path = {a.path: a for a in self.articles}
        self.pages: list[list[list[SyntheticArticle]]] = [
            self._paginate(items, rng) for items in self.by_channel
        ]
        self._rank = {a.path: n for items in self.by_channel for n, a in enumerate(items)}
        self._prefixes = {c.prefix: i for i, c in enumerate(channels)}
        self._style = _stylesheet()
        self._hot_js = _hot_data_js(random.Random(f"{seed}:hot"))
        self._top = _top_and_nav()
        self._filler = self._filler_pool(random.Random(f"{seed}:filler"))
        self._filler_sizes = [len(item) for item in self._filler]

    @staticmethod
    def _paginate(items: list[SyntheticArticle], rng: random.Random) -> list[list]:
        """Split a channel's articles into list pages of 20–40 items."""
        pages: list[list[SyntheticArticle]] = []
        start, remaining = 0, len(items)
        while remaining > MAX_LIST_ITEMS:
            size = rng.randint(MIN_LIST_ITEMS, MAX_LIST_ITEMS)
            if remaining - size < MIN_LIST_ITEMS:
                size = remaining - MIN_LIST_ITEMS
            pages.append(items[start : start + size])
            start += size
            remaining -= size
        pages.append(items[start:])
        return pages

    # -- catalogue -------------------------------------------------------------------

    def channel_paths(self) -> list[str]:
        """The channel directory paths (start URLs relative to the server)."""
        return [c.prefix for c in self.channels]

    def list_page_paths(self) -> list[str]:
        """Every list page path, ``<channel>/`` for the first page, ``index_N.htm`` after."""
        paths = []
        for channel, pages in zip(self.channels, self.pages, strict=True):
            paths.append(channel.prefix)
            paths += [f"{channel.prefix}index_{n}.htm" for n in range(1, len(pages))]
        return paths

    def article_paths(self) -> list[str]:
        """Every article path, newest first."""
        return [a.path for a in self.articles]

    @property
    def max_list_pages(self) -> int:
        """The largest number of list pages of any channel."""
        return max(len(pages) for pages in self.pages)

    # -- rendering -------------------------------------------------------------------

    def render(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        """``(status, headers, body)`` for a request path (query ignored)."""
        path = unquote(urlsplit(raw_path).path)
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, ROBOTS_TXT
        article = self.by_path.get(path)
        if article is not None:
            return 200, {"Content-Type": "text/html"}, self.article_page(article)
        directory, _, name = path.rpartition("/")
        channel = self._prefixes.get(directory + "/")
        if channel is not None:
            number = self._list_page_number(name)
            if number is not None and number < len(self.pages[channel]):
                return 200, {"Content-Type": "text/html"}, self.list_page(channel, number)
        if path + "/" in self._prefixes:
            return 301, {"Location": path + "/"}, b""
        return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404 Not Found</h1>\n"

    @staticmethod
    def _list_page_number(name: str) -> int | None:
        """0 for ``""``/``index.htm``, N for ``index_N.htm`` (N ≥ 1, no leading zero)."""
        if name in ("", "index.htm"):
            return 0
        match = _LIST_PAGE.match(name)
        if match is None or match.group(1) is None or match.group(1).startswith("0"):
            return None
        return int(match.group(1))

    def _filler_pool(self, rng: random.Random) -> list[bytes]:
        """Side-column link items (absolute links to the live portal, never article-shaped)."""
        items = []
        for n in range(600):
            title = _escape(_headline(rng))
            sub = rng.choice(("www", "sd", "edu", "finance", "health", "travel"))
            day = (_NEWEST - dt.timedelta(days=rng.randrange(400))).strftime("%m-%d")
            items.append(
                f'      <li><a href="http://{sub}.dzwww.com/zt/{n:04d}/" target="_blank" '
                f'title="{title}">{title}</a><span class="time">{day}</span></li>\n'.encode()
            )
        return items

    def _side(self, rng: random.Random, budget: int) -> bytes:
        """Side boxes of link items adding up to about ``budget`` bytes."""
        if budget <= 0:
            return b""
        out = [b'<div class="news-right">\n']
        used = len(out[0])
        start = rng.randrange(len(self._filler))
        n = 0
        while used < budget:
            if n % 20 == 0:
                if n:
                    out.append(b"    </ul>\n  </div>\n")
                box = _SIDE_BOXES[(n // 20) % len(_SIDE_BOXES)]
                head = (
                    f'  <div class="side-box">\n    <div class="tab"><span class="on">{box}</span>'
                    f'<a class="more" href="http://www.dzwww.com/" target="_blank">更多</a>'
                    f'</div>\n    <ul class="con">\n'
                ).encode()
                out.append(head)
                used += len(head) + 20
            item = self._filler[(start + n) % len(self._filler)]
            out.append(item)
            used += len(item)
            n += 1
        out.append(b"    </ul>\n  </div>\n</div>\n")
        return b"".join(out)

    def _position(self, channel: Channel) -> str:
        links = ['<a href="http://www.dzwww.com/" target="_blank">首页</a>']
        for crumb in channel.crumbs[1:-1]:
            links.append(f'<a href="http://www.dzwww.com/" target="_blank">{crumb}</a>')
        links.append(f'<a href="{channel.prefix}">{channel.crumbs[-1]}</a>')
        return '  <div class="position">' + " &gt;".join(links) + "</div>\n"

    def article_page(self, article: SyntheticArticle) -> bytes:
        """The variant-C page of one article (60–100 KB, UTF-8)."""
        rng = random.Random(f"{self.seed}:{article.path}")
        channel = self.channels[article.channel]
        target = rng.randint(MIN_PAGE_BYTES, MAX_PAGE_BYTES)
        place = rng.choice(_PLACES)
        district = _DISTRICTS[_PLACES.index(place)]
        when = article.published
        source = rng.choice(_SOURCES)
        authors = [_name(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
        editor, reviewer = _name(rng), _name(rng)
        title = _escape(article.title)

        paragraphs: list[str] = []
        text_bytes = 0
        wanted = rng.randint(MIN_BODY_TEXT_BYTES, MAX_BODY_TEXT_BYTES)
        lead = f"{when.month}月{when.day}日，" + _sentence(rng, place)
        paragraphs.append(lead)
        text_bytes += len(lead.encode())
        while text_bytes < wanted:
            para = "".join(_sentence(rng, place) for _ in range(rng.randint(2, 4)))
            paragraphs.append(para)
            text_bytes += len(para.encode())
        body = [f"      <p>　　{_escape(p)}</p>\n" for p in paragraphs]
        for number in range(rng.choice((0, 1, 1, 2))):
            at = rng.randint(1, len(body) - 1)
            serial = f"{article.docid % 1000:03d}{number}{rng.randrange(10**8):08d}"
            image = f"W0{when:%Y%m%d}{serial}.jpg"
            body.insert(
                at,
                f'      <p style="text-align: center"><img src="./{image}" oldsrc="{image}" '
                f'width="600" height="400" alt="" title=""></p>\n'
                f'      <p style="text-align: center">{place}{district}'
                f"{rng.choice(_ACTIONS)}现场</p>\n",
            )
        credit = f"责编：{editor}　审签：{reviewer}"
        body.append(f"      <p>{credit}</p>\n")
        siblings = self.by_channel[article.channel]
        at = self._rank[article.path]
        related = siblings[max(0, at - 3) : at] + siblings[at + 1 : at + 4]
        related_items = "".join(
            f'      <li><a href="../{r.published:%Y%m}/t{r.published:%Y%m%d}_{r.docid}.htm" '
            f'target="_blank">{_escape(r.title)}</a></li>\n'
            for r in related
        )
        clock = f" {when:%H:%M}" if rng.random() < 0.7 else ""
        author_text = rng.choice((" ", "、")).join(authors)
        description = _escape(paragraphs[0][:60])
        meta = (
            f'<meta name="keywords" content="{place},{channel.name},大众网">\n'
            f'<meta name="description" content="{description}">\n'
            f'<meta name="publishdate" content="{when:%Y-%m-%d}">\n'
            f'<meta name="source" content="{source}">\n'
        )
        head = _head(f"{title}_{channel.name}_大众网", meta, "", self._style, self._hot_js)
        main = (
            f"{self._position(channel)}"
            f'  <div id="news-head">\n    <h2>{title}</h2>\n  </div>\n'
            f'  <div class="news-main clearfix">\n'
            f'    <div id="news-side">\n'
            f'      <div class="date">\n        {when:%Y}\n'
            f"        / <label>{when:%m/%d}{clock}</label>\n      </div>\n"
            f'      <div class="text">\n        <h5>来源:</h5>\n        <p>{source}</p>\n'
            f"      </div>\n"
            f'      <div class="text">\n        <h5>作者:</h5>\n        <p>{author_text}</p>\n'
            f"      </div>\n"
            f'      <div class="code">\n        <div id="qrcode"><img src="http://www.dzwww.com/'
            f'tpl/v2019/images/qrcode_m.png" alt="二维码"></div>\n        <p>手机查看</p>\n'
            f"      </div>\n    </div>\n"
            f'    <div id="news-body">\n{"".join(body)}    </div>\n  </div>\n'
            f'  <div class="zrbj">\n    <p>{credit}</p>\n  </div>\n'
            f'  <div class="xgtj">\n    <h3>相关推荐 <a class="hyh" href="javascript:void(0)">'
            f"换一换</a></h3>\n    <ul>\n{related_items}    </ul>\n  </div>\n"
        )
        before = (head + self._top + '<div class="container">\n' + main).encode()
        after = ("</div>\n" + _FOOTER).encode()
        side = self._side(rng, target - len(before) - len(after))
        return before + side + after

    def list_page(self, channel_index: int, number: int) -> bytes:
        """List page ``number`` (0 = ``index.htm``) of a channel."""
        channel = self.channels[channel_index]
        pages = self.pages[channel_index]
        rng = random.Random(f"{self.seed}:{channel.prefix}:{number}")
        items = []
        for article in pages[number]:
            summary = _escape(_sentence(random.Random(article.docid), rng.choice(_PLACES)))
            clock = f" {article.published:%H:%M}" if article.docid % 3 else ""
            items.append(
                f'    <div class="list-item">\n'
                f'      <h3><a href="./{article.published:%Y%m}/t{article.published:%Y%m%d}_'
                f'{article.docid}.htm" target="_blank">{_escape(article.title)}</a></h3>\n'
                f'      <p class="summary">{summary}</p>\n'
                f'      <span class="time">{article.published:%Y-%m-%d}{clock}</span>\n'
                f"    </div>\n"
            )
        meta = (
            f'<meta name="keywords" content="大众网,{channel.name},山东新闻">\n'
            f'<meta name="description" content="大众网{channel.name}频道，'
            f'权威发布山东及国内外新闻。">\n'
        )
        pager_js = f'<script type="text/javascript">{_PAGER_JS}</script>\n'
        head = _head(f"{channel.name}_大众网", meta, pager_js, self._style, self._hot_js)
        main = (
            f"{self._position(channel)}"
            f'  <div class="list-main">\n{"".join(items)}'
            f'    <div class="page" id="page">\n      <script type="text/javascript">'
            f'createPageHTML({len(pages)}, {number}, "index", "htm");</script>\n    </div>\n'
            f"  </div>\n"
        )
        before = (head + self._top + '<div class="container">\n' + main).encode()
        after = ("</div>\n" + _FOOTER).encode()
        return before + self._side(rng, 12_000) + after


# -- the server ----------------------------------------------------------------------


class SyntheticServer(LocalHTTPServer):
    """Serve a :class:`SyntheticPortal` over HTTP (see :class:`LocalHTTPServer`)."""

    server_version = "SyntheticHTTP/1.0"

    def __init__(
        self,
        portal: SyntheticPortal,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_log: str | Path | None = None,
    ) -> None:
        super().__init__(host, port, request_log=request_log)
        self.portal = portal

    def respond(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        return self.portal.render(raw_path)


def main(argv: list[str] | None = None) -> int:
    """Serve a synthetic portal until SIGTERM/SIGINT; print its URL and channels first."""
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.replica.synthetic",
        description="Serve a synthetic dzwww-shaped portal generated on request.",
    )
    parser.add_argument("--articles", type=int, default=2000, help="number of articles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--log", default=None, help="append each request path to this file")
    args = parser.parse_args(argv)

    portal = SyntheticPortal(args.articles, args.seed)
    server = SyntheticServer(portal, host=args.host, port=args.port, request_log=args.log)
    banner = ["SYNTHETIC {url}"] + [
        f"channel {{url}}{p.lstrip('/')}" for p in portal.channel_paths()
    ]
    return serve_until_signalled(server, banner, "synthetic")


if __name__ == "__main__":
    sys.exit(main())
