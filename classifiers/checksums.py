"""Check-digit validation of identifiers the PII rules find: payment cards (Luhn, issuer
prefixes), IBANs (ISO 13616 mod 97, per-country length) and Chinese resident identity numbers
(GB 11643: region, birth date, ISO 7064 MOD 11-2). Each takes the identifier without spaces
or dashes."""

from __future__ import annotations

from datetime import date

# IBAN length per country (ISO 13616 registry, SWIFT release 99)
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

# first two digits of the region code (provinces, municipalities, HK, Macau, Taiwan)
CN_PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
)
_CN_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CN_CHECK = "10X98765432"  # check character for (weighted sum mod 11) = 0..10


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) checksum of a string of ASCII digits."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if i % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_issuer_known(digits: str) -> bool:
    """Whether the number starts like a card of a major network at a length it issues: Visa,
    Mastercard, American Express, Discover, JCB, UnionPay, Diners Club."""
    n, two, four = len(digits), int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649:
        return 16 <= n <= 19
    if 3528 <= four <= 3589:
        return 16 <= n <= 19
    if two == 62:
        return 16 <= n <= 19
    if 300 <= int(digits[:3]) <= 305 or two in (36, 38, 39):
        return 14 <= n <= 19
    return False


def card_valid(digits: str) -> bool:
    """A payment card number: 13-19 digits, a known issuer prefix and length, Luhn."""
    return 13 <= len(digits) <= 19 and card_issuer_known(digits) and luhn_valid(digits)


def iban_valid(iban: str) -> bool:
    """An IBAN (upper case, no spaces): its country's length and mod 97 = 1."""
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit() or not iban.isalnum():
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def cn_id_valid(number: str, today: date | None = None) -> bool:
    """An 18-character Chinese resident identity number: a province code, a real birth date
    from 1900 up to `today`, and the ISO 7064 MOD 11-2 check character."""
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in CN_PROVINCES:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not date(1900, 1, 1) <= born <= (today or date.today()):
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _CN_WEIGHTS, strict=True))
    return _CN_CHECK[total % 11] == number[17].upper()
