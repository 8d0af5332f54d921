"""Exact money: decimal strings on the wire, integer minor units (hundredths) stored.

Binary floats cannot hold 0.10 exactly, so amounts never pass through one: the text
"19.90" becomes the integer 1990 by string arithmetic, and back. Every currency is
kept in hundredths (at most two decimal places), whatever its ISO 4217 exponent.
"""
import re

# The statistics add amounts up with $inc in 64-bit integers. Bounding what one order
# can add bounds every all-time figure: an order's total, each unit price and the
# revenue of a completion are at most MAX_TOTAL_MINOR (1,000,000,000.00); a tenant may
# count MAX_ORDERS_PER_TENANT (90 million) such orders, plus one legacy statistics
# figure of at most MAX_IMPORTED_MINOR, and its totals still fit (tests/unit/test_money.py).
INT64_MAX = 2**63 - 1
MAX_TOTAL_MINOR = 10**11
MAX_ORDERS_PER_TENANT = 90_000_000
MAX_IMPORTED_MINOR = 10**17
MAX_TOTAL_TEXT = "1000000000.00"
AMOUNT = re.compile(r"([0-9]{1,13})(?:\.([0-9]{1,2}))?")


class InvalidAmount(ValueError):
    """Not a non-negative decimal string with at most two decimal places."""


def to_minor(text: str) -> int:
    """'19.9' -> 1990. Raises InvalidAmount with a message fit for a client."""
    if not isinstance(text, str):
        raise InvalidAmount('Send amounts as decimal strings, e.g. "19.90" (JSON numbers are binary '
                            'floats and not exact).')
    if text.startswith("-"):
        raise InvalidAmount("Must not be negative.")
    match = AMOUNT.fullmatch(text)
    if match is None:
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text):
            raise InvalidAmount("At most 2 decimal places.")
        raise InvalidAmount('Not a decimal amount: use digits with an optional "." and up to 2 '
                            'decimals, e.g. "19.90".')
    units, cents = match.groups()
    minor = int(units) * 100 + int((cents or "0").ljust(2, "0"))
    if minor > MAX_TOTAL_MINOR:
        raise InvalidAmount(f"At most {MAX_TOTAL_TEXT}.")
    return minor


def check_order_amount(minor: int) -> int:
    """`minor` if one order may add it to the statistics; InvalidAmount above the bound
    (the last guard before a $inc: the API refuses such amounts earlier, with a 422)."""
    if not 0 <= minor <= MAX_TOTAL_MINOR:
        raise InvalidAmount(f"An order's amounts are at most {MAX_TOTAL_TEXT}; got {to_text(minor)}.")
    return minor


def to_text(minor: int) -> str:
    """1990 -> '19.90'."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(int(minor)), 100)
    return f"{sign}{units}.{cents:02d}"


def split(amount: int, weights: list[int]) -> list[int]:
    """`amount` shared in proportion to `weights`, in whole minor units summing to it.

    Each share is rounded down; what rounding leaves over goes to the largest weight
    (the first of equals), so the shares always add up to exactly `amount`.
    """
    whole = sum(weights)
    shares = [amount * weight // whole for weight in weights] if whole else [0] * len(weights)
    largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
    shares[largest] += amount - sum(shares)
    return shares
