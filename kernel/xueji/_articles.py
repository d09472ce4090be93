"""The 52 articles of the regulation, and citations of them.

The registry is read once, at import, from the text shipped with the package
(``xueji/data/beijing-xueji-2021.txt``: 北京市中小学校学生学籍管理办法,
京教基二〔2021〕1号).  The text has chapters (章) and articles (条) but no titles, so
each article's short label, and whether it states a rule the kernel can
compute, are editorial and kept by hand in ``_EDITORIAL`` below.

How the text is divided:

- a line ``第一章　总　则`` opens a chapter; spaces inside its title are
  dropped (``学  制`` is ``学制``);
- a line ``第一条　…`` opens an article, and its text is the article's first
  paragraph (款);
- a line starting ``（一）`` is an item (项) of the paragraph before it, so
  the items of 第三十六条 belong to its 第二款;
- any other non-empty line inside an article opens its next paragraph, as the
  closing sentence of 第十八条 does (its 第二款);
- blank lines separate nothing: the blank line inside 第十五条 leaves its
  items in the 第一款, and the one inside 第二十三条 is not a paragraph.

A :class:`Citation` names an article, a paragraph and an item and prints the
way Chinese legal texts cite: ``第三十六条第二款第（二）项``.  The paragraph
is left out of an article that has only one (``第三十条第（一）项``).
"""

from __future__ import annotations

__all__ = [
    "EDITION_EFFECTIVE",
    "Article",
    "Citation",
    "Paragraph",
    "article",
    "articles",
    "chinese_numeral",
    "cite",
    "parse_chinese_numeral",
    "parse_citation",
]

import importlib.resources
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Final

import attrs

from xueji._errors import InvalidInputError

#: The day this edition of the regulation took effect (第五十二条).  A request
#: dated earlier is outside it.
EDITION_EFFECTIVE: Final = date(2021, 6, 1)

_TEXT_NAME: Final = "beijing-xueji-2021.txt"
_DIGITS: Final = "一二三四五六七八九"
_NUMERAL: Final = "[一二三四五六七八九十]+"
_CHAPTER_LINE: Final = re.compile(rf"第({_NUMERAL})章\s+(\S.*)")
_ARTICLE_LINE: Final = re.compile(rf"第({_NUMERAL})条\s+(\S.*)")
_ITEM_LINE: Final = re.compile(rf"（({_NUMERAL})）\s*(\S.*)")
_CHINESE_CITATION: Final = re.compile(
    rf"第({_NUMERAL})条(?:第({_NUMERAL})款)?(?:第[（(]({_NUMERAL})[）)]项)?"
)
_ASCII_CITATION: Final = re.compile(
    r"([1-9][0-9]?)(?:\.([1-9][0-9]?))?(?:\(([1-9][0-9]?)\))?", re.ASCII
)
_CITATION_FORMS: Final = (
    "第十一条, 第十六条第二款, 第三十条第（一）项, 第三十六条第二款第（二）项, "
    "or 11, 16.2, 30(1), 36.2(2)"
)

