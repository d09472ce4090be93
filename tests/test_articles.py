"""The registry of the regulation's 52 articles, and citations of them.

Every expected count and text below was read off the regulation by hand
(kernel/xueji/data/beijing-xueji-2021.txt), not computed by the code under
test.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xueji._articles import (
    EDITION_EFFECTIVE,
    Article,
    Citation,
    _parse,
    article,
    articles,
    chinese_numeral,
    cite,
    parse_chinese_numeral,
    parse_citation,
)
from xueji._errors import InvalidInputError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "articles.md"

CHAPTERS = {
    1: ("总则", range(1, 6)),
    2: ("学制", range(6, 9)),
    3: ("入学与注册", range(9, 19)),
    4: ("考勤", range(19, 22)),
    5: ("转学", range(22, 32)),
    6: ("休学、复学", range(32, 36)),
    7: ("退学", range(36, 38)),
    8: ("毕业、结业、肄业", range(38, 42)),
    9: ("保障措施", range(42, 48)),
    10: ("附则", range(48, 53)),
}

# Items per paragraph, for every article, counted by hand.
SHAPES = {
    1: [0], 2: [0], 3: [0], 4: [0], 5: [0], 6: [0], 7: [0], 8: [0],
    9: [0, 0], 10: [0, 0], 11: [0, 0], 12: [0, 0], 13: [0], 14: [0],
    15: [7], 16: [0, 0, 0], 17: [0, 0], 18: [6, 0], 19: [0], 20: [0, 0],
    21: [0], 22: [3], 23: [0, 0], 24: [0], 25: [0, 0], 26: [0, 0, 0],
    27: [0], 28: [0], 29: [0], 30: [4], 31: [0, 0, 0], 32: [3], 33: [0],
    34: [0], 35: [0, 0, 0], 36: [0, 4], 37: [0, 0], 38: [0],
    39: [0, 0, 0, 0], 40: [0, 0, 0], 41: [0, 0, 0], 42: [0, 0], 43: [0],
    44: [0], 45: [0], 46: [0], 47: [8], 48: [0], 49: [0], 50: [0], 51: [0],
    52: [0],
}  # fmt: skip

# 第二十八条 is computable as the record of a district's selection procedure
# (training-selection); 第四十六条 as the district findings of the compliance
# report.
NOT_COMPUTABLE = {1, 49, 51}


def every_citation() -> list[Citation]:
    """Every article, paragraph and item of the registry, in reading order."""
    found = []
    for each in articles():
        found.append(cite(each.number))
        for paragraph in each.paragraphs:
            if len(each.paragraphs) > 1:
                found.append(cite(each.number, paragraph.number))
            for k in range(1, len(paragraph.items) + 1):
                found.append(cite(each.number, paragraph.number, k))
    return found


# The registry


def test_the_regulation_has_52_articles_in_10_chapters() -> None:
    everything = articles()

    assert [a.number for a in everything] == list(range(1, 53))
    assert {a.chapter for a in everything} == set(range(1, 11))


def test_each_article_is_in_its_chapter_under_the_chapter_title() -> None:
    for chapter, (title, numbers) in CHAPTERS.items():
        for number in numbers:
            found = article(number)

            assert (found.chapter, found.chapter_title) == (chapter, title)


def test_chapter_titles_lose_the_spaces_inside_them() -> None:
    assert article(6).chapter_title == "学制"
    assert article(1).chapter_title == "总则"
    assert article(19).chapter_title == "考勤"


def test_every_article_has_the_paragraphs_and_items_counted_by_hand() -> None:
    shapes = {a.number: [len(p.items) for p in a.paragraphs] for a in articles()}

    assert shapes == SHAPES


def test_article_30_is_one_paragraph_of_four_items_in_chapter_5() -> None:
    found = article(30)

    assert (found.chapter, found.chapter_title) == (5, "转学")
    assert found.label == "不予转学情形"
    assert len(found.paragraphs) == 1
    assert found.paragraphs[0].text == "下列情形，不予转学："
    assert found.paragraphs[0].items == (
        "中小学起始年级的第一学期及毕业年级，不予办理转入手续。",
        "义务教育阶段学校不能以任何形式强迫学生转学。",
        "学生在受处分期间，不予办理转学手续。",
        "其他无正当理由的。",
    )


def test_article_36_has_its_items_in_the_second_paragraph() -> None:
    first, second = article(36).paragraphs

    assert (
        first.text
        == "义务教育阶段学生年满十八周岁，不宜在校继续学习的，应办理退学手续。"
    )
    assert first.items == ()
    assert second.text == "高中学生有下列情形之一的，应当予以办理退学手续："
    assert len(second.items) == 4
    assert second.items[0] == "多次留级且年龄超过二十周岁，不宜在校继续学习的；"


def test_article_15_keeps_seven_items_in_one_paragraph_past_a_blank_line() -> None:
    (only,) = article(15).paragraphs

    assert only.text == "符合下列情形之一的，按本市户籍学生对待："
    assert len(only.items) == 7
    assert only.items[5] == "父母一方持有《北京市工作居住证》；"
    assert only.items[6] == "其他符合国家和本市有关政策规定的情形。"


def test_article_18_ends_with_a_second_paragraph_after_its_items() -> None:
    first, second = article(18).paragraphs

    assert first.text == "学生学籍档案内容包括："
    assert len(first.items) == 6
    assert first.items[5] == "享受资助信息。"
    assert second.text == "学籍基础信息按国务院教育行政部门统一制订格式采集。"
    assert second.items == ()


def test_article_23_has_two_paragraphs_around_a_blank_line() -> None:
    first, second = article(23).paragraphs

    assert first.text.startswith("本市户籍义务教育阶段学生在本市内转学的")
    assert first.text.endswith("报市教委备案。")
    assert second.text == (
        "对转入的学生，学校应当按其原就读年级安排插班。必要时可按其学业水平安排年级。"
    )


def test_article_16_has_three_paragraphs() -> None:
    paragraphs = article(16).paragraphs

    assert [p.number for p in paragraphs] == [1, 2, 3]
    assert paragraphs[2].text.endswith("视为自动放弃入学资格。")


def test_article_text_has_one_line_per_paragraph_and_item_without_heading() -> None:
    assert article(32).text == (
        "学生有下列情况之一者，可以休学：\n"
        "（一）因病经诊断，需停课治疗休养占一学期总学时三分之一以上的；\n"
        "（二）学生在一学期内连续请假（包括病、事假）时间超过一学期总学时三分之一"
        "仍不能到校上课的；\n"
        "（三）因其他原因，需要休学的。"
    )


def test_trailing_spaces_of_the_shipped_text_are_dropped() -> None:
    assert article(1).text.endswith("制定本办法。")
    assert article(1).text.startswith("为规范中小学生学籍管理")


def test_article_8_keeps_the_ascii_comma_of_the_text() -> None:
    assert (
        article(8).text == "经市教委同意，可根据实际,在条件具备的学校开展学制改革实验。"
    )


def test_article_and_articles_agree() -> None:
    everything = articles()

    assert all(article(n) is everything[n - 1] for n in range(1, 53))
    assert articles() is everything


@pytest.mark.parametrize("number", [0, -1, 53, 100])
def test_an_article_outside_1_to_52_is_refused_naming_the_number(number: int) -> None:
    with pytest.raises(InvalidInputError, match=rf"article {number}\b"):
        article(number)


def test_articles_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        article(30).label = "x"  # type: ignore[misc]


def test_the_edition_took_effect_on_1_june_2021_per_article_52() -> None:
    assert date(2021, 6, 1) == EDITION_EFFECTIVE
    assert article(52).text.startswith("本办法自2021年6月1日起施行。")
    assert article(52).computable


# Labels and computability


def test_the_articles_with_no_computable_rule_are_the_three_chosen() -> None:
    chosen = {a.number for a in articles() if not a.computable}

    assert chosen == NOT_COMPUTABLE


def test_an_article_has_a_reason_exactly_when_it_is_not_computable() -> None:
    for each in articles():
        assert (each.non_computable_reason is None) == each.computable


def test_an_article_cannot_be_built_computable_with_a_reason() -> None:
    with pytest.raises(InvalidInputError, match="non_computable_reason"):
        Article(30, 5, "转学", "x", article(30).paragraphs, True, "why")


def test_labels_are_short_distinct_chinese_without_latin_letters() -> None:
    labels = [a.label for a in articles()]

    assert len(set(labels)) == 52
    assert all(0 < len(label) <= 12 for label in labels)
    assert not any(c.isascii() for label in labels for c in label)


def test_some_labels_read_as_chosen() -> None:
    assert article(11).label == "缓学"
    assert article(30).label == "不予转学情形"
    assert article(36).label == "退学情形"
    assert article(51).label == "解释权"


# Citations


@pytest.mark.parametrize(
    ("citation", "printed"),
    [
        (cite(30, item=1), "第三十条第（一）项"),
        (cite(36, 2, 2), "第三十六条第二款第（二）项"),
        (cite(16, 2), "第十六条第二款"),
        (cite(11), "第十一条"),
        (cite(30, 1), "第三十条"),
        (cite(18, item=1), "第十八条第一款第（一）项"),
        (cite(47, item=8), "第四十七条第（八）项"),
        (cite(52), "第五十二条"),
    ],
)
def test_a_citation_prints_as_chinese_legal_texts_cite(
    citation: Citation, printed: str
) -> None:
    assert str(citation) == printed


def test_an_item_without_paragraph_is_in_the_first_paragraph() -> None:
    assert cite(30, item=1) == cite(30, 1, 1) == Citation(30, item=1)
    assert cite(18, item=2) == Citation(18, 1, 2)
    assert cite(30, item=1).paragraph == 1


def test_the_first_paragraph_of_a_one_paragraph_article_is_the_article() -> None:
    assert cite(30, 1) == cite(30)
    assert cite(30, 1).paragraph is None


def test_an_item_that_does_not_exist_cannot_be_cited() -> None:
    with pytest.raises(InvalidInputError, match=r"no item 5.*（一） to （四）"):
        cite(30, item=5)


def test_an_article_that_does_not_exist_cannot_be_cited_and_is_named() -> None:
    with pytest.raises(InvalidInputError, match=r"article 53\b"):
        cite(53)


def test_an_item_of_article_36_needs_its_paragraph() -> None:
    with pytest.raises(InvalidInputError, match=r"第二款.*cite\(36, 2, 2\)"):
        cite(36, item=2)


@pytest.mark.parametrize(
    ("number", "paragraph", "item", "message"),
    [
        (16, 4, None, "no paragraph 4"),
        (30, 2, None, "only one paragraph"),
        (16, 2, 1, "第十六条 has no items"),
        (16, None, 1, "第十六条 has no items"),
        (36, 1, 1, "第三十六条第一款 has no items"),
        (18, 2, 1, "第十八条第二款 has no items"),
        (36, 2, 5, "第三十六条第二款 has no item 5"),
        (30, 0, None, "0 is not a valid paragraph number"),
        (30, None, 0, "0 is not a valid item number"),
        (0, None, None, "article 0"),
    ],
)
def test_words_the_regulation_does_not_have_cannot_be_cited(
    number: int, paragraph: int | None, item: int | None, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        cite(number, paragraph, item)


def test_an_invalid_input_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="article 99"):
        cite(99)


def test_a_citation_text_is_the_cited_words() -> None:
    assert "多次留级" in cite(36, 2, 1).text
    assert cite(36, 2, 1).text == "多次留级且年龄超过二十周岁，不宜在校继续学习的；"
    assert cite(16, 2).text.startswith("接受九年义务教育的新生因故不能按期")
    assert cite(30).text == article(30).text
    assert (
        cite(36, 2).text.splitlines()[0]
        == "高中学生有下列情形之一的，应当予以办理退学手续："
    )
    assert cite(36, 2).text.splitlines()[4].startswith("（四）学生本人")
    assert cite(30, item=3).text == "学生在受处分期间，不予办理转学手续。"


def test_citations_sort_in_reading_order() -> None:
    shuffled = [cite(36, 2, 2), cite(11), cite(30, item=1), cite(30), cite(36, 1)]

    assert sorted(shuffled) == [
        cite(11),
        cite(30),
        cite(30, item=1),
        cite(36, 1),
        cite(36, 2, 2),
    ]


def test_citations_can_be_set_members() -> None:
    assert len({cite(30, item=1), cite(30, 1, 1), Citation(30, None, 1)}) == 1


def test_the_registry_has_one_citation_per_article_paragraph_and_item() -> None:
    # 52 articles; 46 paragraphs of the 19 articles that have more than one
    # (2 each: 9-12, 17, 18, 20, 23, 25, 36, 37, 42; 3 each: 16, 26, 31, 35,
    # 40, 41; 4: 39); 35 items (15: 7, 18: 6, 22: 3, 30: 4, 32: 3, 36: 4,
    # 47: 8).
    found = every_citation()

    assert len(found) == 52 + 46 + 35
    assert len(set(found)) == len(found)


@given(st.randoms(use_true_random=False))
def test_sorting_any_shuffle_of_the_registry_gives_reading_order(
    rng: random.Random,
) -> None:
    ordered = every_citation()
    shuffled = list(ordered)
    rng.shuffle(shuffled)

    assert sorted(shuffled) == ordered


# Parsing citations


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("第三十条第（一）项", cite(30, item=1)),
        ("第三十六条第二款第（二）项", cite(36, 2, 2)),
        ("第十六条第二款", cite(16, 2)),
        ("第十一条", cite(11)),
        ("第三十条第(一)项", cite(30, item=1)),
        ("第三十条第一款第（一）项", cite(30, item=1)),
        ("第三十条第一款", cite(30)),
        (" 第十一条\n", cite(11)),
        ("30(1)", cite(30, item=1)),
        ("36.2(2)", cite(36, 2, 2)),
        ("16.2", cite(16, 2)),
        ("11", cite(11)),
        ("52", cite(52)),
        ("18.1(6)", cite(18, 1, 6)),
    ],
)
def test_a_citation_is_read_in_chinese_or_short_form(
    written: str, meant: Citation
) -> None:
    assert parse_citation(written) == meant


@pytest.mark.parametrize(
    "written",
    [
        "",
        "第",
        "第三十条第",
        "第三十条第（一）",
        "第三十条（一）",
        "第一十条",
        "第30条",
        "article 30",
        "30.",
        "30()",
        "030",
        "30.1.1",
        "３０",
        "36(2)",
        "30(5)",
        "53",
        "第五十三条",
        "16.4",
    ],
)
def test_anything_else_is_not_a_citation(written: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_citation(written)


def test_an_unreadable_citation_shows_the_forms_it_accepts() -> None:
    with pytest.raises(InvalidInputError, match=r"36\.2\(2\)"):
        parse_citation("article 30")


@given(st.sampled_from(every_citation()))
def test_every_citation_reads_back_from_how_it_prints(citation: Citation) -> None:
    assert parse_citation(str(citation)) == citation


@given(st.sampled_from(every_citation()))
def test_every_citation_reads_back_from_its_short_form(citation: Citation) -> None:
    short = str(citation.article)
    if citation.paragraph is not None and citation.item is None:
        short += f".{citation.paragraph}"
    elif citation.item is not None:
        short += f".{citation.paragraph}({citation.item})"

    assert parse_citation(short) == citation


# Chinese numerals


@pytest.mark.parametrize(
    ("n", "numeral"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (23, "二十三"),
        (30, "三十"),
        (52, "五十二"),
        (99, "九十九"),
    ],
)
def test_numbers_are_written_as_the_regulation_writes_them(
    n: int, numeral: str
) -> None:
    assert chinese_numeral(n) == numeral
    assert parse_chinese_numeral(numeral) == n


@given(st.integers(min_value=1, max_value=99))
def test_chinese_numerals_read_back(n: int) -> None:
    assert parse_chinese_numeral(chinese_numeral(n)) == n


@pytest.mark.parametrize("n", [0, -3, 100])
def test_numbers_outside_1_to_99_have_no_numeral(n: int) -> None:
    with pytest.raises(InvalidInputError, match="1 to 99"):
        chinese_numeral(n)


@pytest.mark.parametrize("numeral", ["", "零", "一十", "一十一", "十十", "百", "3"])
def test_numerals_not_in_the_regulations_form_are_refused(numeral: str) -> None:
    with pytest.raises(InvalidInputError, match="not a Chinese numeral"):
        parse_chinese_numeral(numeral)


# The parser, on texts other than the shipped one


def test_the_parser_names_the_line_of_an_article_out_of_sequence() -> None:
    text = "标题\n第一章　总　则\n第一条　甲。\n第三条　乙。\n"

    with pytest.raises(InvalidInputError, match=r"line 4: 第三条 where 第二条"):
        _parse(text, {1: ("甲", None), 3: ("乙", None)})


def test_the_parser_refuses_text_outside_any_article() -> None:
    text = "标题\n第一章　总　则\n正文。\n"

    with pytest.raises(InvalidInputError, match=r"line 3: text outside any article"):
        _parse(text, {})


def test_the_parser_needs_one_editorial_entry_per_article() -> None:
    text = "标题\n第一章　总　则\n第一条　甲。\n"

    with pytest.raises(InvalidInputError, match="_EDITORIAL"):
        _parse(text, {1: ("甲", None), 2: ("乙", None)})


def test_the_parser_puts_items_in_the_paragraph_before_them() -> None:
    text = "标题\n第一章　总  则\n第一条　甲：\n\n（一）子；\n乙。\n丙：\n（一）丑。\n"

    (parsed,) = _parse(text, {1: ("甲", None)})

    assert parsed.chapter_title == "总则"
    assert [(p.text, p.items) for p in parsed.paragraphs] == [
        ("甲：", ("子；",)),
        ("乙。", ()),
        ("丙：", ("丑。",)),
    ]


# The documentation


def test_docs_list_every_article_as_the_registry_has_it() -> None:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in DOCS.read_text(encoding="utf-8").splitlines()
        if line.startswith("| 第")
    ]
    expected = [
        [
            f"第{chinese_numeral(a.number)}条",
            f"第{chinese_numeral(a.chapter)}章 {a.chapter_title}",
            a.label,
            str(len(a.paragraphs)),
            "yes" if a.computable else "no",
            a.non_computable_reason or "",
        ]
        for a in articles()
    ]

    assert [[r[0], r[1], r[2], r[3], r[5], r[6]] for r in rows] == expected
