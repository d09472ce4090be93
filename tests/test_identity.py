"""Identity-document numbers and the 学籍号 (xueji._identity).

Expected values are worked out by hand with the weights of GB 11643-1999
(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) and the check characters "10X98765432"
indexed by the weighted sum mod 11; the arithmetic is in the comments.
python-stdnum's ``stdnum.cn.ric`` is the oracle for the check character only:
as a validator it is wrong for our purposes, and the tests below say where.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from xueji._errors import InvalidIdNumberError, InvalidInputError
from xueji._identity import (
    DocumentKind,
    IdNumber,
    ParsedId,
    StudentNumber,
    StudentNumberKind,
    id_check_char,
    is_valid_id_number,
    parse_id_number,
)

ON = date(2025, 9, 1)

# 1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9
# + 3·10 + 1·5 + 0·8 + 0·4 + 2·2 = 167; 167 mod 11 = 2 -> "10X98765432"[2] = X
BORN_1949 = "11010519491231002X"
# 7 + 9 + 0 + 5 + 0 + 20 + 4 + 0 + 6 + 18 + 0 + 27 + 0 + 5 + 0 + 0 + 10 = 111;
# 111 mod 11 = 1 -> "0"
BORN_2016 = "110105201603010050"
# Taiwan residents' residence permit: 56 + 27 + 0 + 0 + 0 + 0 + 4 + 0 + 0 + 15
# + 0 + 9 + 0 + 5 + 0 + 0 + 2 = 118; 118 mod 11 = 8 -> "4"
TAIWAN_PERMIT = "830000200501010014"
# Hong Kong residents' residence permit: 56 + 9 + 4 + 9 + 5 + 2 = 85 (the
# other products are 0); 85 mod 11 = 8 -> "4"
HONG_KONG_PERMIT = "810000200001010014"
# 2023 foreigner's permanent residence ID card, 9 + 11 (Beijing) + 840:
# 63 + 9 + 10 + 40 + 32 + 0 + 4 + 0 + 6 + 0 + 0 + 27 + 10 + 25 + 0 + 0 + 4
# = 230; 230 mod 11 = 10 -> "2"
FOREIGNER_CARD = "911840201003150022"
# No province has code 66: 42 + 54 + 0 + 5 + 0 + 4 + 4 + 0 + 0 + 24 + 0 + 9
# + 0 + 5 + 0 + 0 + 2 = 149; 149 mod 11 = 6 -> "6"
UNKNOWN_PROVINCE = "660101200801010016"
# Born 2030-01-01: 7 + 9 + 5 + 20 + 4 + 18 + 9 + 5 + 2 = 79; 79 mod 11 = 2 -> X
BORN_2030 = "11010520300101001X"
# 2025-02-30 does not exist; the check character is right: 7 + 9 + 5 + 20 + 4
# + 12 + 15 + 18 + 30 + 2 = 122; 122 mod 11 = 1 -> "0"
BORN_FEB_30 = "110105202502300010"
# Born 1899: 7 + 9 + 5 + 20 + 2 + 8 + 54 + 27 + 7 + 18 + 30 + 5 + 2 = 194;
# 194 mod 11 = 7 -> "5"
BORN_1899 = "110105189912310015"

VALID_NUMBERS = [BORN_1949, BORN_2016, TAIWAN_PERMIT, FOREIGNER_CARD]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def textbook_check_char(first17: str) -> str:
    """The check character as GB 11643-1999 defines it, spelled out."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True)
    )
    return "10X98765432"[total % 11]


def stdnum_check_char(first17: str) -> str:
    # ric.calc_check_digit takes the whole number and ignores its last
    # character, so give it a placeholder.
    return str(ric.calc_check_digit(first17 + "?"))


def message_of(raw: str, on: date = ON) -> str:
    with pytest.raises(InvalidIdNumberError) as caught:
        parse_id_number(raw, on=on)
    return str(caught.value)


# --- the check character ---------------------------------------------------


def test_the_worked_examples_have_the_hand_computed_check_character() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("11010520160301005") == "0"
    assert id_check_char("83000020050101001") == "4"
    assert id_check_char("91184020100315002") == "2"