# Label and, for an article with no computable rule, the reason.  The labels
# are ours: the regulation gives its articles no titles.
_EDITORIAL: Final[Mapping[int, tuple[str, str | None]]] = {
    1: (
        "立法目的与依据",
        "States the regulation's purpose and the laws it rests on; it sets no "
        "rule a decision could apply.",
    ),
    2: ("适用范围", None),
    3: ("管理体制", None),
    4: ("管理机构与职责", None),
    5: ("信息化管理", None),
    6: ("义务教育学制", None),
    7: ("高中学制", None),
    8: ("学制改革实验", None),
    9: ("招生计划管理", None),
    10: ("免试入学", None),
    11: ("缓学", None),
    12: ("残疾儿童少年入学", None),
    13: ("非本市户籍儿童少年入学", None),
    14: ("高中建立学籍", None),
    15: ("按本市户籍对待情形", None),
    16: ("入学注册", None),
    17: ("建立学籍档案与学籍号", None),
    18: ("学籍档案内容", None),
    19: ("考勤制度", None),
    20: ("请假与旷课", None),
    21: ("开学报到注册", None),
    22: ("本市内转学条件", None),
    23: ("本市内转学程序", None),
    24: ("外省市及境外转入义务教育", None),
    25: ("非本市户籍学生转入", None),
    26: ("普通高中转学", None),
    27: ("转出外省市", None),
    28: ("选调学生专业训练", None),
    29: ("转学时间与籍随人走", None),
    30: ("不予转学情形", None),
    31: ("专门学校", None),
    32: ("休学情形", None),
    33: ("休学申请", None),
    34: ("休学期限与延长", None),
    35: ("复学", None),
    36: ("退学情形", None),
    37: ("退学程序", None),
    38: ("升级留级跳级", None),
    39: ("毕业结业肄业", None),
    40: ("证书与学历证明", None),
    41: ("档案移交", None),
    42: ("保障条件与学籍管理员", None),
    43: ("学籍信息核查", None),
    44: ("保密制度", None),
    45: ("双随机一公开监管", None),
    46: ("区教委违规责任", None),
    47: ("学校违规责任", None),
    48: ("外籍及港澳台学生", None),
    49: (
        "另行规定事项",
        "Leaves evaluation, rewards and sanctions, fitness tests and health "
        "checks to rules the 市教委 makes elsewhere; a sanction reaches the "
        "kernel only as dated data (第三十条第（三）项).",
    ),
    50: ("区级实施细则", None),
    51: (
        "解释权",
        "Gives the 市教委 the power to interpret the regulation; there is "
        "nothing to compute.",
    ),
    52: ("施行日期", None),
}


