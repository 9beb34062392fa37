"""A place read from any message (bot/directory/mentions.py, actions/places.py): found where
people name it, not invented from ordinary words, remembered and corrected."""

import pytest
import yaml
from pathlib import Path

from actions.fallback import ActionMisunderstood
from actions.guidance import ActionProtection, known_state
from actions.places import current_place_key, remember_place
from bot.directory.catalogue import catalogue
from bot.directory.mentions import mentioned_place
from bot.text import bare_words
from tests.test_actions import bot_reply, run, slot, tracker

TRAINING = Path(__file__).parents[1] / "data" / "nlu"
_SPELLINGS = yaml.safe_load((Path(__file__).parents[1] / "bot" / "directory" / "data" / "nicknames.yml").read_text(encoding="utf-8"))
NICKNAMES = {**_SPELLINGS["municipalities"], **_SPELLINGS["state_names"]}  # "cancun", "cdmx": names too


def label(key: str) -> str:
    places = catalogue()
    return places.states[key] if len(key) == 2 else places.municipalities[key].label


@pytest.mark.parametrize("text,place", [
    ("vivo en oaxaca, mi esposo me pega y no quiero denunciarlo", "Oaxaca de Juárez, Oaxaca"),
    ("estoy en tuxtla", "Tuxtla Gutiérrez, Chiapas"),
    ("estoy en tuxla y me robaron", "Tuxtla Gutiérrez, Chiapas"),
    ("no, estoy en Puebla", "Puebla, Puebla"),
    ("me asaltaron en guadalajara", "Guadalajara, Jalisco"),
    ("soy de tuxtla y me robaron", "Tuxtla Gutiérrez, Chiapas"),
    ("mi hija desapareció, somos de Nuevo León", "Nuevo León"),
    ("Chiapas", "Chiapas"),
    ("cdmx", "Ciudad de México"),
])
def test_a_place_in_a_free_message(text: str, place: str) -> None:
    key = mentioned_place(text)
    assert key and label(key) == place


@pytest.mark.parametrize("text", [
    "help near me", "me pega en la cara", "me robaron en la calle", "estoy en peligro", "quiero denunciar",
    "la dos", "soy de honduras y me asaltaron en el tren", "cambiar de idioma", "me asaltaron en el camion q hago",
    "centro de justicia para las mujeres", "te mande captura de pantalla", "cuéntame más", "", "/find_help",
    "x" * 5000, "estoy en el baño con seguro", "estoy en la azotea", "estoy en mexico sin papeles",
])
def test_no_place_is_read_into_ordinary_words(text: str) -> None:
    assert mentioned_place(text) is None


def test_training_messages_name_only_the_places_they_name() -> None:
    """Every place read from the training examples is one the example really names."""
    found = {}
    for path in TRAINING.glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in (item.get("examples") or "").splitlines():
                example = line.strip()[2:]
                key = mentioned_place(example)
                if key:
                    found[example] = (key, label(key))
    wrong = {text: place for text, (key, place) in found.items()
             if bare_words(place.split(",")[0]).split()[0][:4] not in bare_words(text)
             and not any(f" {bare_words(nickname)} " in f" {bare_words(text)} " for nickname in NICKNAMES.get(key, []))}
    assert not wrong, wrong


def test_a_place_named_before_the_question_is_remembered_and_answers_without_asking(seeded: str) -> None:
    current = tracker("protection", "vivo en oaxaca, mi esposo me pega y no quiero denunciarlo")
    assert current_place_key(current) == "20067"
    replies, events, _ = run(ActionProtection(), current)
    assert replies and set(replies) == {"utter_guidance"}
    assert slot(events, "place_key") == "20067"
    assert not any(event.get("event") == "followup" for event in events)


def test_a_state_already_known_through_its_municipality_is_not_new() -> None:
    current = tracker("protection", "en chiapas", slots={"place_key": "07101"})
    assert remember_place(current) == [] and current_place_key(current) == "07101"
    assert known_state(current) == "07"


def test_the_welcome_remembers_the_place_of_a_first_message() -> None:
    current = tracker("protection", "vivo en oaxaca, mi esposo me pega", slots={"welcomed": False})
    replies, events, _ = run(ActionProtection(), current)
    assert replies == ["utter_welcome"] and slot(events, "place_key") == "20067"


def test_the_place_question_s_own_answer_is_not_read_again() -> None:
    current = tracker("inform", "puebla", slots={"place_key": "11020"},
                      events=[{"event": "user", "text": "puebla"},
                              {"event": "slot", "name": "place_key", "value": "11020"}])
    assert current_place_key(current) == "11020" and remember_place(current) == []


def test_a_correction_after_help_nearby_answers_again_for_the_new_place(seeded: str) -> None:
    current = tracker("nlu_fallback", "no, estoy en Puebla", slots={"place_key": "07101"},
                      events=[bot_reply("utter_main_menu") | {"metadata": {"utter_action": "utter_help_near_me"}}])
    replies, events, messages = run(ActionMisunderstood(), current)
    assert replies == ["utter_help_near_me"] and messages[0]["where"] == "Puebla, Puebla"
    assert slot(events, "place_key") == "21114"


def test_only_a_place_shows_the_menu_and_is_remembered() -> None:
    current = tracker("nlu_fallback", "estoy en tijuana", events=[bot_reply("utter_main_menu")])
    replies, events, _ = run(ActionMisunderstood(), current)
    assert replies == ["utter_main_menu"] and slot(events, "place_key") == "02004"


@pytest.mark.parametrize("intent", ["deny", "not_safe_now", "nlu_fallback", "choose_option"])
def test_a_correction_read_as_any_answer_word_is_a_correction(seeded: str, intent: str) -> None:
    from actions.menu import ActionNotSafe
    from actions.options import ActionSelectOption

    action = {"not_safe_now": ActionNotSafe(), "nlu_fallback": ActionMisunderstood()}.get(intent, ActionSelectOption())
    current = tracker(intent, "no, estoy en Puebla", slots={"place_key": "07101"},
                      events=[bot_reply("utter_main_menu") | {"metadata": {"utter_action": "utter_help_near_me"}}])
    replies, events, messages = run(action, current)
    assert replies == ["utter_help_near_me"] and messages[0]["where"] == "Puebla, Puebla"
    assert slot(events, "place_key") == "21114" and not any(e.get("name") == "welcomed" for e in events)
