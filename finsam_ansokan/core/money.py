"""Money: ``Decimal`` in Python, ``Numeric(14, 2)`` in the database, Swedish on screen."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import Numeric

#: The column type for every amount of money.
Money = Numeric(14, 2, asdecimal=True)

ZERO = Decimal("0")
_CENT = Decimal("0.01")
#: No amount in a förbund comes near this; larger input is refused as a typo.
MAX_AMOUNT = Decimal("999999999999")


class InvalidAmount(ValueError):
    """Text that is not an amount of money, with a Swedish message."""


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as a Decimal rounded to öre (never through float)."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str | None, *, whole_kronor: bool = False) -> Decimal | None:
    """Parse an amount as a Swede types it: ``1 065 500``, ``1065500 kr``, ``12,50``.

    Returns ``None`` for empty input and raises :class:`InvalidAmount` with a message
    in Swedish for anything else that is not a non-negative amount.
    """
    if text is None:
        return None
    cleaned = (
        str(text)
        .strip()
        .lower()
        .removesuffix("kr")
        .replace("\u00a0", "")
        .replace("\u202f", "")
        .replace(" ", "")
        .replace(",", ".")
        .strip()
    )
    if cleaned == "":
        return None
    if cleaned.startswith("-"):
        raise InvalidAmount("Beloppet kan inte vara negativt.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidAmount("Skriv beloppet med siffror, till exempel 450 000.") from None
    if not amount.is_finite():
        raise InvalidAmount("Skriv beloppet med siffror, till exempel 450 000.")
    if amount > MAX_AMOUNT:
        raise InvalidAmount("Beloppet är orimligt stort.")
    if whole_kronor and amount != amount.to_integral_value():
        raise InvalidAmount("Ange beloppet i hela kronor.")
    return to_decimal(amount)


def format_money(value: object, *, unit: bool = True) -> str:
    """``Decimal("1065500")`` → ``"1 065 500 kr"``; öre are shown only when there are any."""
    if value is None or value == "":
        return ""
    amount = to_decimal(value)
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    whole = int(amount)
    text = f"{whole:,}".replace(",", "\u00a0")
    cents = amount - whole
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    return f"{sign}{text}{chr(0xA0) + 'kr' if unit else ''}"


def format_number(value: object) -> str:
    """``95352`` → ``"95 352"`` (a no-break space between thousands)."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", "\u00a0")
