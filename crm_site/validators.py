"""Validation and normalisation of Chinese customer data: VINs, mobiles, licence plates, resident IDs and names."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric


def _nfkc(value: str) -> str:
    """Fold full-width characters to ASCII, since Chinese input methods often type digits and letters full-width."""
    return unicodedata.normalize("NFKC", value)


# --- VIN (GB 16735 / ISO 3779) -------------------------------------------------------------------

# python-stdnum has no VIN module and the check digit is a few lines, so it is not worth a dependency.
_VIN_VALUES = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMNPR", (1, 2, 3, 4, 5, 7, 9), strict=True)),
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    """Return the check digit (position 9) that a 17-character VIN of valid characters should have."""
    remainder = sum(_VIN_VALUES[char] * weight for char, weight in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_vin(value: str) -> str:
    """Return the VIN without spaces and in upper case, or raise ValidationError."""
    vin = "".join(_nfkc(value).split()).upper()
    if len(vin) != 17:
        raise ValidationError(
            _("A VIN has exactly 17 characters; this one has %(length)d."),
            code="invalid_length",
            params={"length": len(vin)},
        )
    # I, O and Q are singled out because users mistype them for 1 and 0; the message tells them so.
    if set(vin) & set("IOQ"):
        raise ValidationError(
            _("A VIN never contains the letters I, O or Q; check for the digits 1 and 0."),
            code="forbidden_letter",
        )
    if not set(vin) <= _VIN_VALUES.keys():
        raise ValidationError(_("A VIN contains only the letters A-Z and the digits 0-9."), code="invalid_character")
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        raise ValidationError(
            _("VIN check digit (9th character) should be %(expected)s."),
            code="invalid_check_digit",
            params={"expected": expected},
        )
    return vin


# --- Mobile numbers ------------------------------------------------------------------------------

# phonenumbers reads letters as keypad digits ("138ABCD5678"), so anything beyond digits and separators is refused first.
_PHONE_CHARS = re.compile(r"[+\d\s\-().]+")
_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
_MOBILE_MESSAGE = _("Enter an 11-digit mainland China mobile number.")


def normalize_mobile(value: str) -> str:
    """Return a mainland China mobile number in E.164 form ("+8613812345678"), or raise ValidationError."""
    text = _nfkc(value).strip()
    if not _PHONE_CHARS.fullmatch(text):
        raise ValidationError(_MOBILE_MESSAGE, code="invalid_mobile")
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_MOBILE_MESSAGE, code="invalid_mobile") from None
    if number.country_code != 86:
        raise ValidationError(
            _("Only mainland China mobile numbers are accepted; enter an 11-digit number."),
            code="not_mainland",
        )
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_MOBILE_MESSAGE, code="invalid_mobile")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            _("This is not a mobile number; enter an 11-digit mainland China mobile number."),
            code="not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_mobile(e164: str) -> str:
    """The 11-digit form people type and read ("13812345678") of a stored E.164 mainland mobile."""
    return (e164 or "").removeprefix("+86")


def mask_mobile(e164: str) -> str:
    """Return a stored mobile number for display with the middle four digits hidden ("138****5678")."""
    national = national_mobile(e164)
    if not re.fullmatch(r"1\d{10}", national):
        # Anything unexpected is hidden whole: a mask must never leak a number it cannot place.
        return "****"
    return f"{national[:3]}****{national[-4:]}"


# --- Licence plates (GA 36-2018) -----------------------------------------------------------------

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Separators people type or copy from plate photos and documents: spaces, dots, middle dots, hyphens.
_PLATE_SEPARATORS = re.compile(r"[\s.·・•\-]")
_SERIAL = "[A-HJ-NP-Z0-9]"  # serial positions never use I or O
_PLATE_AFTER_PROVINCE = re.compile(
    "[A-Z](?:"
    f"{_SERIAL}{{5}}"  # ordinary
    f"|{_SERIAL}{{4}}[学警挂港澳]"  # coach, police, trailer, Hong Kong / Macao cross-border
    rf"|[DF]{_SERIAL}\d{{4}}"  # small new-energy: D (electric) or F (other), then a letter or digit, then 4 digits
    r"|\d{5}[DF]"  # large new-energy
    ")"
)


def normalize_plate(value: str) -> str:
    """Return a Chinese licence plate in compact upper-case form ("京A12345", "粤BD12345"), or raise ValidationError."""
    plate = _PLATE_SEPARATORS.sub("", _nfkc(value)).upper()
    if not plate or plate[0] not in PLATE_PROVINCES:
        raise ValidationError(
            _("A licence plate starts with a province abbreviation such as 京 or 粤."),
            code="invalid_province",
        )
    if not _PLATE_AFTER_PROVINCE.fullmatch(plate[1:]):
        if set(plate[2:]) & set("IO"):
            raise ValidationError(
                _("Licence plate numbers never use the letters I or O; check for the digits 1 and 0."),
                code="forbidden_letter",
            )
        raise ValidationError(
            _("Enter a licence plate such as 京A12345, or 粤BD12345 for a new-energy vehicle."),
            code="invalid_format",
        )
    return plate


# --- Resident identity card numbers (GB 11643) ---------------------------------------------------

_BIRTH_DATE_MESSAGE = _("The birth date in this resident ID number (digits 7 to 14) is not a valid date.")


def normalize_resident_id(value: str) -> str:
    """Return an 18-character resident ID number in upper case, or raise ValidationError."""
    number = "".join(_nfkc(value).split()).upper()
    try:
        # stdnum checks length, digits, the ISO 7064 MOD 11-2 check digit, birth date and region code, in that order.
        ric.validate(number)
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(length)d."),
            code="invalid_length",
            params={"length": len(number)},
        ) from None
    except stdnum_exceptions.InvalidFormat:
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."), code="invalid_format"
        ) from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("This resident ID number is mistyped: its last character does not match the others."),
            code="invalid_check_digit",
        ) from None
    except stdnum_exceptions.InvalidComponent:
        # stdnum reports a bad birth date and an unknown region alike; tell the user which one it is.
        try:
            ric.get_birth_date(number)
        except stdnum_exceptions.InvalidComponent:
            raise ValidationError(_BIRTH_DATE_MESSAGE, code="invalid_birth_date") from None
        raise ValidationError(
            _("The first six digits of this resident ID number are not a known region code."),
            code="invalid_region",
        ) from None
    if ric.get_birth_date(number) > timezone.localdate():
        raise ValidationError(_BIRTH_DATE_MESSAGE, code="invalid_birth_date")
    return number


def mask_resident_id(value: str) -> str:
    """Return a resident ID number for display with only the first 6 and last 4 characters shown."""
    if len(value) != 18:
        # Anything unexpected is hidden whole: a mask must never leak a number it cannot place.
        return "*" * 18
    return f"{value[:6]}{'*' * 8}{value[-4:]}"


# --- Person names --------------------------------------------------------------------------------

# Look-alikes of the middle dot that separates parts of ethnic minority and foreign names (阿依古丽·买买提).
_NAME_DOTS = str.maketrans(dict.fromkeys("•・･‧∙", "·"))
# Zero-width joiners are part of correct spelling in some scripts; other format characters only hide text.
_ALLOWED_FORMAT_CHARS = {"\u200c", "\u200d"}


def normalize_person_name(value: str) -> str:
    """Return a person's name trimmed, with single spaces and NFC-normalised, or raise ValidationError."""
    name = unicodedata.normalize("NFC", " ".join(value.split())).translate(_NAME_DOTS)
    if not name:
        raise ValidationError(_("Enter a name."), code="required")
    if len(name) > 100:
        raise ValidationError(
            _("A name has at most 100 characters; this one has %(length)d."),
            code="max_length",
            params={"length": len(name)},
        )
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs"} and c not in _ALLOWED_FORMAT_CHARS for c in name):
        raise ValidationError(_("A name cannot contain control or invisible characters."), code="control_character")
    # Names made only of "?" or punctuation are usually text mangled by a wrong encoding, not names.
    if not any(unicodedata.category(c).startswith("L") for c in name):
        raise ValidationError(_("A name must contain letters."), code="invalid")
    return name


