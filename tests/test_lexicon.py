"""The vocabulary file: it loads, it is checked, and both extraction paths read it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newscrawl.lexicon import CREDIT_ROLES, DATA_FILE, LEXICON, LexiconError, any_of, load
from newscrawl.normalise.people import ROLE_BY_LABEL, credit_text, parse_credits

ROOT = Path(__file__).resolve().parents[1]


def test_the_packaged_lexicon_loads_with_every_list_filled() -> None:
    lexicon = load(DATA_FILE)
    assert set(lexicon.credits.roles.values()) == set(CREDIT_ROLES)
    assert lexicon.credits.roles["责编"] == "editor"
    assert lexicon.credits.roles["审签"] == "reviewer"
    assert "王" in lexicon.surnames.single and "欧阳" in lexicon.surnames.compound
    assert "新华社" in lexicon.outlets.known
    for section in (lexicon.people, lexicon.labels, lexicon.markers, lexicon.breadcrumb):
        for name, values in vars(section).items():
            assert values, f"{type(section).__name__}.{name} is empty"


def test_credit_labels_are_the_lexicon_s() -> None:
    assert ROLE_BY_LABEL is LEXICON.credits.roles


def test_a_label_added_to_the_data_is_read_by_the_credit_parser(tmp_path: Path) -> None:
    text = DATA_FILE.read_text(encoding="utf-8").replace(
        'other = [\n  "监制"', 'other = [\n  "灯光", "监制"'
    )
    changed = tmp_path / "zh_news.toml"
    changed.write_text(text, encoding="utf-8")
    assert load(changed).credits.roles["灯光"] == "other"
    assert "灯光" not in ROLE_BY_LABEL  # the packaged lexicon is untouched


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("[people]", "[people_renamed]"), r"\[people\] is missing"),
        (lambda t: t.replace("reporter_roles = [", "reporter_roles = 3\nx = ["), "reporter_roles"),
        (
            lambda t: t.replace('first_editor = ["', 'first_editor = []\nunused = ["'),
            "first_editor",
        ),
    ],
)
def test_a_damaged_lexicon_is_refused_with_the_key_named(tmp_path: Path, edit, message) -> None:
    broken = tmp_path / "zh_news.toml"
    broken.write_text(edit(DATA_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        load(broken)


def test_any_of_prefers_the_longest_word() -> None:
    pattern = re.compile(f"^(?:{any_of(['打印', '打印本页', 'a.b'])})")
    assert pattern.match("打印本页").group() == "打印本页"
    assert pattern.match("a.b") and not pattern.match("axb")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[责编：张三] / [审签：李四]", [("editor", "张三"), ("reviewer", "李四")]),
        ("【纠错】【责任编辑：王晓】", [("editor", "王晓")]),
        ("责任编辑：王晓 【纠错】", [("editor", "王晓")]),
        ("(责编:张三)(审签:李四)", [("editor", "张三"), ("reviewer", "李四")]),
    ],
)
def test_joined_and_bracketed_credit_lines_are_credits(line: str, expected: list) -> None:
    assert credit_text(line) is not None
    assert [(c["role"], c["name"]) for c in parse_credits([credit_text(line)])] == expected


def test_no_portal_is_named_in_the_person_parser() -> None:
    source = (ROOT / "newscrawl" / "normalise" / "people.py").read_text(encoding="utf-8")
    assert "大众" not in source and "大眾" not in source