@pytest.mark.parametrize("first17", ["1101051949123100", "1101051949123100A", ""])
def test_the_check_character_needs_exactly_17_ascii_digits(first17: str) -> None:
    with pytest.raises(InvalidInputError):
        id_check_char(first17)


def test_the_check_character_refuses_full_width_digits() -> None:
    with pytest.raises(InvalidInputError):
        id_check_char("１１０１０５１９４９１２３１００２")


# --- valid numbers ----------------------------------------------------------


def test_a_number_with_x_as_check_character_is_valid() -> None:
    parsed = parse_id_number(BORN_1949, on=ON)

    assert parsed == ParsedId(IdNumber(BORN_1949), (), None)
    assert parsed.number.value == "11010519491231002X"


def test_a_trailing_lowercase_x_is_normalised_to_upper_case() -> None:
    parsed = parse_id_number("11010519491231002x", on=ON)

    assert parsed.number.value == "11010519491231002X"
    assert IdNumber("11010519491231002x").value == "11010519491231002X"


def test_whitespace_anywhere_in_the_number_is_dropped() -> None:
    parsed = parse_id_number(" 110105 19491231 002x\t", on=ON)

    assert parsed.number.value == "11010519491231002X"


def test_a_number_with_check_character_0_is_valid() -> None:
    assert parse_id_number(BORN_2016, on=ON).number.value == "110105201603010050"


def test_the_number_tells_birth_date_region_and_sex() -> None:
    woman = IdNumber(BORN_1949)
    man = IdNumber(BORN_2016)

    assert woman.birth_date == date(1949, 12, 31)
    assert woman.region_code == "110105"
    assert woman.sex == "女"  # sequence 002: even
    assert man.birth_date == date(2016, 3, 1)
    assert man.sex == "男"  # sequence 005: odd
    assert woman.is_mainland
    assert woman.document_kind is DocumentKind.RESIDENT_ID


def test_a_birth_on_the_request_date_is_valid_and_the_day_before_not() -> None:
    assert is_valid_id_number(BORN_2016, on=date(2016, 3, 1))
    assert not is_valid_id_number(BORN_2016, on=date(2016, 2, 29))


# --- where python-stdnum is wrapped -----------------------------------------


def test_a_taiwan_residence_permit_is_valid_though_stdnum_rejects_it() -> None:
    parsed = parse_id_number(TAIWAN_PERMIT, on=ON)

    assert parsed.warnings == ()
    assert parsed.number.document_kind is DocumentKind.HMT_RESIDENCE_PERMIT
    assert not parsed.number.is_mainland
    assert parsed.number.sex == "男"
    # stdnum looks 830000 up as a birth place, finds none and refuses.
    assert not ric.is_valid(TAIWAN_PERMIT)


def test_a_hong_kong_residents_residence_permit_is_valid() -> None:
    parsed = parse_id_number(HONG_KONG_PERMIT, on=ON)

    assert parsed.warnings == ()
    assert parsed.number.document_kind is DocumentKind.HMT_RESIDENCE_PERMIT
    assert not parsed.number.is_mainland


def test_a_foreigners_residence_card_is_valid_though_stdnum_rejects_it() -> None:
    parsed = parse_id_number(FOREIGNER_CARD, on=ON)

    assert parsed.warnings == ()
    assert parsed.number.document_kind is DocumentKind.FOREIGN_PERMANENT_RESIDENCE
    assert not parsed.number.is_mainland
    assert parsed.number.sex == "女"
    assert parsed.number.birth_date == date(2010, 3, 15)
    assert not ric.is_valid(FOREIGNER_CARD)


def test_a_birth_after_the_request_date_is_invalid_though_stdnum_accepts_it() -> None:
    message = message_of(BORN_2030, on=ON)

    assert "出生日期晚于办理日期2025-09-01" in message
    assert "after the request's date 2025-09-01" in message
    assert ric.is_valid(BORN_2030)


def test_a_birth_year_before_1900_is_invalid_though_stdnum_accepts_it() -> None:
    message = message_of(BORN_1899)

    assert "1900" in message
    assert ric.is_valid(BORN_1899)


