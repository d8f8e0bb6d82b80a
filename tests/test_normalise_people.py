"""People: credit lines, author fields and byline paragraphs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.normalise.people import (
    ROLE_BY_LABEL,
    byline_authors,
    is_credit_line,
    outlet_in_author_field,
    parse_authors,
    parse_credits,
)
from newscrawl.normalise.script import to_simplified

ROLES = {"editor", "first_editor", "reviewer", "proofreader", "other"}
OUTLET_ENDINGS = ("网", "报", "社", "台", "电视台", "日报", "晚报", "新闻", "客户端", "融媒体中心")
ROLE_WORDS = ("记者", "通讯员", "实习生", "摄影", "报道", "编辑", "作者")


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("责编", "editor"),
        ("责任编辑", "editor"),
        ("编辑", "editor"),
        ("值班编辑", "editor"),
        ("初审编辑", "first_editor"),
        ("初审", "first_editor"),
        ("审核", "reviewer"),
        ("审签", "reviewer"),
        ("终审", "reviewer"),
        ("复审", "reviewer"),
        ("校对", "proofreader"),
        ("监制", "other"),
        ("制作", "other"),
        ("统筹", "other"),
    ],
)
def test_role_by_label(label: str, role: str) -> None:
    assert ROLE_BY_LABEL[label] == role


def test_role_by_label_values() -> None:
    assert set(ROLE_BY_LABEL.values()) <= ROLES


@pytest.mark.parametrize(
    "line",
    [
        "责编：张明明 审签：路时川",
        "责编:张明明",
        "責編:張明明",
        "审签:路时川",
        "【编辑：姚昊】",
        "（责任编辑：X）",
        "(责任编辑：王五)",
        "初审编辑:魏鹏 / 责任编辑:毛德勋",
        "责任编辑 王五",
        "编辑：张三、李四",
        "编辑：张三 李四",
        "  责编：张明明　　审签：路时川  ",
        "监制：张三 制作：李四 统筹：王五",
        "校对：阿卜杜勒·艾合买提",
        "值班编辑：王五；审核：赵六",
    ],
)
def test_is_credit_line_true(line: str) -> None:
    assert is_credit_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "编辑",
        "编辑：",
        "该报编辑部表示，将继续关注此事。",
        "编辑部表示",
        "责任编辑们正在加班",
        "记者 张三",
        "大众网记者 秦瑾 报道",
        "产教融合、校企合作是职业教育的基本办学模式。",
        "他是一名编辑：张三说，这件事很重要，我们要认真对待。",
        "编辑：" + "张三、" * 30 + "李四",
        "责编：张明明 审签：路时川 相关推荐 换一换 更多新闻内容请点击",
    ],
)
def test_is_credit_line_false(line: str) -> None:
    assert not is_credit_line(line)


def test_parse_credits_seed_block_printed_twice() -> None:
    block = ["责编:张明明", "审签:路时川", "责编:张明明", "审签:路时川"]
    assert parse_credits(block) == [
        {"role": "editor", "label": "责编", "name": "张明明"},
        {"role": "reviewer", "label": "审签", "name": "路时川"},
    ]


def test_credits_as_printed_on_the_mirror() -> None:
    lines = ["責(zé)編:張明明", "審簽:路時川", "責(zé)編:張明明", "審簽:路時川"]
    assert all(is_credit_line(line) for line in lines)
    assert parse_credits(lines) == [
        {"role": "editor", "label": "責編", "name": "張明明"},
        {"role": "reviewer", "label": "審簽", "name": "路時川"},
    ]


def test_byline_as_printed_on_the_mirror() -> None:
    assert byline_authors("  大眾網(wǎng)記者 秦瑾 報道") == ["秦瑾"]
    assert parse_authors("大眾網(wǎng)記者 秦瑾") == ["秦瑾"]
    assert outlet_in_author_field("大眾網(wǎng)") == "大眾網"


def test_parse_credits_seed_traditional_converted() -> None:
    block = to_simplified("責編:張明明\n\n\n審簽:路時川\n\n責編:張明明\n\n\n審簽:路時川")
    assert parse_credits([block]) == [
        {"role": "editor", "label": "责编", "name": "张明明"},
        {"role": "reviewer", "label": "审签", "name": "路时川"},
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["责编：张明明 审签：路时川", "责编：张明明 审签：路时川"],
            [("editor", "责编", "张明明"), ("reviewer", "审签", "路时川")],
        ),
        (
            ["初审编辑:魏鹏 / 责任编辑:毛德勋"],
            [("first_editor", "初审编辑", "魏鹏"), ("editor", "责任编辑", "毛德勋")],
        ),
        (["【编辑：姚昊】"], [("editor", "编辑", "姚昊")]),
        (["责任编辑 王五"], [("editor", "责任编辑", "王五")]),
        (
            ["编辑：张三、李四", "校对：王五"],
            [
                ("editor", "编辑", "张三"),
                ("editor", "编辑", "李四"),
                ("proofreader", "校对", "王五"),
            ],
        ),
        (
            ["编辑：张三，李四/王五"],
            [("editor", "编辑", "张三"), ("editor", "编辑", "李四"), ("editor", "编辑", "王五")],
        ),
        # same person, two roles: kept twice; same role under two labels: once
        (
            ["编辑：张三 审核：张三", "责任编辑：张三"],
            [("editor", "编辑", "张三"), ("reviewer", "审核", "张三")],
        ),
        (["监制：赵六 统筹：钱七"], [("other", "监制", "赵六"), ("other", "统筹", "钱七")]),
        (
            ["责编：张明明审签：路时川"],
            [("editor", "责编", "张明明"), ("reviewer", "审签", "路时川")],
        ),
        (["责编：张三审签：李四"], [("editor", "责编", "张三"), ("reviewer", "审签", "李四")]),
        (["正文最后一句。（责任编辑：赵六）"], [("editor", "责任编辑", "赵六")]),
        (["该报编辑部表示，将继续关注。", "记者 张三"], []),
        ([], []),
        ([""], []),
    ],
)
def test_parse_credits(lines: list[str], expected: list[tuple[str, str, str]]) -> None:
    got = parse_credits(lines)
    assert [(c["role"], c["label"], c["name"]) for c in got] == expected


def test_parse_credits_accepts_generator() -> None:
    got = parse_credits(line for line in ["审核：赵六"])
    assert got == [{"role": "reviewer", "label": "审核", "name": "赵六"}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("秦瑾", ["秦瑾"]),
        ("王封", ["王封"]),
        ("作者：王封", ["王封"]),
        ("大众网记者 秦瑾", ["秦瑾"]),
        ("大众网记者秦瑾", ["秦瑾"]),
        ("本报记者 张三 通讯员 李四", ["张三", "李四"]),
        ("大众新闻记者 张三", ["张三"]),
        ("大众日报记者 张三", ["张三"]),
        ("见习记者 张三 特约记者 李四 实习生 王五", ["张三", "李四", "王五"]),
        ("张三、李四", ["张三", "李四"]),
        ("张三，李四,王五", ["张三", "李四", "王五"]),
        ("张三 李四", ["张三", "李四"]),
        ("张三/李四；王五", ["张三", "李四", "王五"]),
        ("文/图 李雷", ["李雷"]),
        ("文图 李雷", ["李雷"]),
        ("张三/文 李四/图", ["张三", "李四"]),
        ("张三 摄", ["张三"]),
        ("摄影 张三", ["张三"]),
        ("（记者 韩梅梅）", ["韩梅梅"]),
        ("【记者】韩梅梅", ["韩梅梅"]),
        ("记者 张三 济南报道", ["张三"]),
        ("记者张三报道", ["张三"]),
        ("张三 整理", ["张三"]),
        ("编译 张三", ["张三"]),
        ("大众网·海报新闻记者 张三 李四 济南报道", ["张三", "李四"]),
        ("新华社记者 张三", ["张三"]),
        ("阿卜杜勒·艾合买提", ["阿卜杜勒·艾合买提"]),
        ("记者 阿卜杜勒·艾合买提 张三", ["阿卜杜勒·艾合买提", "张三"]),
        ("欧阳修齐", ["欧阳修齐"]),
        ("John Smith", ["John Smith"]),
        ("John Smith, Jane Doe", ["John Smith", "Jane Doe"]),
        ("By John Smith and Jane Doe", ["John Smith", "Jane Doe"]),
        ("张三、张三", ["张三"]),
        ("记者 张三 编辑 李四", ["张三"]),
        ("张三编辑", ["张三"]),
        ("张三。", ["张三"]),
        ("大众网", []),
        ("大众日报", []),
        ("新华社", []),
        ("人民日报", []),
        ("中新网", []),
        ("央视新闻", []),
        ("齐鲁晚报", []),
        ("济南电视台", []),
        ("大众网·海报新闻", []),
        ("齐鲁晚报客户端", []),
        ("济南市融媒体中心", []),
        ("佚名", []),
        ("admin", []),
        ("本报", []),
        ("", []),
        (None, []),
        ("市教育局", []),
        ("张", []),
        ("这是一个很长的不是名字的句子", []),
    ],
)
def test_parse_authors(text: str | None, expected: list[str]) -> None:
    assert parse_authors(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("大众网", "大众网"),
        ("作者：大众网", "大众网"),
        ("新华社", "新华社"),
        ("大众网·海报新闻", "大众网·海报新闻"),
        ("人民日报客户端", "人民日报客户端"),
        ("（齐鲁晚报）", "齐鲁晚报"),
        ("秦瑾", None),
        ("大众网记者 秦瑾", None),
        ("本报", None),
        ("", None),
        (None, None),
    ],
)
def test_outlet_in_author_field(text: str | None, expected: str | None) -> None:
    assert outlet_in_author_field(text) == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("大众网记者 秦瑾 报道", ["秦瑾"]),
        ("大眾網記者 秦瑾 報道", ["秦瑾"]),
        ("大众网·海报新闻记者 张三 李四 济南报道", ["张三", "李四"]),
        ("本报记者 王五 通讯员 赵六", ["王五", "赵六"]),
        ("文/图 李雷", ["李雷"]),
        ("（记者 韩梅梅）", ["韩梅梅"]),
        ("记者 张三 摄影报道", ["张三"]),
        ("记者 张三 摄", ["张三"]),
        ("记者 张三、李四", ["张三", "李四"]),
        ("本报讯（记者 张三 通讯员 李四）", ["张三", "李四"]),
        ("记者张三 通讯员李四", ["张三", "李四"]),
        ("记者张三报道", ["张三"]),
        ("记者：张三", ["张三"]),
        ("新华社记者 张三", ["张三"]),
        ("　　大众网记者 秦瑾 报道", ["秦瑾"]),
        ("记者 欧阳修齐 北京报道", ["欧阳修齐"]),
        ("记者 阿卜杜勒·艾合买提", ["阿卜杜勒·艾合买提"]),
    ],
)
def test_byline_authors(paragraph: str, expected: list[str]) -> None:
    assert byline_authors(paragraph) == expected


@pytest.mark.parametrize(
    "paragraph",
    [
        "",
        "记者",
        "大众网记者",
        "记者从济南市教育局获悉，今年全市招生计划增加。",
        "记者了解到，该项目已经完工。",
        "记者了解到",
        "记者看到",
        "记者发现",
        "记者连线",
        "记者手记",
        "记者调查",
        "记者观察",
        "记者来到现场",
        "记者节当天",
        "本报记者日前走访了多家企业。",
        "据大众网记者报道",
        "记者：你怎么看？",
        "记者：请您谈谈",
        "记者 王先生表示",
        "记者 王先生",
        "全国40余家主流网络媒体记者实地打探学校攜手企业勇毅前行的时代密码。",
        "产教融合、校企合作是职业教育的基本办学模式，是办好职业教育的关键所在。",
        "健全机制，筑牢校企合作制度支撑",
        "重庆市生物医药产教联合体成立大会现场",
        "责编：张明明 审签：路时川",
        "张三 摄",
        "记者 张三 李四 王五 赵六 钱七 孙八 周九 吴十 郑十一 王十二 冯十三 陈十四 褚十五",
        "记者走访发现，不少市民对此表示欢迎",
        "本报记者",
        "“记者 张三”",
    ],
)
def test_byline_authors_negative(paragraph: str) -> None:
    assert byline_authors(paragraph) == []


def _no_outlet_or_role(names: list[str]) -> None:
    for name in names:
        assert name
        assert name == name.strip()
        if not name.isascii():
            assert not name.endswith(OUTLET_ENDINGS)
            assert not any(word in name for word in ROLE_WORDS)


_people_alphabet = st.sampled_from(
    [
        "张三",
        "李四",
        "秦瑾",
        "大众网",
        "记者",
        "本报",
        "通讯员",
        "摄",
        "文/图",
        "报道",
        "济南报道",
        "、",
        "，",
        " ",
        "/",
        "（",
        "）",
        "：",
        "新华社",
        "阿卜杜勒·艾合买提",
        "John",
        "Smith",
        "编辑",
    ]
)


@settings(max_examples=200)
@given(st.lists(_people_alphabet, max_size=12).map("".join))
def test_people_properties_on_plausible_text(text: str) -> None:
    authors = parse_authors(text)
    _no_outlet_or_role(authors)
    assert len(authors) == len(set(authors))
    byline = byline_authors(text)
    _no_outlet_or_role(byline)
    outlet = outlet_in_author_field(text)
    if outlet is not None:
        assert not authors
    credits = parse_credits([text])
    assert all(c["role"] in ROLES for c in credits)
    assert len({(c["role"], c["name"]) for c in credits}) == len(credits)


@settings(max_examples=300)
@given(st.text())
def test_people_never_raise(text: str) -> None:
    assert isinstance(is_credit_line(text), bool)
    credits = parse_credits([text, text])
    for credit in credits:
        assert set(credit) == {"role", "label", "name"}
        assert credit["role"] in ROLES
        assert credit["label"] in ROLE_BY_LABEL
    _no_outlet_or_role(parse_authors(text))
    _no_outlet_or_role(byline_authors(text))
    outlet = outlet_in_author_field(text)
    assert outlet is None or isinstance(outlet, str)
