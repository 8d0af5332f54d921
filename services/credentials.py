"""Comparing a presented credential with the expected one in constant time.

Presented values come from headers and query strings, so they may hold any code
point, lone surrogates included: they are encoded with `surrogatepass` rather than
raising, and a mismatch costs the same time wherever it is.
"""
import hmac


def same_secret(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))