def chinese_numeral(n: int) -> str:
    """Write a number from 1 to 99 the way the regulation numbers things.

    Args:
        n: the number, 1 to 99.

    Returns:
        ``一`` … ``十``, ``十一`` … ``十九``, ``二十``, ``二十一`` … ``九十九``.

    Raises:
        InvalidInputError: ``n`` is not an integer from 1 to 99.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 99:
        raise InvalidInputError(
            f"{n!r} is not a number from 1 to 99, the range written as Chinese "
            "numerals here (enough for every chapter, article, paragraph and "
            "item of the regulation); pass a number in that range."
        )

    tens, units = divmod(n, 10)
    if tens == 0:
        head = ""
    elif tens == 1:
        head = "十"
    else:
        head = _DIGITS[tens - 1] + "十"
    tail = _DIGITS[units - 1] if units else ""
    return head + tail


_NUMERAL_VALUES: Final = {chinese_numeral(n): n for n in range(1, 100)}


def parse_chinese_numeral(text: str) -> int:
    """Read a Chinese numeral written as :func:`chinese_numeral` writes it.

    Args:
        text: ``一`` to ``九十九``, in the regulation's form (``十一``, never
            ``一十一``).

    Returns:
        The number, 1 to 99.

    Raises:
        InvalidInputError: ``text`` is not such a numeral.
    """
    value = _NUMERAL_VALUES.get(text)
    if value is None:
        raise InvalidInputError(
            f"{text!r} is not a Chinese numeral from 一 to 九十九 in the "
            "regulation's form (十一, not 一十一); write the number that way."
        )
    return value


def _ordinal(value: int | None) -> int:
    # Sorts a missing paragraph or item before the first one: 第三十条 comes
    # before 第三十条第（一）项.
    return 0 if value is None else value


@attrs.frozen
class Paragraph:
    """One paragraph (款) of an article.

    ``text`` is the paragraph's own running text: where it has items (项), the
    lead-in before them (``学生学籍档案内容包括：``).  ``items`` are the
    items' texts without their ``（一）`` prefix, in order.
    """

    number: int
    text: str
    items: tuple[str, ...] = ()


@attrs.frozen
class Article:
    """One article (条) of the regulation.

    ``label`` is an editorial short title in Chinese (the text has none).
    ``computable`` says whether the article states a rule the kernel applies;
    when it does not, ``non_computable_reason`` says why, and otherwise it is
    ``None``.
    """

    number: int
    chapter: int
    chapter_title: str
    label: str
    paragraphs: tuple[Paragraph, ...]
    computable: bool
    non_computable_reason: str | None

    def __attrs_post_init__(self) -> None:
        if self.computable == (self.non_computable_reason is None):
            return
        raise InvalidInputError(
            f"第{chinese_numeral(self.number)}条: an article has a "
            "non_computable_reason exactly when it is not computable; got "
            f"computable={self.computable} and reason "
            f"{self.non_computable_reason!r}."
        )

    @property
    def text(self) -> str:
        """The article's words, without its heading: one line per paragraph
        and per item, each item with its ``（一）`` prefix."""
        return "\n".join(_paragraph_text(p) for p in self.paragraphs)


def _paragraph_text(paragraph: Paragraph) -> str:
    items = (
        f"（{chinese_numeral(k)}）{item}" for k, item in enumerate(paragraph.items, 1)
    )
    return "\n".join([paragraph.text, *items])


@attrs.frozen(order=True)
class Citation:
    """A reference to an article, one of its paragraphs, or one of its items.

    Only citations of text that exists can be made.  They are kept in one
    normal form, so two citations of the same words are equal:

    - an item cited without its paragraph is an item of the 第一款; that
      needs the 第一款 to have items, so ``Citation(36, item=2)`` is refused
      (the items of 第三十六条 are in its 第二款);
    - the 第一款 of an article with one paragraph is the whole article:
      ``Citation(30, 1) == Citation(30)``.

    Citations sort in reading order.  Prefer :func:`cite` to build one.

    Raises:
        InvalidInputError: the article, paragraph or item does not exist, or
            an item is cited without a paragraph that holds it.
    """

    article: int
    paragraph: int | None = attrs.field(default=None, order=_ordinal)
    item: int | None = attrs.field(default=None, order=_ordinal)

    def __attrs_post_init__(self) -> None:
        paragraph, item = _resolve(self.article, self.paragraph, self.item)
        # The documented way to normalise a frozen attrs instance.
        object.__setattr__(self, "paragraph", paragraph)
        object.__setattr__(self, "item", item)

    def __str__(self) -> str:
        cited = article(self.article)
        words = f"第{chinese_numeral(self.article)}条"
        if self.paragraph is not None and len(cited.paragraphs) > 1:
            words += f"第{chinese_numeral(self.paragraph)}款"
        if self.item is not None:
            words += f"第（{chinese_numeral(self.item)}）项"
        return words

    @property
    def text(self) -> str:
        """The cited words: an item's text, a paragraph's lead-in and items,
        or the whole article's text."""
        cited = article(self.article)
        if self.paragraph is None:
            return cited.text
        paragraph = cited.paragraphs[self.paragraph - 1]
        if self.item is None:
            return _paragraph_text(paragraph)
        return paragraph.items[self.item - 1]


def _resolve(
    number: int, paragraph: int | None, item: int | None
) -> tuple[int | None, int | None]:
    # Checks a citation and returns its paragraph and item in normal form.
    cited = article(number)
    name = f"第{chinese_numeral(number)}条"
    count = len(cited.paragraphs)
    if paragraph is not None:
        _check_number(paragraph, "paragraph")
        if paragraph > count == 1:
            raise InvalidInputError(
                f"{name} has only one paragraph (款), so there is no paragraph "
                f"{paragraph}. Cite the article itself: cite({number})."
            )
        if paragraph > count:
            raise InvalidInputError(
                f"{name} has no paragraph {paragraph}: it has {count} paragraphs "
                f"(款). Cite a paragraph from 1 to {count}."
            )

    if item is None:
        return (None if count == 1 else paragraph), None

    _check_number(item, "item")
    holders = [p.number for p in cited.paragraphs if p.items]
    if not holders:
        raise InvalidInputError(
            f"{name} has no items (项), so item {item} cannot be cited. Cite the "
            "article or one of its paragraphs."
        )
    if paragraph is None and 1 not in holders:
        raise InvalidInputError(
            f"{name}: item {item} needs its paragraph. The article has {count} "
            f"paragraphs and its items are in {_paragraph_names(holders)}, not "
            f"the 第一款. Name the paragraph: cite({number}, {holders[0]}, "
            f"{item})."
        )
    paragraph = 1 if paragraph is None else paragraph
    where = name if count == 1 else f"{name}第{chinese_numeral(paragraph)}款"
    if paragraph not in holders:
        raise InvalidInputError(
            f"{where} has no items (项): the items of {name} are in "
            f"{_paragraph_names(holders)}. Cite one of those: cite({number}, "
            f"{holders[0]}, {item})."
        )
    items = cited.paragraphs[paragraph - 1].items
    if item > len(items):
        raise InvalidInputError(
            f"{where} has no item {item}: its items are （一） to "
            f"（{chinese_numeral(len(items))}）. Cite an item from 1 to "
            f"{len(items)}."
        )
    return paragraph, item


