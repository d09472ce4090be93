"""Identity documents and the national student number (学籍号).

A student's identity document is one of the kinds in :class:`DocumentKind`.
The 18-character number shared by the 居民身份证 (resident identity card), the
港澳台居民居住证 (residence permits of Hong Kong, Macao and Taiwan residents)
and the new 外国人永久居留身份证 (foreigners' permanent residence ID card) is
an :class:`IdNumber`; :func:`parse_id_number` checks one on the date of a
request — format, birth date, check character (GB 11643-1999, ISO 7064
MOD 11-2) — and upgrades a 15-digit legacy number.

The 学籍号 is generated from the admission result, one person one number for
life (第十七条第二款).  A :class:`StudentNumber` is one of three kinds:

- ``G`` + the 居民身份证 number, for a holder of a mainland 居民身份证;
- ``L`` + school region code + birth date + 4-digit serial, a temporary number
  until the national system assigns one (no check character);
- ``J`` + school region code + birth date + 3-digit sequence + a MOD 11-2
  check character, assigned by the national system when there is no G.

An ID number and a G-kind 学籍号 print masked (``str``, ``repr`` and every
error message): only the region code and the last four characters show.  Read
``.value`` for the full number, and only where the principal's role needs it.

python-stdnum's ``stdnum.cn.ric`` is not used here: as a validator it accepts
birth dates in the future, rejects the 83 and 9 prefixes of residence permits
and permanent residence cards, and costs tens of microseconds a call.  The
tests use its check-digit function as the oracle.  See ``docs/identity.md``.
"""

from __future__ import annotations

__all__ = [
    "DocumentKind",
    "IdNumber",
    "ParsedId",
    "StudentNumber",
    "StudentNumberKind",
    "id_check_char",
    "is_valid_id_number",
    "parse_id_number",
]

import enum
from datetime import date
from typing import Final, Literal

import attrs

from xueji._errors import InvalidIdNumberError, InvalidInputError

# ISO 7064 MOD 11-2 as GB 11643-1999 states it: position i (1..18 from the
# left) has weight 2**(18 - i) mod 11 — 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
# for the 17 digits — and the check character makes the weighted sum of all
# 18 ≡ 1 (mod 11), X standing for 10.  Indexed by the 17 digits' weighted
# sum mod 11, the check characters are:
_CHECK_CHARS: Final = "10X98765432"

_DIGITS: Final = frozenset("0123456789")
_CHECK_ALPHABET: Final = frozenset("0123456789X")


def _is_digits(text: str) -> bool:
    """Whether every character is one of the ASCII digits 0-9 (and one is)."""
    # str.isdigit alone also takes full-width and other Unicode digits.
    return text.isascii() and text.isdigit()


# The first two digits of the region code (GB/T 2260): the 31 mainland
# provinces, autonomous regions and municipalities.
_MAINLAND_PROVINCES: Final = frozenset(
    {
        *("11", "12", "13", "14", "15"),
        *("21", "22", "23"),
        *("31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46"),
        *("50", "51", "52", "53", "54"),
        *("61", "62", "63", "64", "65"),
    }
)
# 71 Taiwan (GB/T 2260); 81 Hong Kong and 82 Macao (港澳居民居住证, 810000 and
# 820000); 83 Taiwan residents' residence permits (830000).  A first digit 9
# is a 2023-edition 外国人永久居留身份证 (9 + place of issue + nationality).
_OTHER_PREFIXES: Final = frozenset({"71", "81", "82", "83"})
_HMT_PREFIXES: Final = frozenset({"81", "82", "83"})

_EARLIEST_BIRTH_YEAR: Final = 1900

_ZH_RECHECK: Final = "请核对证件后重新输入。"
_EN_RECHECK: Final = "Re-check the number against the document and enter it again."


class DocumentKind(enum.Enum):
    """The kind of a student's identity document."""

    RESIDENT_ID = "居民身份证"
    HMT_RESIDENCE_PERMIT = "港澳台居民居住证"
    FOREIGN_PERMANENT_RESIDENCE = "外国人永久居留身份证"
    PASSPORT = "护照"
    NONE = "无"


def id_check_char(first17: str) -> str:
    """Return the MOD 11-2 check character for 17 digits.

    Args:
        first17: The first 17 characters of an ID number (or of a J-kind
            学籍号 after its letter): ASCII digits only.

    Returns:
        One of ``0``–``9`` or ``X``.

    Raises:
        InvalidInputError: ``first17`` is not 17 ASCII digits.
    """
    if len(first17) != 17 or not _is_digits(first17):
        raise InvalidInputError(
            f"校验码只能由17位数字计算，收到{len(first17)}个字符。"
            f" The check character is computed from exactly 17 digits 0-9;"
            f" {len(first17)} characters were given."
        )

    return _check_char(first17)


