"""Phone normalisation: every accepted spelling of a number gives the same digits."""
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.phones import InvalidPhone, conversation_id_for, normalize_phone

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


@st.composite
def possible_numbers(draw):
    """A possible (not necessarily assigned) number from a real region's example."""
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE) or \
        phonenumbers.example_number(region)
    if example is None:
        return None
    national = str(example.national_number)
    # Vary the last digits: the number stays possible but usually unassigned.
    tail = draw(st.text("0123456789", min_size=min(3, len(national)), max_size=min(3, len(national))))
    example.national_number = int(national[: -len(tail)] + tail)
    return example


def spellings(number, digits):
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return [digits, "+" + digits, national, national.replace(" ", "-"), f"{digits}@s.whatsapp.net",
            f"{digits}@c.us", f"{digits}:7@s.whatsapp.net", f" +{digits} ",
            "+" + "(" + digits[:2] + ") " + digits[2:]]


@settings(max_examples=300, deadline=None)
@given(possible_numbers())
def test_every_spelling_gives_the_same_digits(number):
    if number is None or not phonenumbers.is_possible_number(number):
        return
    digits = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    assert {normalize_phone(s) for s in spellings(number, digits)} == {digits}


@settings(max_examples=200, deadline=None)
@given(st.text("0123456789", min_size=8, max_size=15), st.text("0123456789", min_size=8, max_size=15))
def test_conversation_id_is_symmetric(a, b):
    assert conversation_id_for(a, b) == conversation_id_for(b, a)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_is_accepted_or_rejected_cleanly(text):
    try:
        result = normalize_phone(text)
    except InvalidPhone:
        return
    assert result.isdigit() or result.endswith(("@g.us", "@lid", "@broadcast", "@newsletter"))


def test_unassigned_but_possible_numbers_are_kept():
    # +55 11 9xxxx-xxxx with an unallocated prefix: possible length, not "valid".
    number = phonenumbers.parse("+5511900000000")
    assert phonenumbers.is_possible_number(number)
    assert normalize_phone("+55 11 90000-0000") == "5511900000000"


@pytest.mark.parametrize("bad", ["", "   ", "12", "+999 1234567", "55119876543210000", "abc", "55 11 9876x4321",
                                 "5511987654321@evil.com", "@g.us", "a b@g.us"])
def test_rejected_forms(bad):
    with pytest.raises(InvalidPhone):
        normalize_phone(bad)


def test_chat_ids_are_kept_as_given():
    assert normalize_phone("120363025246125486@g.us") == "120363025246125486@g.us"
    assert normalize_phone("123456789012345@lid") == "123456789012345@lid"