def _paragraph_names(numbers: list[int]) -> str:
    return "、".join(f"第{chinese_numeral(n)}款" for n in numbers)


def _check_number(value: int, what: str) -> None:
    # bool is an int subclass; True is no paragraph number.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(
            f"{value!r} is not a valid {what} number: {what}s are numbered from 1."
        )


@attrs.define
class _Draft:
    # An article while its lines are being read.
    number: int
    chapter: int
    chapter_title: str
    paragraphs: list[tuple[str, list[str]]]


def _parse(
    text: str, editorial: Mapping[int, tuple[str, str | None]]
) -> tuple[Article, ...]:
    """Divide the regulation's text into chapters, articles, paragraphs and
    items (the rules are in the module docstring), and add the editorial
    label and computability of each article.

    Raises:
        InvalidInputError: a line that does not fit, naming its number; or
            articles that do not match the editorial table.
    """
    chapter: tuple[int, str] | None = None
    drafts: list[_Draft] = []
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if (found := _CHAPTER_LINE.fullmatch(line)) is not None:
            number = _numbered(found[1], line_number)
            expected = 1 if chapter is None else chapter[0] + 1
            _check_sequence("章", number, expected, line_number)
            chapter = (number, re.sub(r"\s+", "", found[2]))
        elif (found := _ARTICLE_LINE.fullmatch(line)) is not None:
            number = _numbered(found[1], line_number)
            _check_sequence("条", number, len(drafts) + 1, line_number)
            if chapter is None:
                raise _misplaced(line_number, "an article before any chapter")
            drafts.append(_Draft(number, *chapter, [(found[2], [])]))
        elif chapter is None and line_number == 1:
            continue  # The regulation's title.
        elif chapter is None or not drafts or drafts[-1].chapter != chapter[0]:
            raise _misplaced(line_number, "text outside any article")
        elif (found := _ITEM_LINE.fullmatch(line)) is not None:
            items = drafts[-1].paragraphs[-1][1]
            number = _numbered(found[1], line_number)
            _check_sequence("项", number, len(items) + 1, line_number)
            items.append(found[2])
        else:
            drafts[-1].paragraphs.append((line, []))

    numbers = [d.number for d in drafts]
    if numbers != sorted(editorial):
        raise InvalidInputError(
            f"The regulation's text has {len(numbers)} articles but the "
            f"editorial table labels {len(editorial)}; each article needs "
            "exactly one entry in _EDITORIAL."
        )
    return tuple(
        Article(
            number=d.number,
            chapter=d.chapter,
            chapter_title=d.chapter_title,
            label=editorial[d.number][0],
            paragraphs=tuple(
                Paragraph(k, lead, tuple(items))
                for k, (lead, items) in enumerate(d.paragraphs, 1)
            ),
            computable=editorial[d.number][1] is None,
            non_computable_reason=editorial[d.number][1],
        )
        for d in drafts
    )