def _check_char(first17: str) -> str:
    # Callers have checked that first17 is 17 ASCII digits.  The weighted sum
    # Σ d_i·2**(18-i) is 2·Σ d_i·2**(17-i), and reading the digits in base 13
    # gives Σ d_i·13**(17-i) ≡ Σ d_i·2**(17-i) (mod 11) because 13 ≡ 2: one
    # int() call instead of 17 multiplications, four times faster.  The tests
    # hold it to the weight table and to python-stdnum.
    return _CHECK_CHARS[2 * int(first17, 13) % 11]


def _mask_raw(text: str) -> str:
    """Mask a string that was meant to be an ID number, whatever its length.

    At most the region code and the last four characters show, and never the
    birth date of an 18- or 15-character number: a 15-character string keeps
    only its last three.  Strings shorter than 12 characters are all stars.
    """
    n = len(text)
    if n >= 18:
        return text[:6] + "*" * (n - 10) + text[-4:]
    if n >= 15:
        return text[:6] + "*" * (n - 9) + text[-3:]
    if n >= 12:
        return text[:6] + "*" * (n - 6)
    return "*" * n


def _invalid(text: str, zh: str, en: str) -> InvalidIdNumberError:
    """The error for ``text``, shown masked, with the problem in both languages."""
    masked = _mask_raw(text)
    return InvalidIdNumberError(
        f"身份证件号码{masked}无效：{zh}{_ZH_RECHECK}"
        f" Invalid ID number {masked}: {en} {_EN_RECHECK}"
    )


def _positions(text: str, allowed_last: frozenset[str]) -> list[int]:
    """1-based positions of characters that are not allowed where they are."""
    bad = [i + 1 for i, c in enumerate(text[:-1]) if c not in _DIGITS]
    if text and text[-1] not in allowed_last:
        bad.append(len(text))
    return bad


def _bad_characters(text: str, allowed_last: frozenset[str]) -> InvalidIdNumberError:
    # Positions only, never the characters: a full-width digit is still a
    # digit of the person's number.
    where = _positions(text, allowed_last)
    zh_where = "、".join(f"第{p}位" for p in where)
    en_where = ", ".join(str(p) for p in where)
    last = "，最后一位可以是X" if "X" in allowed_last else ""
    en_last = " (the last may be X)" if "X" in allowed_last else ""
    return _invalid(
        text,
        f"{zh_where}不是半角数字0-9{last}。",
        f"the character(s) at position {en_where} are not ASCII digits 0-9{en_last}.",
    )


def _wrong_length(text: str, *, legacy_allowed: bool) -> InvalidIdNumberError:
    zh_need = "应为18位（旧版号码为15位）" if legacy_allowed else "应为18位"
    en_need = (
        "18 are required (15 for a legacy number)"
        if legacy_allowed
        else ("18 are required (parse_id_number upgrades a 15-digit legacy number)")
    )
    return _invalid(
        text,
        f"输入了{len(text)}个字符，{zh_need}。",
        f"{len(text)} characters were given; {en_need}.",
    )


def _birth_date(digits8: str, text: str) -> date:
    # fromisoformat takes the basic form YYYYMMDD since Python 3.11; the
    # caller has checked that these are ASCII digits.
    try:
        born = date.fromisoformat(digits8)
    except ValueError:
        raise _invalid(
            text,
            "出生日期（第7至14位）不是存在的日期。",
            "the birth date (characters 7 to 14) is not a calendar date.",
        ) from None
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise _invalid(
            text,
            "出生年份早于1900年。",
            "the birth year is before 1900.",
        )
    return born


def _checked(value: str) -> date:
    """Check a normalised 18-character number and return its birth date.

    Checks, in order: length, characters, birth date, check character.  The
    region code is never a reason to refuse (see :func:`_region_warnings`).
    """
    if len(value) != 18:
        raise _wrong_length(value, legacy_allowed=False)
    if not _is_digits(value[:17]) or value[17] not in _CHECK_ALPHABET:
        raise _bad_characters(value, _CHECK_ALPHABET)

    born = _birth_date(value[6:14], value)

    if _check_char(value[:17]) != value[17]:
        raise _invalid(
            value,
            "校验码（第18位）与前17位不符（GB 11643-1999）。",
            "the check character (the 18th) does not match the first 17"
            " digits (GB 11643-1999, ISO 7064 MOD 11-2).",
        )
    return born