def test_an_unknown_province_code_is_accepted_with_a_warning() -> None:
    parsed = parse_id_number(UNKNOWN_PROVINCE, on=ON)

    assert parsed.number.value == "660101200801010016"
    assert len(parsed.warnings) == 1
    assert "66" in parsed.warnings[0]
    assert "not a known province-level code" in parsed.warnings[0]
    assert not parsed.number.is_mainland
    assert not ric.is_valid(UNKNOWN_PROVINCE)


# --- legacy 15-digit numbers ------------------------------------------------


def test_a_15_digit_legacy_number_is_upgraded_to_18() -> None:
    # 110105 + 19 + 491231 + 002 -> 11010519491231002, check X (see BORN_1949)
    parsed = parse_id_number("110105491231002", on=ON)

    assert parsed.number.value == "11010519491231002X"
    assert parsed.upgraded_from == "110105******002"
    assert parsed.warnings == ()


def test_a_15_digit_number_with_an_impossible_date_is_invalid() -> None:
    message = message_of("110105490231002")

    assert "出生日期" in message
    assert "110105******002" in message


def test_an_18_character_id_number_cannot_be_built_from_15_digits() -> None:
    with pytest.raises(InvalidIdNumberError, match="parse_id_number"):
        IdNumber("110105491231002")


# --- invalid numbers and their messages ---------------------------------------


def test_a_wrong_check_character_is_invalid() -> None:
    message = message_of("11010520160301005X")  # the check character must be 0

    assert "校验码" in message
    assert "check character" in message
    assert "does not match" in message
    assert "Re-check" in message


def test_the_message_for_a_wrong_check_character_hides_the_right_one() -> None:
    message = message_of("11010520160301005X")

    assert "0050" not in message
    assert "expected" not in message.lower()


@pytest.mark.parametrize(
    ("raw", "length"),
    [("11010519491231002", 17), ("11010519491231002X1", 19)],
)
def test_a_wrong_length_is_invalid_and_the_message_names_it(
    raw: str, length: int
) -> None:
    message = message_of(raw)

    assert f"输入了{length}个字符" in message
    assert f"{length} characters were given; 18 are required" in message
    assert "15" in message


def test_a_birth_date_that_does_not_exist_is_invalid() -> None:
    message = message_of(BORN_FEB_30)

    assert "出生日期" in message
    assert "not a calendar date" in message


def test_a_letter_inside_the_number_is_invalid_and_its_position_is_named() -> None:
    message = message_of("1101O5201603010050")  # letter O at position 5

    assert "第5位" in message
    assert "position 5" in message


def test_full_width_digits_are_refused() -> None:
    message = message_of("１１０１０５２０１６０３０１００５０")

    assert "１１０１０５２０１６０３０１００５０" not in message
    assert "２０１６０３０１" not in message


@pytest.mark.parametrize(
    "raw",
    [
        "11010520160301005X",
        "11010519491231002",
        "11010519491231002X1",
        BORN_FEB_30,
        BORN_2030,
        BORN_1899,
        "1101O5201603010050",
        "110105490231002",
    ],
)
def test_messages_never_contain_the_number_or_its_birth_date(raw: str) -> None:
    message = message_of(raw)

    assert raw not in message
    assert raw[6:14] not in message
    assert raw[:6] in message  # the masked form shows the region code


def test_an_id_number_prints_masked() -> None:
    number = IdNumber(BORN_1949)

    assert number.masked() == "110105********002X"
    assert str(number) == "110105********002X"
    assert f"{number}" == "110105********002X"
    assert repr(number) == "IdNumber('110105********002X')"
    assert "19491231" not in repr(parse_id_number(BORN_1949, on=ON))


def test_id_numbers_compare_by_value() -> None:
    assert IdNumber("11010519491231002x") == IdNumber(BORN_1949)
    assert len({IdNumber(BORN_1949), IdNumber("11010519491231002x")}) == 1


# --- 学籍号 ------------------------------------------------------------------


def test_a_mainland_id_number_gives_a_g_number() -> None:
    student_number = StudentNumber.from_id(IdNumber("11010519491231002x"))

    assert student_number.value == "G11010519491231002X"
    assert student_number.kind is StudentNumberKind.G
    assert student_number.birth_date == date(1949, 12, 31)
    assert student_number.region_code == "110105"


