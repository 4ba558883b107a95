"""Phone numbers: one reading of whatever a person typed, one stored form (E.164: +254712345678).

Customers are found by phone at the till, a customer's phone is unique, and mobile money is
asked of a payer's phone: each needs one spelling per number. Reading a number is Google's
libphonenumber metadata (the ``phonenumbers`` package), which knows every country's plan and
keeps up with new ranges; we only decide what counts as typed and what we store.

A number may be typed
- as the business's own country writes it: ``0712 345 678``, ``712345678``, ``(0712) 345-678``;
- with its country code and no ``+`` in the business's own country: ``254712345678``;
- internationally, for any country: ``+256 772 123456`` or ``00256 772 123456``.
Letters are refused (libphonenumber would read ``0712 ABC 678`` as a vanity number, a typo
would become someone else's number), and so is anything that is not a valid number of its
country. Gateways turn the stored form into what each provider wants (``phone_digits``,
``phone_national``).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

from saas_platform.errors import ValidationFailed
from saas_platform.tenancy import current_business

# What a person may type around the digits: spaces, dashes, dots, brackets, slashes; ``+`` first.
_TYPED = re.compile(r"^\+?[\d\s\-./()]+$")
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


class InvalidPhone(ValueError):
    """Not a valid phone number of any country, as typed."""


def phone_parse(raw: str, region: str | None) -> PhoneNumber:
    """The number ``raw`` means where ``region`` (ISO 3166 alpha-2) is the default country."""
    text = (raw or "").strip()
    if not _TYPED.match(text) or not any(ch.isdigit() for ch in text):
        raise InvalidPhone(raw)
    readings = [text]
    if text.startswith("00"):
        # "00" is how most of the world dials out; libphonenumber only knows each region's own
        # prefix (Kenya's is 000), so "0044 20…" typed in Kenya is tried as "+44 20…" too.
        readings.append("+" + text[2:])
    for reading in readings:
        try:
            number = phonenumbers.parse(reading, (region or "").upper() or None)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    raise InvalidPhone(raw)


def phone_e164(raw: str, region: str | None) -> str:
    """``raw`` as stored (``+254712345678``); InvalidPhone if it is not a valid number."""
    return phonenumbers.format_number(phone_parse(raw, region), PhoneNumberFormat.E164)


def business_region() -> str:
    """The default country for what a person types: the current business's."""
    return str(current_business().country or "").upper()


def phone_normalise(raw: str, *, region: str | None = None, field: str = "phone") -> str:
    """What a person typed, stored form; empty stays empty. ``region`` defaults to the current
    business's country. Anything else is ValidationFailed on ``field`` (``invalid_phone``)."""
    if not (raw or "").strip():
        return ""
    region = region or business_region()
    try:
        return phone_e164(raw, region)
    except InvalidPhone:
        example = phone_example(region)
        hint = f" such as {example}" if example else ""
        raise ValidationFailed.for_field(
            field, "invalid_phone", f"{raw} is not a phone number we can read; enter one{hint}."
        ) from None


def phone_example(region: str) -> str:
    """A mobile number as people of ``region`` write it (for messages), or ""."""
    example = phonenumbers.example_number_for_type(region.upper(), PhoneNumberType.MOBILE)
    if example is None:
        return ""
    return phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL)


def _stored(number: str, region: str | None = None) -> PhoneNumber:
    """A number in the stored form, or as providers send it (the same digits without ``+``);
    given ``region``, also as that country writes it."""
    text = number.strip()
    if region is None and text.isdigit():
        text = "+" + text
    return phone_parse(text, region)


def phone_region(number: str) -> str:
    """The country of a stored number (``KE``)."""
    return phonenumbers.region_code_for_number(_stored(number)) or ""


def phone_is_mobile(number: str) -> bool:
    """Whether a stored number can be a mobile phone (where a country's plan cannot tell
    mobile from fixed lines, it can)."""
    return phonenumbers.number_type(_stored(number)) in _MOBILE_TYPES


def phone_digits(number: str) -> str:
    """The international digits without ``+`` (``254712345678``): M-Pesa's MSISDN."""
    parsed = _stored(number)
    return f"{parsed.country_code}{phonenumbers.national_significant_number(parsed)}"


def phone_national(number: str, *, country_code: str = "") -> str:
    """The number within its country, without trunk prefix (``712345678``): Airtel's msisdn.

    With ``country_code`` (dialling code, ``254``) the number may also be written as that
    country does (``0712…``), and one of another country is InvalidPhone.
    """
    region = None
    if country_code:
        if not country_code.isdigit():
            raise InvalidPhone(number)
        region = phonenumbers.region_code_for_country_code(int(country_code))
    parsed = _stored(number, region)
    if country_code and parsed.country_code != int(country_code):
        raise InvalidPhone(number)
    return phonenumbers.national_significant_number(parsed)