def _normalise(raw: str) -> str:
    """Drop every whitespace character and make a trailing x an X."""
    text = "".join(raw.split())
    if text.endswith("x"):
        text = text[:-1] + "X"
    return text


def _validate_id(_instance: object, _attribute: object, value: str) -> None:
    _checked(value)


@attrs.frozen(repr=False)
class IdNumber:
    """An 18-character identity-document number, checked and normalised.

    The number of a 居民身份证, a 港澳台居民居住证 or a 2023-edition
    外国人永久居留身份证 — they share the layout: region code (6), birth date
    YYYYMMDD (8), sequence (3, odd for men), check character (MOD 11-2, X for
    10).  Whitespace is dropped and a trailing x becomes X.  Constructing one
    checks the format, the birth date and the check character; use
    :func:`parse_id_number` to check the birth date against a request's date,
    to upgrade a 15-digit number and to get the warnings.

    ``str()`` and ``repr()`` are masked so that the number does not leak into
    logs and messages by accident; ``value`` holds the full number.

    Raises:
        InvalidIdNumberError: The number is not valid.
    """

    value: str = attrs.field(converter=_normalise, validator=_validate_id)

    @property
    def birth_date(self) -> date:
        """The birth date in characters 7 to 14."""
        return date.fromisoformat(self.value[6:14])

    @property
    def region_code(self) -> str:
        """The 6-digit region code (行政区划代码) of the first 6 characters."""
        return self.value[:6]

    @property
    def sex(self) -> Literal["男", "女"]:
        """男 when the 17th character is odd, 女 when it is even."""
        return "男" if int(self.value[16]) % 2 else "女"

    @property
    def is_mainland(self) -> bool:
        """Whether the region code belongs to one of the 31 mainland
        provinces (first two digits among 11–65 as GB/T 2260 assigns them).

        Only such a 居民身份证 number yields a G-kind 学籍号.
        """
        return self.value[:2] in _MAINLAND_PROVINCES

    @property
    def document_kind(self) -> DocumentKind:
        """The kind of document the number's prefix belongs to.

        81, 82 and 83 are residence permits of Hong Kong, Macao and Taiwan
        residents; a leading 9 is a foreigner's permanent residence ID card;
        anything else is taken as a 居民身份证.
        """
        if self.value[0] == "9":
            return DocumentKind.FOREIGN_PERMANENT_RESIDENCE
        if self.value[:2] in _HMT_PREFIXES:
            return DocumentKind.HMT_RESIDENCE_PERMIT
        return DocumentKind.RESIDENT_ID

    def masked(self) -> str:
        """The first 6 and the last 4 characters with 8 stars between."""
        return self.value[:6] + "********" + self.value[14:]

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"IdNumber({self.masked()!r})"


@attrs.frozen
class ParsedId:
    """What :func:`parse_id_number` found.

    Attributes:
        number: The valid, normalised 18-character number.
        warnings: Things to check that are no reason to refuse the number,
            in Chinese and English (an unknown province code, say).
        upgraded_from: The masked 15-digit legacy number the 18-character one
            was computed from, or ``None``.
    """

    number: IdNumber
    warnings: tuple[str, ...] = ()
    upgraded_from: str | None = None


def _region_warnings(value: str) -> tuple[str, ...]:
    prefix = value[:2]
    if prefix in _MAINLAND_PROVINCES or prefix in _OTHER_PREFIXES or prefix[0] == "9":
        return ()
    return (
        f"地区码前两位{prefix}不是已知的省级行政区划代码；号码已接受，请核对证件。"
        f" The region code's first two digits {prefix} are not a known"
        f" province-level code; the number was accepted — check the document.",
    )


def parse_id_number(raw: str, *, on: date) -> ParsedId:
    """Check an identity-document number as of a request's date.

    Whitespace anywhere is dropped and a trailing x becomes X.  A 15-digit
    legacy number (region, YYMMDD, sequence) is upgraded to 18 characters:
    ``19`` goes before the year and the check character is computed.

    Args:
        raw: The number as entered.
        on: The request's date; a birth date after it is invalid.

    Returns:
        The number, any warnings, and the masked legacy number it came from.

    Raises:
        InvalidIdNumberError: Wrong length, a character that is not allowed,
            a birth date that does not exist, lies before 1900 or after
            ``on``, or a check character that does not match.  The message
            shows the number masked.
    """
    entered = _normalise(raw)
    text = entered
    if len(entered) == 15:
        if not _is_digits(entered):
            raise _bad_characters(entered, _DIGITS)
        first17 = entered[:6] + "19" + entered[6:]
        _birth_date(first17[6:14], entered)
        text = first17 + _check_char(first17)
    elif len(entered) != 18:
        raise _wrong_length(entered, legacy_allowed=True)

    number = IdNumber(text)

    if number.birth_date > on:
        raise _invalid(
            entered,
            f"出生日期晚于办理日期{on.isoformat()}。",
            f"the birth date is after the request's date {on.isoformat()}.",
        )
    upgraded_from = _mask_raw(entered) if entered is not text else None
    return ParsedId(number, _region_warnings(text), upgraded_from)