# --- Django field validators ---------------------------------------------------------------------


def validate_vin(value: str) -> None:
    """Raise ValidationError unless the value is a valid VIN."""
    normalize_vin(value)


def validate_mobile(value: str) -> None:
    """Raise ValidationError unless the value is a mainland China mobile number."""
    normalize_mobile(value)


def validate_plate(value: str) -> None:
    """Raise ValidationError unless the value is a Chinese licence plate."""
    normalize_plate(value)


def validate_resident_id(value: str) -> None:
    """Raise ValidationError unless the value is a valid resident ID number."""
    normalize_resident_id(value)


# Plausibility of what a counter, a DMS or a file says (one definition for pages, API, bulk and imports).
FUTURE_DAYS_ALLOWED = 1
OLDEST_BIRTH_DATE = date(1900, 1, 1)
MIN_AGE_YEARS = 16
NOTES_MAX_LENGTH = 2000


def _as_local_date(value) -> date | None:
    """A date, or a datetime as its date in the project's time zone (Asia/Shanghai); ISO text is read too (None
    when unreadable: the field's own check reports it)."""
    if isinstance(value, str):
        value = parse_datetime(value) or parse_date(value) if value else None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def latest_plausible_date() -> date:
    """The latest date a visit or a sale may carry: tomorrow in Asia/Shanghai (a DMS clock a little ahead is fine)."""
    return timezone.localdate() + timedelta(days=FUTURE_DAYS_ALLOWED)


