"""The indexed near-duplicate search finds what comparing with every training message finds."""

import random
from typing import List, Tuple

from tests.near_duplicates import leaks, normalise, why_similar

TRAINING = [("a", "me robaron el celular en el camion"), ("a", "mi pareja me golpea y tengo miedo"),
            ("b", "quiero denunciar un robo en mi casa"), ("b", "donde esta el ministerio publico mas cercano"),
            ("c", "tengo miedo de salir de mi casa de noche sola"), ("c", "hola buenas tardes")]


def every_comparison(examples: List[Tuple[str, str]], training: List[Tuple[str, str]]) -> List[str]:
    """The examples flagged by comparing each with every training message (the rules' meaning)."""
    flagged = []
    for label, text in examples:
        if any(why_similar(normalise(text), normalise(other), one_word_rule=label == other_label)
               for other_label, other in training):
            flagged.append(text)
    return flagged


def test_each_rule_is_found() -> None:
    examples = [("a", "Me robaron el celular en el camión!!"),  # equal once normalised
                ("a", "me robaron el celular en el camon"),  # a typo
                ("b", "un robo en mi casa quiero denunciar"),  # reordered
                ("a", "mi pareja me pega y tengo miedo"),  # one word replaced, same label
                ("b", "mi pareja me pega y tengo miedo"),  # the same, another label: not flagged
                ("c", "tengo miedo de salir de mi casa de noche"),  # one word deleted
                ("c", "hola tardes")]  # not a near-duplicate
    found = [leak.example for leak in leaks(examples, TRAINING)]
    assert found == every_comparison(examples, TRAINING)
    assert found == [text for _, text in examples[:4]] + ["tengo miedo de salir de mi casa de noche"]


def test_it_agrees_with_every_comparison_on_random_edits() -> None:
    """Random one-word and one-letter edits of the training messages, and strangers."""
    chance = random.Random(7)
    words = " ".join(text for _, text in TRAINING).split()
    examples = []
    for number in range(300):
        label, text = chance.choice(TRAINING)
        edited = text.split()
        position = chance.randrange(len(edited))
        edit = number % 4
        if edit == 0:
            edited[position] = chance.choice(words)
        elif edit == 1:
            del edited[position]
        elif edit == 2:
            edited.insert(position, chance.choice(words))
        else:
            edited[position] = edited[position][:-1] + chance.choice("aeiouxz")
        examples.append((chance.choice("abc"), " ".join(edited)))
    assert [leak.example for leak in leaks(examples, TRAINING)] == every_comparison(examples, TRAINING)