def is_valid_id_number(raw: str, *, on: date) -> bool:
    """Whether :func:`parse_id_number` accepts ``raw`` on date ``on``."""
    try:
        parse_id_number(raw, on=on)
    except InvalidIdNumberError:
        return False
    return True


class StudentNumberKind(enum.Enum):
    """The kind of a 学籍号, its first letter."""

    G = "G"
    """G + the 居民身份证 number."""
    J = "J"
    """Assigned by the national system: region, birth date, sequence, check."""
    L = "L"
    """Temporary, until the national system assigns G or J: no check."""


def _normalise_student_number(raw: str) -> str:
    return "".join(raw.split()).upper()


def _invalid_student_number(value: str, zh: str, en: str) -> InvalidInputError:
    shown = _mask_student_number(value)
    return InvalidInputError(
        f"学籍号{shown}无效：{zh}（第十七条第二款：按全国中小学生学籍信息管理系统"
        f"规则生成学籍号。）请核对后重新输入。"
        f" Invalid student number (学籍号) {shown}: {en} (Article 17(2): the"
        f" number follows the national register's rules.) Check it and enter"
        f" it again."
    )


def _mask_student_number(value: str) -> str:
    # J and L numbers are shown as they are, as StudentNumber.masked() does.
    # Anything else may hold an ID number — a G number, or an ID number typed
    # into the wrong field — and is masked like one.
    if value[:1] in ("J", "L"):
        return value
    if value[:1] == "G":
        return "G" + _mask_raw(value[1:])
    return _mask_raw(value)


def _validate_student_number(_instance: object, _attribute: object, value: str) -> None:
    letter = value[:1]
    if letter not in ("G", "J", "L"):
        raise _invalid_student_number(
            value,
            "首字母应为G、J或L。",
            "the first letter must be G, J or L.",
        )
    if len(value) != 19:
        raise _invalid_student_number(
            value,
            f"共{len(value)}个字符，应为19个（1个字母+18个字符）。",
            f"{len(value)} characters were given; 19 are required (a letter"
            f" and 18 characters).",
        )

    if letter == "G":
        _validate_g(value)
        return
    last_alphabet = _CHECK_ALPHABET if letter == "J" else _DIGITS
    tail, en_tail = (
        ("，最后一位可为X", ", the last may be X") if letter == "J" else ("", "")
    )
    if not _is_digits(value[1:18]) or value[18] not in last_alphabet:
        where = ", ".join(str(p + 1) for p in _positions(value[1:], last_alphabet))
        raise _invalid_student_number(
            value,
            f"第{where}位字符不合格式（字母之后应为18位数字{tail}）。",
            f"the character(s) at position {where} are not allowed there (the"
            f" letter is followed by 18 digits{en_tail}).",
        )
    try:
        _birth_date(value[7:15], value)
    except InvalidIdNumberError:
        raise _invalid_student_number(
            value,
            "出生日期（第8至15位）不是1900年以后存在的日期。",
            "the birth date (characters 8 to 15) is not a calendar date from 1900 on.",
        ) from None
    if letter == "J" and _check_char(value[1:18]) != value[18]:
        raise _invalid_student_number(
            value,
            "校验码（第19位）与前面的数字不符。",
            "the check character (the 19th) does not match the digits before it.",
        )


def _validate_g(value: str) -> None:
    try:
        _checked(value[1:])
    except InvalidIdNumberError as error:
        raise InvalidInputError(
            f"G类学籍号{_mask_student_number(value)}所含的身份证件号码无效。"
            f" The ID number inside the G-kind student number is invalid."
            f" {error}"
        ) from None
    if value[1:3] not in _MAINLAND_PROVINCES:
        raise _invalid_student_number(
            value,
            "G类学籍号只用于大陆居民身份证号码（地区码前两位为省级代码11至65）；"
            "其他证件先编L类临时学籍号，再由全国系统赋号。",
            "a G-kind number is only made from a mainland 居民身份证 number"
            " (region code of a province, 11 to 65); other documents get a"
            " temporary L number until the national system assigns one.",
        )


