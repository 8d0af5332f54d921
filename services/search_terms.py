"""The words of a message, as search keeps and compares them.

A word is a run of letters and digits. Both a message's text and a query are folded
the same way, so that `cafe` finds `Café` and `acao` finds `ação`: Unicode NFKD (a
letter and its accents become separate characters; ligatures and full-width forms
become plain letters), the combining marks dropped, then casefold (`ß` -> `ss`), and
the same once more for what casefold produces.
"""
import re
import unicodedata

MAX_WORD = 64          # a query word's length, and a stored term's (longer words are cut)
MAX_QUERY_WORDS = 10
MAX_TERMS = 1000       # distinct terms kept per message: a 64 KiB text has a few thousand
_WORD = re.compile(r"[^\W_]+")
_QUERY_TOKEN = re.compile(r"([^\W_]+)(\*?)")


class BadQuery(ValueError):
    """A search query out of bounds; the message says why."""


def fold(text: str) -> str:
    """`text` without accents, case or compatibility forms."""
    if text.isascii():  # NFKD changes no ASCII text, and casefold is lower there: most messages
        return text.lower()
    for _ in range(2):
        decomposed = unicodedata.normalize("NFKD", text)
        # Combining marks start at U+0300: the plain letters before it need no lookup.
        text = "".join(ch for ch in decomposed if ch < "\u0300" or not unicodedata.combining(ch)).casefold()
    return text


def words(text: str | None) -> list[str]:
    """The folded words of `text`, in order, repeats kept."""
    return _WORD.findall(fold(text)) if text else []


def search_terms(text: str | None, caption: str | None = None) -> list[str]:
    """The distinct terms a message is found by: the folded words of its text and its
    media caption, each cut to MAX_WORD characters, at most MAX_TERMS of them."""
    terms: dict[str, None] = {}
    for word in words(text) + words(caption):
        terms.setdefault(word[:MAX_WORD], None)
        if len(terms) >= MAX_TERMS:
            break
    return list(terms)


def message_terms(message: dict) -> list[str]:
    """search_terms of a message document (or API body)."""
    media = message.get("media") or {}
    return search_terms(message.get("text"), media.get("caption") if isinstance(media, dict) else None)


def parse_query(q: str) -> list[tuple[str, bool]]:
    """[(term, is_prefix)] of a query: its folded words, a word ending in `*` a prefix.
    Raises BadQuery for no word, more than MAX_QUERY_WORDS, a word over MAX_WORD
    characters, or a `*` that ends no word."""
    folded = fold(q or "")
    tokens = [(m.group(1), bool(m.group(2))) for m in _QUERY_TOKEN.finditer(folded)]
    if "*" in _QUERY_TOKEN.sub("", folded):
        raise BadQuery("`*` may only end a word (`entreg*`).")
    if not tokens:
        raise BadQuery("Give at least one word (letters or digits).")
    if len(tokens) > MAX_QUERY_WORDS:
        raise BadQuery(f"At most {MAX_QUERY_WORDS} words.")
    if any(len(word) > MAX_WORD for word, _prefix in tokens):
        raise BadQuery(f"A word may have at most {MAX_WORD} characters.")
    return list(dict.fromkeys(tokens))  # repeats once


def matches(terms, query: list[tuple[str, bool]]) -> bool:
    """Whether a message with `terms` (its full folded words) has every query word."""
    terms = set(terms)
    return all(word in terms if not prefix else any(t.startswith(word) for t in terms)
               for word, prefix in query)


def message_words(message: dict) -> set[str]:
    """Every folded word of a message's text and caption, uncut: what a match is checked on."""
    media = message.get("media") or {}
    return set(words(message.get("text")) + words(media.get("caption") if isinstance(media, dict) else None))
