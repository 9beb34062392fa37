"""Recognising Náhuatl, Otomí and Mixteco: held-out accuracy (printed) and behaviour."""

from typing import List

import pytest
from sklearn.metrics import accuracy_score, classification_report

from bot.language_id import identify, labelled_sentences, model, surely_written_in

ACCURACY_FLOOR = 0.95


def test_accuracy_on_held_out_sentences(figures: List[str]) -> None:
    held_out = [(text, language) for text, language, held in labelled_sentences() if held]
    predicted = model().predict([text for text, _ in held_out])
    expected = [language for _, language in held_out]
    accuracy = accuracy_score(expected, predicted)
    figures.append(f"Language identification on {len(held_out)} held-out sentences: {accuracy:.1%} "
                   f"(floor {ACCURACY_FLOOR:.0%})")
    figures.extend(classification_report(expected, predicted, digits=3).splitlines())
    assert accuracy >= ACCURACY_FLOOR


@pytest.mark.parametrize("text,language", [
    ("Niltze, ¿quenin timotlaneltoca? Nechpaleuia", "nah"),
    ("Ma zi dada, xta ñ'u̱ ra ngu ne ya bätsi", "ote"),
    ("Ta na ndei'i trompeta xi'in tachi ra", "mixteco"),
])
def test_indigenous_text_is_recognised(text: str, language: str) -> None:
    assert surely_written_in(text) == language


@pytest.mark.parametrize("text", ["me robaron el celular anoche", "mi pareja me golpea y tengo miedo"])
def test_spanish_is_told(text: str) -> None:
    assert surely_written_in(text) == "es"


@pytest.mark.parametrize("text", ["hola", "1", "🙏🙏", "ok"])
def test_short_messages_are_left_alone(text: str) -> None:
    assert surely_written_in(text) is None


def test_too_short_to_tell() -> None:
    assert identify("niltze") is None
