"""Tests for the Chinese data validators and normalisers in crm_site.validators."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from crm_site.validators import (
    mask_mobile,
    mask_resident_id,
    normalize_mobile,
    normalize_person_name,
    normalize_plate,
    normalize_resident_id,
    normalize_vin,
    validate_mobile,
    validate_plate,
    validate_resident_id,
    validate_vin,
)


def _error(func, value):
    """Return the ValidationError that func raises for value."""
    with pytest.raises(ValidationError) as excinfo:
        func(value)
    return excinfo.value


# --- VIN -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),  # the ISO 3779 textbook example, check digit X
        ("LSVAU218XN2183294", "LSVAU218XN2183294"),  # check digit X
        ("LFV2A21K1C4000001", "LFV2A21K1C4000001"),
        ("LSGPC52U3AF000001", "LSGPC52U3AF000001"),
        ("lvshcamb3ce000001", "LVSHCAMB3CE000001"),  # lower case
        (" LFV2A21K1 C4000001 ", "LFV2A21K1C4000001"),  # spaces
        ("ＬＦＶ２Ａ２１Ｋ１Ｃ４０００００１", "LFV2A21K1C4000001"),  # full-width input-method characters
    ],
)
def test_normalize_vin_accepts(value, expected):
    assert normalize_vin(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("LFV2A21K1C400000", "invalid_length"),
        ("LFV2A21K1C40000011", "invalid_length"),
        ("", "invalid_length"),
        ("LFV2A21K1C4O00001", "forbidden_letter"),
        ("IFV2A21K1C4000001", "forbidden_letter"),
        ("LFV2A21K1C4Q00001", "forbidden_letter"),
        ("LFV2A21K1C4-00001", "invalid_character"),
        ("LFV2A21K1C4赣00001", "invalid_character"),
        ("LFV2A21K0C4000001", "invalid_check_digit"),
    ],
)
def test_normalize_vin_rejects(value, code):
    assert _error(normalize_vin, value).code == code


def test_vin_check_digit_message_names_the_expected_digit():
    error = _error(normalize_vin, "LSVAU2180N2183294")
    with translation.override("en"):
        assert error.messages == ["VIN check digit (9th character) should be X."]
    with translation.override("zh-hans"):
        assert "X" in error.messages[0] and "校验位" in error.messages[0]


# --- Mobile numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "0086 13812345678",
        "+8613812345678",
        "(+86) 138-1234-5678",
        " １３８１２３４５６７８ ",
    ],
)
def test_normalize_mobile_accepts_common_forms(value):
    assert normalize_mobile(value) == "+8613812345678"


@pytest.mark.parametrize("value", ["19912345678", "17012345678"])
def test_normalize_mobile_accepts_newer_prefixes(value):
    assert normalize_mobile(value) == "+86" + value


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("010-12345678", "not_mobile"),  # Beijing landline
        ("400-810-8888", "not_mobile"),  # service number
        ("+1 650 253 0000", "not_mainland"),
        ("+852 9123 4567", "not_mainland"),  # Hong Kong mobile
        ("1381234567", "invalid_mobile"),  # too short
        ("138123456789", "invalid_mobile"),  # too long
        ("138ABCD5678", "invalid_mobile"),  # letters would otherwise be read as keypad digits
        ("", "invalid_mobile"),
    ],
)
def test_normalize_mobile_rejects(value, code):
    error = _error(normalize_mobile, value)
    assert error.code == code
    with translation.override("en"):
        assert "mobile number" in error.messages[0]
    with translation.override("zh-hans"):
        assert "手机号码" in error.messages[0]


def test_mask_mobile():
    assert mask_mobile("+8613812345678") == "138****5678"


@pytest.mark.parametrize("value", ["", "+16502530000", "+86138"])
def test_mask_mobile_hides_unexpected_values_whole(value):
    assert mask_mobile(value) == "****"


# --- Licence plates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("京A12345", "京A12345"),
        ("京a·12345", "京A12345"),  # middle dot as printed on the plate, lower case
        ("沪 B-8X9Y7", "沪B8X9Y7"),
        ("琼A.1234Z", "琼A1234Z"),
        ("粤BD12345", "粤BD12345"),  # small new-energy, electric
        ("京AF12345", "京AF12345"),  # small new-energy, other
        ("粤B·DA1234", "粤BDA1234"),  # small new-energy, letter in the second position
        ("粤B12345D", "粤B12345D"),  # large new-energy
        ("京A1234学", "京A1234学"),
        ("京A0001警", "京A0001警"),
        ("鲁B1234挂", "鲁B1234挂"),
        ("粤Z1234港", "粤Z1234港"),
        ("粤Z1234澳", "粤Z1234澳"),
        ("京Ａ１２３４５", "京A12345"),  # full-width input-method characters
    ],
)
def test_normalize_plate_accepts(value, expected):
    assert normalize_plate(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("A12345", "invalid_province"),
        ("港A12345", "invalid_province"),
        ("", "invalid_province"),
        ("京A1234", "invalid_format"),  # too short
        ("京A1234567", "invalid_format"),  # too long
        ("京112345", "invalid_format"),  # authority must be a letter
        ("粤BX12345", "invalid_format"),  # six characters but not a new-energy plate
        ("粤BD1234A", "invalid_format"),  # small new-energy ends in four digits
        ("粤B1234AD", "invalid_format"),  # large new-energy has five digits
        ("京A123学4", "invalid_format"),
        ("京A1O345", "forbidden_letter"),
        ("京AI2345", "forbidden_letter"),
    ],
)
def test_normalize_plate_rejects(value, code):
    assert _error(normalize_plate, value).code == code


# --- Resident identity card numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),  # the GB 11643 example
        ("11010519491231002x", "11010519491231002X"),  # lower-case x
        ("110105 19491231 002X", "11010519491231002X"),
        ("650102198501010027", "650102198501010027"),
        ("360426199101010071", "360426199101010071"),
    ],
)
def test_normalize_resident_id_accepts(value, expected):
    assert normalize_resident_id(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("11010519491231002", "invalid_length"),
        ("11010519491231002X1", "invalid_length"),
        ("110105194912310A2X", "invalid_format"),
        ("110105194912310021", "invalid_check_digit"),
        ("110105194913310021", "invalid_birth_date"),  # month 13, check digit correct
        ("110105194902290010", "invalid_birth_date"),  # 29 February in a common year
        ("110105209901010012", "invalid_birth_date"),  # in the future
        ("990105194912310023", "invalid_region"),
    ],
)
def test_normalize_resident_id_rejects(value, code):
    assert _error(normalize_resident_id, value).code == code


def test_mask_resident_id():
    assert mask_resident_id("110101199003071234") == "110101********1234"


def test_mask_resident_id_hides_unexpected_values_whole():
    assert mask_resident_id("1101011990") == "*" * 18


# --- Person names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张伟", "张伟"),
        ("  张  伟 ", "张 伟"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet look-alike becomes the middle dot
        ("Ā", "Ā"),
        ("A\u0304", "Ā"),  # decomposed form is NFC-normalised
        ("John   Smith", "John Smith"),
        ("John\tSmith\n", "John Smith"),
        ("X" * 100, "X" * 100),
    ],
)
def test_normalize_person_name_accepts(value, expected):
    assert normalize_person_name(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("X" * 101, "max_length"),
        ("张\x00伟", "control_character"),
        ("张\u200b伟", "control_character"),  # zero-width space
        ("???", "invalid"),
    ],
)
def test_normalize_person_name_rejects(value, code):
    assert _error(normalize_person_name, value).code == code


# --- Django field validators ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "valid", "invalid"),
    [
        (validate_vin, "1M8GDM9AXKP042788", "1M8GDM9A0KP042788"),
        (validate_mobile, "13812345678", "010-12345678"),
        (validate_plate, "粤BD12345", "京A1234"),
        (validate_resident_id, "11010519491231002X", "110105194912310021"),
    ],
)
def test_field_validators(validator, valid, invalid):
    assert validator(valid) is None
    with pytest.raises(ValidationError):
        validator(invalid)