def is_future(value) -> bool:
    """Whether a date or datetime lies after today (Asia/Shanghai): such a visit never sets a vehicle's mileage."""
    day = _as_local_date(value) if value is not None else None
    return day is not None and day > timezone.localdate()


def start_of_tomorrow() -> datetime:
    """Midnight starting tomorrow in Asia/Shanghai: visits from then on are in the future."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime(tomorrow.year, tomorrow.month, tomorrow.day))


def validate_not_future(value) -> None:
    """Refuse a visit or sale dated more than one day in the future."""
    day = _as_local_date(value) if value is not None else None
    if day is not None and day > latest_plausible_date():
        raise ValidationError(
            _("This date is more than one day in the future (%(latest)s is the latest allowed)."),
            code="future", params={"latest": latest_plausible_date().isoformat()},
        )


def latest_birth_date() -> date:
    """The latest plausible birth date: a customer is at least 16 years old."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - MIN_AGE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MIN_AGE_YEARS, day=28)


def validate_birth_date(value) -> None:
    """A birth date between 1900-01-01 and 16 years ago."""
    if value is None:
        return
    if value < OLDEST_BIRTH_DATE:
        raise ValidationError(_("Enter a birth date from 1900-01-01 on."), code="birth_date_too_early")
    if value > latest_birth_date():
        raise ValidationError(_("A customer must be at least 16 years old: enter a birth date on or before %(latest)s."),
                              code="birth_date_too_late", params={"latest": latest_birth_date().isoformat()})


def mileage_error(*, mileage_km: int | None, last_km: int | None, odometer_replaced: bool):
    """The message for a mileage lower than the vehicle's last known one (None when plausible)."""
    if mileage_km is None or last_km is None or odometer_replaced or mileage_km >= last_km:
        return None
    return _("The mileage is lower than the vehicle's last known %(last)s km: correct it, or confirm that the "
             "odometer was replaced.") % {"last": last_km}
