"""Options chosen in words (bot/replies/option_words.py): the parser, property-based, and
action_select_option reading it against the options of the last reply."""

from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.options import ActionSelectOption
from bot.nlu.keyword_intents import CHOOSE_OPTION, KeywordRules
from bot.replies.menus import MENUS
from bot.replies.option_words import (is_option_reference, option_by_label, option_named, option_number,
                                      option_words)
from tests.test_actions import bot_reply, run, tracker

WORDS = option_words()
# Ways of writing a number n around its digits.
FORMS = ["{n}", "la {n}", "el {n}", "opción {n}", "la opción {n}", "{n}.", "#{n}", "# {n}", "{n})",
         "opcion numero {n}", "la número {n}", "quiero la {n}", "la {n} por favor", "  {n}  ", "¿{n}?",
         "Opción {n}!", "{n}️⃣"]
PREFIXES = ["", "la ", "el ", "opción ", "la opción ", "quiero la ", "la número "]


@pytest.mark.parametrize("text,number", [
    ("dos", 2), ("la dos", 2), ("opción dos", 2), ("el 2", 2), ("la segunda", 2), ("2.", 2), ("#2", 2),
    ("Uno", 1), ("la primera", 1), ("el primero", 1), ("1ro", 1), ("TRES", 3), ("la tercera opción", 3),
    ("cuarta", 4), ("la 4ta", 4), ("opcion cinco porfa", 5), ("séptima", 7), ("la ocho", 8),
    ("0", 0), ("99", 99), ("-1", -1), ("la -3", -3), ("9" * 5000, 999999), ("mil", 1000),
])
def test_numbers_in_words_and_digits(text: str, number: int) -> None:
    assert option_number(text) == number
    assert is_option_reference(text)


@pytest.mark.parametrize("text", ["son las 3", "tengo 2 hijos", "me robaron 2 celulares", "dos tipos me asaltaron",
                                  "1 2", "la dos o la tres", "hola", "", "no", "sí", "la de", "22 de noviembre"])
def test_what_is_not_a_choice(text: str) -> None:
    assert option_number(text) is None


@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(FORMS))
def test_any_number_in_any_form_is_read_as_that_number(n: int, form: str) -> None:
    expected = max(min(n, 999999), -999999)
    assert option_number(form.format(n=n)) == expected


@given(st.sampled_from(sorted(WORDS.numbers.items())), st.sampled_from(PREFIXES), st.booleans())
def test_every_number_word_is_read_with_any_prefix_and_case(item: Any, prefix: str, upper: bool) -> None:
    word, number = item
    text = prefix + word
    assert option_number(text.upper() if upper else text) == number


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_any_text_is_read_without_error(text: str) -> None:
    number = option_number(text)
    assert number is None or -999999 <= number <= 999999
    option_named(text)


@given(st.integers(min_value=1, max_value=8), st.sampled_from(PREFIXES),
       st.sampled_from(["celular", "robaron", "mañana", "policía", "hijos", "esposo"]))
def test_a_number_with_any_other_word_is_not_a_choice(n: int, prefix: str, other: str) -> None:
    assert option_number(f"{prefix}{n} {other}") is None
    assert option_number(f"{other} {prefix}{n}") is None


def options(key: str) -> List[Dict[str, Any]]:
    return bot_reply(key)["data"]["buttons"]


@pytest.mark.parametrize("query,number", [
    ("protección", 2), ("proteccion sin denuncia", 2), ("denunciar", 1), ("denunciar un delito", 1),
    ("ayuda cerca", 3), ("hablar con una persona", 4), ("una persona", 4),
])
def test_an_option_named_by_its_label_or_an_alias(query: str, number: int) -> None:
    assert option_by_label(query, options("utter_main_menu")) == number


def test_a_name_that_fits_no_option_or_two_chooses_none() -> None:
    assert option_by_label("mi casa", options("utter_main_menu")) is None
    assert option_by_label("", options("utter_main_menu")) is None


@pytest.mark.parametrize("text,named", [("la de protección", "proteccion"), ("lo de denunciar", "denunciar"),
                                        ("quiero la de ayuda cerca", "ayuda cerca"),
                                        ("la opción de hablar con alguien", "hablar con alguien")])
def test_naming_phrases(text: str, named: str) -> None:
    assert option_named(text) == named


@pytest.mark.parametrize("text", ["dos", "la dos", "opción dos", "el 2", "la segunda", "2.", "#2",
                                  "la de protección", "99", "-1", "9" * 50])
def test_the_keyword_rules_make_them_a_choice(text: str) -> None:
    assert KeywordRules().intent_for(text) == CHOOSE_OPTION


def test_zero_alone_is_still_the_menu() -> None:
    assert KeywordRules().intent_for("0") == "menu"


@pytest.mark.parametrize("text,intent", [("dos", "protection"), ("la dos", "protection"), ("la segunda", "protection"),
                                         ("#3", "find_help"), ("la de protección", "protection"),
                                         ("lo de denunciar", "report_crime"), ("la de hablar con alguien", "human_handoff")])
def test_the_action_chooses_the_option_in_words(text: str, intent: str) -> None:
    _, events, _ = run(ActionSelectOption(), tracker("choose_option", text, events=[bot_reply("utter_main_menu")]))
    assert events[2]["parse_data"]["intent"]["name"] == intent


@pytest.mark.parametrize("text", ["0", "opción 0", "99", "-1", "9" * 5000, "la novena", "la de mi casa"])
def test_hostile_or_unknown_choices_get_the_range(text: str) -> None:
    current = tracker("choose_option", text, events=[bot_reply("utter_main_menu")])
    replies, events, messages = run(ActionSelectOption(), current)
    assert replies == ["utter_option_out_of_range"]
    assert messages[0]["highest"] == len(MENUS["utter_main_menu"])
    assert [e for e in events if e.get("event") != "slot"] == []


def test_a_name_no_option_has_is_read_as_the_classifier_read_it() -> None:
    current = tracker("choose_option", "la de mi pareja que me pega", events=[bot_reply("utter_main_menu")])
    current.latest_message["intent_ranking"] = [{"name": "choose_option", "confidence": 1.0},
                                                {"name": "protection", "confidence": 0.8}]
    _, events, _ = run(ActionSelectOption(), current)
    assert events[2]["parse_data"]["intent"]["name"] == "protection"
    assert events[2]["text"] == "la de mi pareja que me pega"


def every_list() -> List[List[Dict[str, Any]]]:
    from actions.guidance import crime_choices

    return [options(key) for key in MENUS] + [crime_choices()]


@pytest.mark.parametrize("listed", every_list())
@pytest.mark.parametrize("lead", ["la de ", "lo de ", "la opción de ", "quiero la de "])
def test_every_option_of_every_list_is_chosen_by_its_own_label(listed: List[Dict[str, Any]], lead: str) -> None:
    for number, option in enumerate(listed, start=1):
        named = option_named(lead + option["title"])
        assert option_by_label(named or "", listed) == number, option["title"]