@pytest.mark.parametrize(
    "raw", [TAIWAN_PERMIT, HONG_KONG_PERMIT, FOREIGNER_CARD, UNKNOWN_PROVINCE]
)
def test_a_document_from_outside_the_mainland_gives_no_g_number(raw: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        StudentNumber.from_id(IdNumber(raw))

    assert raw not in str(caught.value)
    assert "L" in str(caught.value)


def test_a_masked_g_number_hides_the_birth_date() -> None:
    student_number = StudentNumber.from_id(IdNumber(BORN_1949))

    assert student_number.masked() == "G110105********002X"
    assert str(student_number) == "G110105********002X"
    assert repr(student_number) == "StudentNumber('G110105********002X')"
    assert "19491231" not in repr(student_number)


def test_a_temporary_l_number_has_19_characters_and_no_check() -> None:
    student_number = StudentNumber.temporary("110108", date(2015, 9, 1), 42)

    assert student_number.value == "L110108201509010042"
    assert len(student_number.value) == 19
    assert student_number.kind is StudentNumberKind.L
    assert student_number.masked() == "L110108201509010042"
    assert str(student_number) == "L110108201509010042"


def test_a_j_number_ends_in_its_check_character() -> None:
    # 110108 20150901 001: 7 + 9 + 0 + 5 + 0 + 32 + 4 + 0 + 6 + 15 + 0 + 81
    # + 0 + 5 + 0 + 0 + 2 = 166; 166 mod 11 = 1 -> "0"
    student_number = StudentNumber.national_j("110108", date(2015, 9, 1), 1)

    assert student_number.value == "J110108201509010010"
    assert student_number.kind is StudentNumberKind.J
    assert student_number.masked() == "J110108201509010010"


def test_a_j_number_with_a_wrong_check_character_is_invalid() -> None:
    with pytest.raises(InvalidInputError, match="check character"):
        StudentNumber.parse("J110108201509010011")


@pytest.mark.parametrize(
    "raw",
    [
        "G11010519491231002X",
        "J110108201509010010",
        "L110108201509010042",
        "J110108201509019998",
    ],
)
def test_parsing_a_student_number_round_trips(raw: str) -> None:
    student_number = StudentNumber.parse(raw)

    assert StudentNumber.parse(student_number.value) == student_number
    assert student_number.value == raw


def test_a_student_number_is_read_case_and_space_insensitively() -> None:
    parsed = StudentNumber.parse(" g110105 19491231 002x ")

    assert parsed == StudentNumber.from_id(IdNumber(BORN_1949))


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("G11010520160301005X", "check character"),  # the ID's check is 0
        ("G830000200501010014", "mainland"),  # a G is only for a 居民身份证
        ("G110105202502300010", "calendar date"),
        ("L11010820150901004", "19 are required"),
        ("L11010820150901004X", "position 19"),  # an L number has no check
        ("L110108201502300042", "calendar date"),
        ("J110108201502300010", "calendar date"),
        ("X110108201509010042", "first letter"),
    ],
)
def test_a_malformed_student_number_is_invalid(raw: str, why: str) -> None:
    with pytest.raises(InvalidInputError, match=why):
        StudentNumber.parse(raw)


def test_a_g_number_error_does_not_show_the_id_number() -> None:
    with pytest.raises(InvalidInputError) as caught:
        StudentNumber.parse("G11010520160301005X")

    assert "G110105********005X" in str(caught.value)
    assert "20160301" not in str(caught.value)


def test_an_id_number_typed_as_a_student_number_is_masked_in_the_error() -> None:
    with pytest.raises(InvalidInputError) as caught:
        StudentNumber.parse("11010519491231002X")

    assert "19491231" not in str(caught.value)


@pytest.mark.parametrize("serial", [10000, -1])
def test_an_l_serial_outside_0_to_9999_is_refused(serial: int) -> None:
    with pytest.raises(InvalidInputError, match="0 to 9999"):
        StudentNumber.temporary("110108", date(2015, 9, 1), serial)


