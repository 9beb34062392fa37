"""Keyword rules: danger, quick exit, menu and option numbers never depend on the model."""

import pytest

from bot.nlu.keyword_intents import KeywordRules


@pytest.fixture(scope="module")
def rules() -> KeywordRules:
    return KeywordRules()


@pytest.mark.parametrize(
    "text",
    [
        "me está siguiendo",
        "ME ESTA SIGUIENDO!!",
        "me va a matar",
        "ayuda me ba a matar 😭",
        "estoy encerrada",
        "mi esposo me tiene encerrada desde ayer",
        "AUXILIO",
        "trae una pistola",
        "no me deja salir de la casa",
        "hola, perdón que escriba tan largo pero ahorita mismo me está siguiendo un carro",
    ],
)
def test_danger_phrases_are_danger(rules: KeywordRules, text: str) -> None:
    assert rules.intent_for(text) == "danger"


@pytest.mark.parametrize("text", ["salir", "Salir", "SALIR.", "¡salir!", " borrar todo ", "eliminar 🙏"])
def test_exit_words_alone_are_a_quick_exit(rules: KeywordRules, text: str) -> None:
    assert rules.intent_for(text) == "quick_exit"


@pytest.mark.parametrize(
    "text", ["quiero salir de mi casa", "como salgo de aqui", "borrar mis datos del banco", "sal de uvas"]
)
def test_exit_words_inside_a_sentence_are_not_a_quick_exit(rules: KeywordRules, text: str) -> None:
    assert rules.intent_for(text) != "quick_exit"


@pytest.mark.parametrize("text,intent", [("0", "menu"), ("menú", "menu"), ("3", "choose_option"), (" 12 ", "choose_option")])
def test_menu_and_numbers(rules: KeywordRules, text: str, intent: str) -> None:
    assert rules.intent_for(text) == intent


@pytest.mark.parametrize("text", ["🙂", "👍", "x" * 5000, "me robaron el celular"])
def test_ordinary_text_imposes_nothing(rules: KeywordRules, text: str) -> None:
    assert rules.intent_for(text) is None


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_message_is_not_understood(rules: KeywordRules, text: str) -> None:
    assert rules.intent_for(text) == "nlu_fallback"