def _region_code_or_raise(region_code: str) -> str:
    if len(region_code) != 6 or not _is_digits(region_code):
        raise InvalidInputError(
            f"学校地区码应为6位数字，收到{len(region_code)}个字符。"
            f" The school's region code must be 6 digits 0-9;"
            f" {len(region_code)} characters were given."
        )
    return region_code


def _birth_digits(birth_date: date) -> str:
    if birth_date.year < _EARLIEST_BIRTH_YEAR:
        raise InvalidInputError(
            "出生年份早于1900年，不能编入学籍号。"
            " A birth year before 1900 cannot go into a student number."
        )
    return birth_date.strftime("%Y%m%d")


def _counter_or_raise(name: str, zh_name: str, value: int, upper: int) -> int:
    if isinstance(value, bool) or not 0 <= value <= upper:
        raise InvalidInputError(
            f"{zh_name}应在0至{upper}之间，收到{value!r}。"
            f" The {name} must be an integer from 0 to {upper}; got {value!r}."
        )
    return value


@attrs.frozen(repr=False)
class StudentNumber:
    """A 学籍号: the national student number, one person one number for life.

    The national register generates it from the admission result (第十七条
    第二款).  Build one with :meth:`from_id`, :meth:`temporary` or
    :meth:`national_j`, or read one with :meth:`parse`.  A G-kind number
    contains an ID number and prints masked like one.

    Raises:
        InvalidInputError: ``value`` does not have the format of its kind; a
            G number's ID part must be a valid mainland 居民身份证 number, a J
            number's check character must match.
    """

    value: str = attrs.field(
        converter=_normalise_student_number, validator=_validate_student_number
    )

    @property
    def kind(self) -> StudentNumberKind:
        """G, J or L: the first letter."""
        return StudentNumberKind(self.value[0])

    @property
    def region_code(self) -> str:
        """The 6-digit region code: the ID's (G) or the school's (J, L)."""
        return self.value[1:7]

    @property
    def birth_date(self) -> date:
        """The birth date in characters 8 to 15, for every kind."""
        return date.fromisoformat(self.value[7:15])

    @classmethod
    def from_id(cls, id_number: IdNumber) -> StudentNumber:
        """The G-kind number of a mainland 居民身份证 holder.

        Raises:
            InvalidInputError: The number is not a mainland one (83 and 9
                prefixes, 71, 81, 82, or an unknown province code); such a
                student gets :meth:`temporary` until the national system
                assigns a number.
        """
        if not id_number.is_mainland:
            raise InvalidInputError(
                f"证件号码{id_number.masked()}不是大陆居民身份证号码，不能生成G类"
                f"学籍号；请先编L类临时学籍号，由全国系统赋号。"
                f" The ID number {id_number.masked()} is not a mainland 居民身份证"
                f" number, so it cannot make a G-kind student number; give a"
                f" temporary L number until the national system assigns one."
            )

        return cls("G" + id_number.value)

    @classmethod
    def temporary(
        cls, region_code: str, birth_date: date, serial: int
    ) -> StudentNumber:
        """A temporary L-kind number: L + region + YYYYMMDD + 4-digit serial.

        Args:
            region_code: The school's 6-digit region code.
            birth_date: The student's birth date.
            serial: 0 to 9999, written with 4 digits.

        Raises:
            InvalidInputError: A part is out of range.
        """
        region = _region_code_or_raise(region_code)
        born = _birth_digits(birth_date)
        number = _counter_or_raise("serial", "流水号", serial, 9999)

        return cls(f"L{region}{born}{number:04d}")

    @classmethod
    def national_j(
        cls, region_code: str, birth_date: date, sequence: int
    ) -> StudentNumber:
        """A J-kind number: J + region + YYYYMMDD + 3-digit sequence + check.

        Args:
            region_code: The school's 6-digit region code.
            birth_date: The student's birth date.
            sequence: 0 to 999, written with 3 digits.

        Raises:
            InvalidInputError: A part is out of range.
        """
        region = _region_code_or_raise(region_code)
        born = _birth_digits(birth_date)
        number = _counter_or_raise("sequence", "顺序码", sequence, 999)

        digits = f"{region}{born}{number:03d}"
        return cls(f"J{digits}{_check_char(digits)}")

    @classmethod
    def parse(cls, raw: str) -> StudentNumber:
        """Read a 学籍号 as entered: whitespace dropped, letters upper-cased.

        Raises:
            InvalidInputError: It is not a valid number of its kind.
        """
        return cls(raw)

    def masked(self) -> str:
        """G: the letter and the masked ID number; J and L: unchanged."""
        if self.value[0] == "G":
            return "G" + self.value[1:7] + "********" + self.value[15:]
        return self.value

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"StudentNumber({self.masked()!r})"
