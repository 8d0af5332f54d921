"""How texts and queries are cut into words and folded (services.search_terms)."""
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.messaging.message_search import _term_filter
from services.search_terms import (
    MAX_TERMS,
    BadQuery,
    fold,
    matches,
    message_words,
    parse_query,
    search_terms,
)


@pytest.mark.parametrize("text, expected", [
    ("Café com AÇÚCAR!", ["cafe", "com", "acucar"]),
    ("Ação, opção e informação", ["acao", "opcao", "e", "informacao"]),
    ("¿El niño pidió una canción?", ["el", "nino", "pidio", "una", "cancion"]),
    ("Straße ＦＵＬＬ ﬁm", ["strasse", "full", "fim"]),  # casefold, full-width, a ligature
    ("pedido_4821 (#11) 01310-100", ["pedido", "4821", "11", "01310", "100"]),
    ("🚚 ✅ …", []),
])
def test_words_are_letters_and_digits_without_case_or_accents(text, expected):
    assert search_terms(text) == expected


def test_terms_are_distinct_cut_to_64_and_bounded():
    assert search_terms("ok OK Ok", "ok legenda") == ["ok", "legenda"]
    assert search_terms("x" * 100) == ["x" * 64]
    many = " ".join(f"w{n}" for n in range(MAX_TERMS + 50))
    assert len(search_terms(many)) == MAX_TERMS
    assert message_words({"text": "x" * 100, "media": {"caption": "Foto"}}) == {"x" * 100, "foto"}


def test_queries_fold_like_texts_and_mark_prefixes():
    assert parse_query("CAFÉ entreg* cafe") == [("cafe", False), ("entreg", True)]
    assert parse_query("a*b") == [("a", True), ("b", False)]
    assert parse_query(" ".join(["w"] * 10)) == [("w", False)]  # ten words, the same one
    assert parse_query("x" * 64 + "*") == [("x" * 64, True)]


@pytest.mark.parametrize("q, why", [
    ("", "at least one word"), ("?!", "at least one word"), ("*", "only end a word"),
    ("*abc", "only end a word"), ("abc**", "only end a word"), (" ".join(["w"] * 11), "At most 10 words"),
    ("y" * 65, "at most 64"),
])
def test_bad_queries_say_why(q, why):
    with pytest.raises(BadQuery, match=why):
        parse_query(q)


def test_a_message_matches_when_it_has_every_word():
    words = {"pedido", "entregue", "ontem"}
    assert matches(words, [("pedido", False), ("entreg", True)])
    assert not matches(words, [("pedido", False), ("entrega", False)])
    assert not matches(words, [("ped", False)])


@given(st.text(max_size=80))
def test_folding_is_stable_and_every_word_of_a_text_finds_it(text):
    assert fold(fold(text)) == fold(text)
    terms = search_terms(text)
    for term in terms:
        assert not any(unicodedata.combining(ch) for ch in term)
        query = parse_query(term if len(term) < 64 else term + "*")  # a cut term is a prefix of its word
        assert matches(message_words({"text": text}), query)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6),
       st.text(max_size=6))
def test_a_prefix_range_holds_exactly_the_terms_that_start_with_it(prefix, rest):
    bounds = _term_filter(prefix, True)["term"]
    assert bounds["$gte"] <= prefix + rest < bounds["$lt"]
    outside = prefix[:-1] + chr(ord(prefix[-1]) + 1) if ord(prefix[-1]) < 0x10FFFF else None
    if outside is not None:
        assert not bounds["$gte"] <= outside + rest < bounds["$lt"]