def _numbered(numeral: str, line_number: int) -> int:
    try:
        return parse_chinese_numeral(numeral)
    except InvalidInputError:
        raise _misplaced(line_number, f"the numeral {numeral!r}") from None


def _check_sequence(unit: str, number: int, expected: int, line_number: int) -> None:
    if number != expected:
        raise _misplaced(
            line_number,
            f"第{chinese_numeral(number)}{unit} where 第"
            f"{chinese_numeral(expected)}{unit} was due",
        )


def _misplaced(line_number: int, what: str) -> InvalidInputError:
    return InvalidInputError(
        f"{_TEXT_NAME}, line {line_number}: {what}. The shipped text of the "
        "regulation is damaged; reinstall xueji."
    )


def _load() -> tuple[Article, ...]:
    source = importlib.resources.files("xueji") / "data" / _TEXT_NAME
    return _parse(source.read_text(encoding="utf-8"), _EDITORIAL)


# Read once, at import: the text is fixed for this edition.
_ARTICLES: Final = _load()


def article(number: int) -> Article:
    """The article with this number.

    Args:
        number: 1 (第一条) to 52 (第五十二条).

    Raises:
        InvalidInputError: no article has that number.
    """
    if isinstance(number, bool) or not isinstance(number, int):
        raise InvalidInputError(
            f"{number!r} is not an article number; articles are numbered 1 to "
            f"{len(_ARTICLES)}."
        )
    if not 1 <= number <= len(_ARTICLES):
        raise InvalidInputError(
            f"There is no article {number}: the regulation has "
            f"{len(_ARTICLES)} articles, 第一条 to "
            f"第{chinese_numeral(len(_ARTICLES))}条. Cite an article from 1 to "
            f"{len(_ARTICLES)}."
        )
    return _ARTICLES[number - 1]


def articles() -> tuple[Article, ...]:
    """All 52 articles, in order."""
    return _ARTICLES


def cite(
    article: int, paragraph: int | None = None, item: int | None = None
) -> Citation:
    """Cite an article, a paragraph (款) of it, or an item (项).

    Args:
        article: the article's number, 1 to 52.
        paragraph: the paragraph's number, or ``None`` for the whole article.
        item: the item's number; without ``paragraph``, an item of the
            第一款.

    Returns:
        The citation, in normal form (see :class:`Citation`):
        ``str(cite(30, item=1)) == "第三十条第（一）项"``.

    Raises:
        InvalidInputError: the article, paragraph or item does not exist, or
            the item is in a paragraph other than the first and none is named
            (``cite(36, item=2)``: write ``cite(36, 2, 2)``).
    """
    return Citation(article, paragraph, item)


def parse_citation(text: str) -> Citation:
    """Read a citation written as :class:`Citation` prints it, or in short.

    Args:
        text: ``第三十条第（一）项``, ``第三十六条第二款第（二）项``,
            ``第十六条第二款``, ``第十一条``; or the short forms ``30(1)``,
            ``36.2(2)``, ``16.2``, ``11``.  Surrounding spaces are ignored.

    Raises:
        InvalidInputError: the text is in neither form, or cites words the
            regulation does not have.
    """
    written = text.strip()
    read: Callable[[str], int]
    if (found := _CHINESE_CITATION.fullmatch(written)) is not None:

        def read(numeral: str) -> int:
            return _numeral_in(numeral, text)

    elif (found := _ASCII_CITATION.fullmatch(written)) is not None:
        read = int
    else:
        raise InvalidInputError(
            f"{text!r} is not a citation of the regulation. Write it as "
            f"{_CITATION_FORMS}."
        )

    number, paragraph, item = found.groups()
    return Citation(
        read(number),
        None if paragraph is None else read(paragraph),
        None if item is None else read(item),
    )


def _numeral_in(numeral: str, text: str) -> int:
    try:
        return parse_chinese_numeral(numeral)
    except InvalidInputError:
        raise InvalidInputError(
            f"{text!r}: {numeral!r} is not a numeral in the regulation's form "
            f"(十一, not 一十一). Write the citation as {_CITATION_FORMS}."
        ) from None