@pytest.mark.parametrize("sequence", [1000, -1])
def test_a_j_sequence_outside_0_to_999_is_refused(sequence: int) -> None:
    with pytest.raises(InvalidInputError, match="0 to 999"):
        StudentNumber.national_j("110108", date(2015, 9, 1), sequence)


def test_the_largest_serial_and_sequence_are_accepted() -> None:
    assert StudentNumber.temporary("110108", date(2015, 9, 1), 9999).value == (
        "L110108201509019999"
    )
    # 110108 20150901 999: 7 + 9 + 0 + 5 + 0 + 32 + 4 + 0 + 6 + 15 + 0 + 81
    # + 0 + 5 + 72 + 36 + 18 = 290; 290 mod 11 = 4 -> "8"
    assert StudentNumber.national_j("110108", date(2015, 9, 1), 999).value == (
        "J110108201509019998"
    )


def test_a_school_region_code_must_be_6_digits() -> None:
    with pytest.raises(InvalidInputError, match="6 digits"):
        StudentNumber.temporary("11010", date(2015, 9, 1), 1)


def test_a_student_number_before_1900_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="1900"):
        StudentNumber.national_j("110108", date(1899, 12, 31), 1)


# --- properties ---------------------------------------------------------------

first17s = st.builds(
    lambda region, born, sequence: f"{region}{born:%Y%m%d}{sequence:03d}",
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
valid_numbers = first17s.map(lambda first17: first17 + stdnum_check_char(first17))
LATEST = date(2099, 12, 31)


@given(first17s)
def test_the_check_character_agrees_with_the_standard_and_with_stdnum(
    first17: str,
) -> None:
    assert id_check_char(first17) == textbook_check_char(first17)
    assert id_check_char(first17) == stdnum_check_char(first17)


@given(valid_numbers)
def test_every_well_formed_number_parses(raw: str) -> None:
    parsed = parse_id_number(raw, on=LATEST)

    assert parsed.number.value == raw
    assert parsed.number.birth_date.isoformat().replace("-", "") == raw[6:14]


@given(valid_numbers, st.integers(min_value=0, max_value=17), st.data())
def test_changing_any_one_character_makes_a_number_invalid(
    raw: str, position: int, data: st.DataObject
) -> None:
    replacement = data.draw(
        st.sampled_from([c for c in "0123456789X" if c != raw[position]])
    )
    changed = raw[:position] + replacement + raw[position + 1 :]

    assert not is_valid_id_number(changed, on=LATEST)


@given(valid_numbers, st.integers(min_value=0, max_value=15))
def test_swapping_two_different_adjacent_digits_makes_a_number_invalid(
    raw: str, position: int
) -> None:
    first, second = raw[position], raw[position + 1]
    swapped = raw[:position] + second + first + raw[position + 2 :]

    assert first == second or not is_valid_id_number(swapped, on=LATEST)


@given(st.text(alphabet="0123456789X", min_size=14, max_size=20))
def test_no_error_message_contains_the_number_or_its_birth_date(raw: str) -> None:
    try:
        parse_id_number(raw, on=ON)
    except InvalidIdNumberError as error:
        message = str(error)
        assert raw not in message
        assert raw[6:14] not in message


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_j_and_l_numbers_round_trip_through_parse(
    region: str, born: date, number: int
) -> None:
    j = StudentNumber.national_j(region, born, number)
    temporary = StudentNumber.temporary(region, born, number)

    assert StudentNumber.parse(j.value) == j
    assert StudentNumber.parse(temporary.value) == temporary
    assert j.birth_date == born == temporary.birth_date
    assert j.value[1:] == j.value[1:18] + textbook_check_char(j.value[1:18])


mainland_numbers = st.builds(
    lambda province, rest: province + rest[2:],
    st.sampled_from(["11", "12", "31", "44", "65"]),
    valid_numbers.map(lambda raw: raw[:17]),
).map(lambda first17: first17 + stdnum_check_char(first17))


@given(mainland_numbers)
def test_g_numbers_round_trip_through_parse(raw: str) -> None:
    student_number = StudentNumber.from_id(IdNumber(raw))

    assert StudentNumber.parse(student_number.value) == student_number
    assert student_number.masked() == "G" + IdNumber(raw).masked()
