"""People: editor credit lines, author fields and byline paragraphs."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newscrawl.normalise.text import CJK_CHARS, clean_text, strip_pinyin_glosses

ROLE_BY_LABEL: dict[str, str] = {
    # editor
    "责编": "editor",
    "责任编辑": "editor",
    "编辑": "editor",
    "值班编辑": "editor",
    "本版编辑": "editor",
    "网络编辑": "editor",
    "新媒体编辑": "editor",
    "文字编辑": "editor",
    "实习编辑": "editor",
    "責編": "editor",
    "責任編輯": "editor",
    "編輯": "editor",
    "值班編輯": "editor",
    # first_editor
    "初审编辑": "first_editor",
    "初审": "first_editor",
    "初審編輯": "first_editor",
    "初審": "first_editor",
    # reviewer
    "审核": "reviewer",
    "审签": "reviewer",
    "终审": "reviewer",
    "复审": "reviewer",
    "签发": "reviewer",
    "審核": "reviewer",
    "審簽": "reviewer",
    "終審": "reviewer",
    "復審": "reviewer",
    # proofreader
    "校对": "proofreader",
    "责任校对": "proofreader",
    "校核": "proofreader",
    "审校": "proofreader",
    "校對": "proofreader",
    "審校": "proofreader",
    # other
    "监制": "other",
    "总监制": "other",
    "制作": "other",
    "统筹": "other",
    "策划": "other",
    "总策划": "other",
    "出品": "other",
    "主编": "other",
    "值班主任": "other",
    "美编": "other",
    "设计": "other",
    "海报设计": "other",
    "摄像": "other",
    "剪辑": "other",
    "監製": "other",
    "製作": "other",
    "統籌": "other",
    "策劃": "other",
    "美編": "other",
}
"""Credit label as printed (Simplified or Traditional) → record role."""

_HAN = f"[{CJK_CHARS}]"
_DOT = "·•・‧"
_DOT_RE = re.compile(f"[{_DOT}]")
_HAN_NAME = f"{_HAN}{{2,4}}"
_DOT_NAME = f"{_HAN}{{1,10}}[{_DOT}]{_HAN}{{1,10}}(?:[{_DOT}]{_HAN}{{1,10}}){{0,3}}"
_LATIN_NAME = r"[A-Za-z][A-Za-z.'\-]{0,30}"

_LABEL = "|".join(sorted(map(re.escape, ROLE_BY_LABEL), key=len, reverse=True))
_CREDIT_HAN = f"(?:(?!(?:{_LABEL})){_HAN})"
_CREDIT_NAME = (
    f"(?:{_CREDIT_HAN}{{1,10}}[{_DOT}]{_CREDIT_HAN}{{1,10}}(?:[{_DOT}]{_CREDIT_HAN}{{1,10}}){{0,3}}"
    f"|{_CREDIT_HAN}{{2,4}}|{_LATIN_NAME})"
)
_CREDIT_NAMES = rf"{_CREDIT_NAME}(?:\s*[、，,/\s]\s*{_CREDIT_NAME})*"
_CREDIT_PAIR = rf"(?P<label>{_LABEL})(?:\s*[:：]\s*|\s+)(?P<names>{_CREDIT_NAMES})"
_CREDIT_PAIR_RE = re.compile(_CREDIT_PAIR)
_CREDIT_LINE_RE = re.compile(
    rf"(?:(?:{_LABEL})(?:\s*[:：]\s*|\s+){_CREDIT_NAMES}\s*(?:[/|｜;；,，、]\s*)?)+"
)
_TRAILING_CREDIT_RE = re.compile(
    rf"[（(【\[〔]\s*((?:{_LABEL})[^（(【\[〔)）】\]〕]{{1,60}})[)）】\]〕]\s*$"
)
_NAME_SPLIT_RE = re.compile(r"[、，,/\s]+")
_MAX_CREDIT_LINE = 80

_BRACKETS = "()（）【】[]〔〕<>《》「」『』{}〈〉﹝﹞"
_BRACKET_RE = re.compile(f"[{re.escape(_BRACKETS)}]")
_EDGE_JUNK = _BRACKETS + " 。.．;；,，、:：!！?？…~～-—_*＊\"'“”‘’|｜"

#: Role words that can stand before a name, Simplified and Traditional.
_ROLE_WORDS = (
    "大众网记者 大众新闻记者 大众日报记者 大眾網記者 大眾新聞記者 大眾日報記者 "
    "见习记者 特约记者 首席记者 摄影记者 本报记者 本台记者 本网记者 记者 "
    "見習記者 特約記者 首席記者 攝影記者 本報記者 本臺記者 本網記者 記者 "
    "特约撰稿人 特约撰稿 撰稿人 撰稿 特約撰稿人 特約撰稿 撰稿 "
    "通讯员 实习生 通訊員 實習生 作者 "
    "摄影报道 摄影 摄像 攝影報道 攝影 攝像"
).split()
_ROLE_RE = re.compile("(" + "|".join(sorted(set(_ROLE_WORDS), key=len, reverse=True)) + ")")
_ROLE_SET = frozenset(_ROLE_WORDS)
_AUTHOR_SPLIT_RE = re.compile(
    "(" + "|".join(sorted({*_ROLE_WORDS, *ROLE_BY_LABEL}, key=len, reverse=True)) + ")"
)
_ROLEISH_RE = re.compile(
    "|".join(sorted({*_ROLE_WORDS, *ROLE_BY_LABEL, "报道", "報道"}, key=len, reverse=True))
)
#: Short role words only recognised as whole tokens.
_SHORT_ROLES = frozenset("文 图 摄 圖 攝 文/图 图/文 文图 图文 文/圖 圖/文 文圖 圖文".split())
_WORK_SUFFIXES = tuple(
    "摄影报道 攝影報道 报道 報道 摄影 攝影 摄 攝 整理 编译 編譯 供图 供圖 撰文".split()
)
_END_TOKENS = frozenset(
    "报道 報道 摄影报道 攝影報道 摄影 攝影 摄 攝 供图 供圖 整理 编译 編譯 联合报道 聯合報道".split()
)
_PLACE_REPORT_RE = re.compile(
    f"^(?:{_HAN}{{2,8}}(?:报道|報道|电|電)|发自{_HAN}{{2,8}}|發自{_HAN}{{2,8}})$"
)
_NEWS_AGENCY_LEAD_RE = re.compile(f"^{_HAN}{{1,12}}[讯訊]$")

_OUTLET_SUFFIXES = tuple(
    "网 报 社 台 电视台 日报 晚报 早报 时报 商报 周刊 周报 杂志 新闻 客户端 融媒体中心 "
    "融媒 传媒 频道 电台 广播 卫视 网站 号 全媒体 融媒体 "
    "網 報 臺 電視臺 日報 晚報 早報 時報 週刊 雜誌 新聞 客戶端 "
    "融媒體中心 傳媒 頻道 電臺 衛視 全媒體 融媒體".split()
)
_KNOWN_OUTLETS = frozenset(
    "大众网 大众日报 新华社 人民日报 中新网 央视新闻 齐鲁晚报 央视 央广 央视频 新华网 人民网 "
    "齐鲁壹点 闪电新闻 海报新闻 大众新闻 中国新闻网 澎湃新闻 新京报 环球时报 光明日报 经济日报 "
    "中国日报 央广网 中国网 中华网 凤凰网 腾讯网 网易 新浪 搜狐 今日头条 北青网 齐鲁网 舜网 "
    "大眾網 大眾日報 新華社 人民日報 中新網 央視新聞 齊魯晚報 央視 新華網 人民網 海報新聞 "
    "新華網 齊魯壹點 閃電新聞 大眾新聞 中國新聞網 澎湃新聞".split()
)
_OWN_OUTLET = frozenset("本报 本网 本台 本刊 本报讯 本网讯 本報 本網 本臺 本報訊 本網訊".split())
_ORG_SUFFIXES = tuple(
    "局 委 厅 办 处 组 室 馆 站 中心 集团 公司 政府 学院 大学 学校 医院 协会 研究院 研究所 "
    "委员会 办公室 宣传部 工作室 评论员 编辑部 课题组 "
    "廳 辦 處 組 館 集團 公司 政府 學院 大學 學校 醫院 協會 委員會 "
    "辦公室 宣傳部 評論員 編輯部".split()
)
_NOT_NAMES = frozenset(
    "佚名 未知 不详 不詳 匿名 网友 網友 综合 綜合 供稿 供图 來源 来源 编辑 編輯 作者 管理员 "
    "管理員 小编 小編 综合报道 綜合報道 报道 報道 摄影 攝影 整理 编译 原创 原創 投稿 转载 轉載 "
    "读者 讀者 用户 用戶 记者 記者 通讯员 通訊員 实习生 實習生 "
    "连线 連線 时间 時間 随笔 隨筆 来信 來信 手记 手記 调查 調查 观察 觀察 现场 現場 采访 採訪 "
    "获悉 獲悉 了解 看到 发现 發現 走访 走訪 日前 近日 今天 昨天 明天 今日 昨日 明日 当天 "
    "當天 当日 當日 同时 同時 明确 明確 高度 安排 文章 平时 平時 平台 平臺 东西 東西 元旦 "
    "宁可 寧可 安全 高兴 高興 乐见 樂見 温馨 溫馨 何时 何時 何况 何況 于是 於是 程度 "
    "江湖 金额 金額 马上 馬上 方面 方便 方式 方案 王牌 黄金 黃金 周末 週末 周年 週年".split()
)
_NON_PERSON_SUFFIXES = tuple("先生 女士 老师 老師 同学 同學 师傅 師傅 网友 網友 等".split())

_SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安乐傅皮卞齐康伍余元"
    "卜顾孟平黄穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾"
    "路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫房裘缪干宗丁宣贲邓郁单杭洪"
    "包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车"
    "侯宓蓬郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰鄂索咸籍"
    "赖卓蔺屠蒙池乔阴胥苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂濮牛寿边扈燕冀郏浦尚农温庄"
    "晏柴瞿阎慕茹习宦艾鱼容古易慎戈廖庾暨衡耿弘匡文寇禄阙欧殳沃蔚夔隆巩厍聂晁勾敖融冷訾辛阚简"
    "饶曾毋沙乜鞠丰巢蒯荆红竺逯桓晋楚闫汝鄢涂钦岳帅缑亢况郈琴商牟佘佴伯墨哈谯笪阳佟付覃肖粟揭"
    "练冼邝植谌苟迟战栗麦银兰靖丛仝尉于向常关成游解时连芦全应师隋查苑"
    "關時連應師"
    "儲劉勞厙厲叢吳呂喬嚴塗壽婁孫宮寧嶽帥幹張強從懷戰晉東楊榮樂欒欽歐湯溫烏畢盧祿竇範簡紀紅緱練"
    "繆羅習聞聶荊莊華萬葉蒼蔣蕭薊藍藺蘇蘭衛計許談諶諸謝譙譚豐貝貢費賀賁賈賴趙車農遲邊郟鄒鄔鄧"
    "鄭鄺酈鈄鈕銀錢鍾閆閔閻闕闞陰陳陸陽雙雲鞏韋韓項顏顧饒馬馮駱鬱魚魯鮑鳳鹹麥黃黨齊龍龐龔"
)
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 司徒 夏侯 澹台 端木 独孤 "
    "歐陽 司馬 諸葛 東方 長孫 獨孤".split()
)

_STRONG_SPLIT_RE = re.compile(r"[、，,；;/|｜:：]+")
_LATIN_WORD_RE = re.compile(r"^[A-Za-z][A-Za-z.'\-]*$")
_HAN_NAME_RE = re.compile(f"^{_HAN_NAME}$")
_DOT_NAME_RE = re.compile(f"^{_DOT_NAME}$")
_HAS_HAN_RE = re.compile(_HAN)
_LATIN_STOP = frozenset(
    "by and reporter reporters editor photo photos staff writer text admin administrator "
    "anonymous unknown xinhua reuters afp ap cgtn cctv news daily times agency".split()
)
_SHORT_ROLE_PAIR_RE = re.compile(r"([文图圖])\s*/\s*([文图圖])")
_MAX_BYLINE = 40
_BYLINE_REJECT_RE = re.compile(r"[。！？!?；;…“”\"‘’《》「」]")


def _strip_edges(text: str) -> str:
    return text.strip(_EDGE_JUNK)


def is_credit_line(text: str) -> bool:
    """True when the whole line is editor credits (``责编：张明明 审签：路时川``)."""
    line = _strip_edges(clean_text(strip_pinyin_glosses(text)))
    if not line or len(line) > _MAX_CREDIT_LINE:
        return False
    return _CREDIT_LINE_RE.fullmatch(line) is not None


def _credit_pairs(line: str) -> Iterable[tuple[str, str]]:
    for m in _CREDIT_PAIR_RE.finditer(line):
        label = m.group("label")
        for name in _NAME_SPLIT_RE.split(m.group("names")):
            if name:
                yield label, name


def parse_credits(lines: Iterable[str]) -> list[dict[str, str]]:
    """Split credit lines into ``{"role", "label", "name"}`` dicts, one per person and role."""
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for text in lines:
        for raw_line in _lines(text):
            line = _strip_edges(raw_line)
            if not is_credit_line(line):
                m = _TRAILING_CREDIT_RE.search(raw_line)
                if m is None or not is_credit_line(m.group(1)):
                    continue
                line = _strip_edges(m.group(1))
            for label, name in _credit_pairs(line):
                role = ROLE_BY_LABEL.get(label, "other")
                if (role, name) in seen:
                    continue
                seen.add((role, name))
                out.append({"role": role, "label": label, "name": name})
    return out


def _lines(text: str) -> list[str]:
    if not isinstance(text, str):
        return []
    parts = strip_pinyin_glosses(text).splitlines()
    return [line for line in (clean_text(part) for part in parts) if line]


def _is_outlet(token: str) -> bool:
    if token in _OWN_OUTLET or token in _KNOWN_OUTLETS:
        return True
    parts = [p for p in _DOT_RE.split(token) if p]
    return any(p in _KNOWN_OUTLETS or p.endswith(_OUTLET_SUFFIXES) for p in parts)


def _valid_han_name(token: str) -> bool:
    if _DOT_NAME_RE.match(token):
        return not (_is_outlet(token) or token.endswith(_ORG_SUFFIXES) or _ROLEISH_RE.search(token))
    if not _HAN_NAME_RE.match(token):
        return False
    if token in _NOT_NAMES or token in _ROLE_SET or token in _SHORT_ROLES:
        return False
    if token.endswith(_WORK_SUFFIXES) or _ROLEISH_RE.search(token):
        return False
    if _is_outlet(token) or token.endswith(_ORG_SUFFIXES):
        return False
    return not token.endswith(_NON_PERSON_SUFFIXES)


def _has_surname(token: str) -> bool:
    if _DOT_RE.search(token):
        return True
    return token[0] in _SURNAMES or token[:2] in _COMPOUND_SURNAMES


_REPORTING_FROM = re.compile(r"(?<=.{2})发自[\u4e00-\u9fff]{2,6}$")


def _strip_work_suffix(token: str) -> str:
    token = _REPORTING_FROM.sub("", token)
    for suffix in _WORK_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 2:
            return token[: -len(suffix)]
    return token


def _author_tokens(text: str) -> list[str]:
    """Split an author field into candidate tokens, latin names kept whole."""
    text = _BRACKET_RE.sub(" ", clean_text(strip_pinyin_glosses(text)))
    text = _SHORT_ROLE_PAIR_RE.sub(" ", text)
    tokens: list[str] = []
    for chunk in _STRONG_SPLIT_RE.split(text):
        latin: list[str] = []
        for word in chunk.split():
            if _LATIN_WORD_RE.match(word) and word.lower() not in _LATIN_STOP:
                latin.append(word)
                continue
            if latin:
                tokens.append(" ".join(latin))
                latin = []
            if word.lower() not in _LATIN_STOP:
                tokens.append(word)
        if latin:
            tokens.append(" ".join(latin))
    return tokens


_HANDLE = re.compile(r"^[a-z][a-z0-9_.-]{2,29}$")


def _latin_name(token: str) -> str | None:
    """A latin-script name (``John Smith``) or a forum/blog handle (``duscha``)."""
    name = token.strip(".-'")
    words = name.split()
    if len(words) == 1 and _HANDLE.match(name) and name not in _LATIN_STOP:
        return name
    if not words or len(name) > 60 or not words[0][0].isupper():
        return None
    if len(words) == 1 and (len(name) < 2 or name.isupper()):
        return None
    if any(w.lower() in _LATIN_STOP for w in words):
        return None
    return name


def _person_candidates(text: str) -> tuple[list[str], list[str]]:
    """Persons and outlets named in an author field, in order."""
    persons: list[str] = []
    outlets: list[str] = []
    after_role = False
    after_label = False
    for token in _author_tokens(text):
        if not _HAS_HAN_RE.search(token) and _LATIN_WORD_RE.match(token.split(" ")[0]):
            latin = _latin_name(token)
            if latin is not None and not after_label:
                persons.append(latin)
            after_role = False
            continue
        for piece in _AUTHOR_SPLIT_RE.split(token):
            if not piece:
                continue
            if piece in _ROLE_SET:
                after_role, after_label = True, False
                continue
            if piece in ROLE_BY_LABEL:
                after_role, after_label = False, True
                continue
            piece = _strip_edges(piece)
            if not piece:
                continue
            if piece in _SHORT_ROLES:
                after_role = True
                continue
            if _is_outlet(piece):
                if piece not in _OWN_OUTLET:
                    outlets.append(piece)
                after_role = False
                continue
            if not after_role and _PLACE_REPORT_RE.match(piece):
                continue
            after_role = False
            if _NEWS_AGENCY_LEAD_RE.match(piece):
                continue
            name = _strip_work_suffix(piece)
            if _valid_han_name(name) and not after_label:
                persons.append(name)
    return persons, outlets


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def parse_authors(text: str | None) -> list[str]:
    """Person names in an author field, without role words, outlets or decorations."""
    if not text or not isinstance(text, str):
        return []
    persons, _ = _person_candidates(text)
    return _dedupe(persons)


def outlet_in_author_field(text: str | None) -> str | None:
    """The outlet an author field names instead of a person (``作者：大众网`` → ``大众网``)."""
    if not text or not isinstance(text, str):
        return None
    persons, outlets = _person_candidates(text)
    if persons or not outlets:
        return None
    return outlets[0]


def _byline_tokens(paragraph: str) -> list[str] | None:
    text = clean_text(strip_pinyin_glosses(paragraph))
    if len(text) < 3 or len(text) > _MAX_BYLINE or _BYLINE_REJECT_RE.search(text):
        return None
    text = _BRACKET_RE.sub(" ", text)
    text = _SHORT_ROLE_PAIR_RE.sub(" 文/图 ", text)
    text = _ROLE_RE.sub(r" \1 ", text)
    text = re.sub(r"[、，,/|｜:：]", " ", text.replace("文/图", "文图"))
    return text.split()


def byline_authors(paragraph: str) -> list[str]:
    """Person names of a byline paragraph (``大众网记者 秦瑾 报道``); [] for other paragraphs."""
    tokens = _byline_tokens(paragraph)
    if not tokens:
        return []
    start = 0
    if _NEWS_AGENCY_LEAD_RE.match(tokens[0]):
        start += 1
    if start < len(tokens) and tokens[start] not in _ROLE_SET and _is_outlet(tokens[start]):
        start += 1
    names: list[str] = []
    state = "start"
    for pos in range(start, len(tokens)):
        tok = tokens[pos]
        last = pos == len(tokens) - 1
        if tok in _ROLE_SET or tok in _SHORT_ROLES:
            if state == "name" and last and tok in _END_TOKENS:
                break
            state = "role"
            continue
        if state == "name" and (tok in _END_TOKENS or _PLACE_REPORT_RE.match(tok)):
            if last:
                break
            return []
        if state == "start":
            return []
        name = tok
        if state == "role" and not _valid_han_name(name):
            name = _strip_work_suffix(tok)
            if name != tok and not last:
                return []
        if not (_valid_han_name(name) and _has_surname(name)):
            return []
        names.append(name)
        state = "name"
    if state != "name":
        return []
    return _dedupe(names)
