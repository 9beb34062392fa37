"""Which language a message is written in: Spanish, Náhuatl, Otomí or Mixteco.

A character n-gram model (scikit-learn's multinomial naive Bayes) trained on the parallel
corpora of the PyPI package `elotl` (MPL-2.0): Spanish–Náhuatl (axolotl), Spanish–Otomí
(tsunkua), Spanish–Mixteco (kolo). It is trained once per process, from the installed
package, in a few seconds. Maya, Tseltal, Tsotsil and Zapoteco have no public corpus in a
package yet, so they are not recognised (a person can still choose them by name).
"""

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import List, Optional, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline, make_pipeline

from bot.text import fold

CORPORA = {"axolotl": "nah", "tsunkua": "ote", "kolo": "mixteco"}
HELD_OUT_EVERY = 10  # every tenth pair is kept for evaluation, never trained on
MIN_LETTERS = 12  # shorter messages say too little to tell
SURE = 0.9


@dataclass(frozen=True)
class Guess:
    language: str
    probability: float


def labelled_sentences() -> List[Tuple[str, str, bool]]:
    """(text, language, held out?) for both sides of every usable pair of the corpora."""
    rows = []
    for corpus, language in CORPORA.items():
        text = resources.files("elotl.corpora").joinpath(f"{corpus}.csv").read_text(encoding="utf-8")
        for number, pair in enumerate(csv.reader(io.StringIO(text))):
            if len(pair) < 2 or not pair[0].strip() or not pair[1].strip() or fold(pair[0]) == fold(pair[1]):
                continue
            held_out = number % HELD_OUT_EVERY == 0
            rows += [(pair[0], "es", held_out), (pair[1], language, held_out)]
    return rows


@lru_cache(maxsize=1)
def model() -> Pipeline:
    training = [(text, language) for text, language, held_out in labelled_sentences() if not held_out]
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2, preprocessor=fold),
        MultinomialNB(alpha=0.01),
    )
    return pipeline.fit([t for t, _ in training], [language for _, language in training])


def identify(text: str) -> Optional[Guess]:
    """The most likely language of `text`, or None if it is too short to tell."""
    if sum(c.isalpha() for c in text) < MIN_LETTERS:
        return None
    probabilities = model().predict_proba([text])[0]
    best = probabilities.argmax()
    return Guess(model().classes_[best], float(probabilities[best]))


def surely_written_in(text: str) -> Optional[str]:
    """The language code of `text` when it is long enough to tell and surely written in
    Spanish, Náhuatl, Otomí or Mixteco; None when unsure."""
    guess = identify(text)
    return guess.language if guess and guess.probability >= SURE else None
