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
    # Nor is a story of fear a request to erase one's data.
    ("todos saben quien fue pero nadie dice nada", ["delete_my_data", "report_crime"], "report_crime"),
    ("borren lo que les dije", ["delete_my_data", "report_crime"], "delete_my_data"),
    # A request to report in a message that declines to report is one for protection.
    ("mi pareja me pega y no quiero denunciarlo", ["report_crime", "protection"], "protection"),
    ("como me protejo sin ir a la fiscalia", ["report_crime", "find_help"], "protection"),
    ("me robaron y quiero denunciar", ["report_crime", "protection"], "report_crime"),
])
def test_the_classifier_alone_decides_menu_or_exit_only_with_their_words(
        rules: KeywordRules, text: str, ranking: list, expected: str) -> None:
    message = classified(text, *ranking)
    KeywordIntents(rules).process([message])
    assert message.get(INTENT)["name"] == expected
    words = frozenset(bare_words(text).split())
    assert all(rules.classifier_may_decide(entry["name"], words) for entry in message.get(INTENT_RANKING_KEY))


def test_declining_to_report_merges_reporting_into_protection_in_the_ranking(rules: KeywordRules) -> None:
    message = classified("no la quiere denunciar, que opciones hay", "find_help", "report_crime", "protection")
    KeywordIntents(rules).process([message])
    assert [entry["name"] for entry in message.get(INTENT_RANKING_KEY)] == ["find_help", "protection"]
    assert message.get(INTENT_RANKING_KEY)[1]["confidence"] == pytest.approx(0.45)
    assert message.get(INTENT)["name"] == "find_help"


# Danger beyond the fixed words: cue patterns (bot/nlu/keywords.yml). These sentences are
# neither training examples nor in tests/nlu/danger.yml.
@pytest.mark.parametrize("text", [
    "ya viene para aca y esta bien borracho",      # aggressor arriving, drunk
    "esta afuera y trae un machete",               # outside, armed
    "me encerraron en la azotea",                  # locked in
    "no puedo hablar, me esta vigilando",          # cannot talk, with danger beside it
    "levantaron a mi sobrino saliendo de la prepa",  # abduction
    "estoy sangrando mucho de la mano",            # injury now
    "le esta pegando a mi hija ahorita",           # a child in danger
    "Q ALGUIEN MANDE UNA PATRULLA",                # a plea, phone style
    "kiero morirme ya",                            # self-harm, typo
    "me obligan a trabajar en la pizca y no me pagan",  # trafficking
    "dice que si lo denuncio me mata",             # a threat in the present for the future
    "me dijo que si lo dejo, me mata",
])
def test_danger_cues_beyond_the_fixed_words(rules: KeywordRules, text: str) -> None:
    assert rules.intent_for(text) == "danger"


@pytest.mark.parametrize("text", [
    "no puedo hablar ahorita",            # the answer to "¿puedes escribir con calma ahora?"
    "no puedo hablar ahora, luego escribo",
    "me robaron el celular hace un mes",
    "quiero saber como denunciar un fraude",
    "mi jefe me pone a trabajar horas extra",
    "mi jefe me mata de trabajo",                  # figures of speech
    "ese chiste me mata de risa",
    "mi mama dice que si llego tarde me mata",
    "si lo dejo de ver mi mama me mata de coraje",
    "si lo dejo mi jefe me mata, ya no aguanto el trabajo",
])
def test_cues_do_not_turn_ordinary_messages_into_danger(rules: KeywordRules, text: str) -> None:
    assert rules.intent_for(text) != "danger"


@pytest.mark.parametrize("text,kind", [
    ("ya no quiero vivir", "self_harm"),
    ("pienso en suicidarme", "self_harm"),
    ("me voy a tomar todas las pastillas", "self_harm"),
    ("me quiero matar, ya no aguanto", "self_harm"),
    ("me quitaron mis papeles y no me dejan salir", "trafficking"),
    ("creo que es trata de personas", "trafficking"),
    ("mi padrote no me deja ir", "trafficking"),
    # Someone else's threat is danger, not self-harm.
    ("quiere matarme", None),
    ("mi esposo quiere hacerme daño", None),
    ("me cortó con un cuchillo", None),
])
def test_kinds_of_danger_with_a_line_of_their_own(rules: KeywordRules, text: str, kind: str) -> None:
    assert rules.intent_for(text) == "danger"
    assert rules.danger.kind(text) == kind


@pytest.mark.parametrize("text,cues", [
    ("me secuestraron hace un año, quiero denunciar", {"past"}),
    ("cuando era niña me encerraban", {"past"}),
    ("ya estoy a salvo pero me amenazo", {"negated"}),
    ("ahorita esta afuera", {"now"}),
    ("me esta siguiendo", {"now"}),
    ("me tiene encerrada desde anoche", {"now", "past"}),
    ("mi papa le pegaba a mi mama", {"past"}),
    ("una amiga me conto que su novio la golpea", {"reported"}),
    ("me quitaron la bolsa hace un rato", {"now"}),
])
def test_time_and_negation_cues(rules: KeywordRules, text: str, cues: set) -> None:
    assert rules.danger.cues(text) == cues


@pytest.mark.parametrize("text,doubt", [
    ("hace un mes me amenazaron con un cuchillo", True),
    ("a mi vecina la golpeaba su esposo", True),
    ("ya me escape, pero me tenian encerrada", True),
    # Any cue of the present keeps the emergency reply, whatever else the text says.
    ("me amenazo hace un año y ahorita esta afuera", False),
    ("me tiene encerrada desde anoche", False),
    ("mi ex me golpeaba y dice que hoy viene por mi", False),
    ("me amenazo con un cuchillo", False),
    # Self-harm and trafficking always get their line.
    ("hace un año que pienso en suicidarme", False),
    ("hace meses me quitaron mis papeles y no me dejan salir", False),
])
def test_danger_that_may_not_be_now(rules: KeywordRules, text: str, doubt: bool) -> None:
    assert rules.danger.in_doubt(text) is doubt
    assert rules.danger.reply(text).startswith("utter_danger")


@pytest.mark.parametrize("text", [
    "me secuestraron hace un año, quiero saber cómo denunciar",
    "ya no me pega, pero me amenazo con un cuchillo",
    "hace mucho me tenian encerrada",
    "no es una emergencia pero me quiere matar",
])
def test_a_past_or_negated_cue_never_removes_the_danger_reply(rules: KeywordRules, text: str) -> None:
    assert rules.intent_for(text) == "danger"
    assert rules.is_urgent(text)
