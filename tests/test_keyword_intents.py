"""Keyword rules: danger, quick exit, menu and option numbers never depend on the model."""

import pytest

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.keyword_intents import KeywordIntents, KeywordRules
from bot.text import bare_words


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


def classified(text: str, *ranking: str) -> Message:
    """A message as the classifier left it: `ranking` best first."""
    entries = [{"name": name, "confidence": 0.9 / (i + 1)} for i, name in enumerate(ranking)]
    return Message({TEXT: text, INTENT: entries[0], INTENT_RANKING_KEY: entries})


@pytest.mark.parametrize("text,ranking,expected", [
    # A place's name is not a request for the menu, whatever the model thinks.
    ("Nuevo León", ["menu", "out_of_scope"], "out_of_scope"),
    ("que opciones hay", ["menu", "greet"], "menu"),
    ("¿Qué puedo hacer?", ["menu"], "menu"),
    # Nor is leaving one's house a request to wipe the conversation.
    ("quiero salir de mi casa", ["quick_exit", "menu", "protection"], "protection"),
    ("Yucatán", ["menu"], "nlu_fallback"),
])
def test_the_classifier_alone_decides_menu_or_exit_only_with_their_words(
        rules: KeywordRules, text: str, ranking: list, expected: str) -> None:
    message = classified(text, *ranking)
    KeywordIntents(rules).process([message])
    assert message.get(INTENT)["name"] == expected
    words = frozenset(bare_words(text).split())
    assert all(rules.classifier_may_decide(entry["name"], words) for entry in message.get(INTENT_RANKING_KEY))
