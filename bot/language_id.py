"""Which offered language a message is written in: Spanish or one of the seven Indigenous
languages (Náhuatl, Maya, Tseltal, Tsotsil, Mixteco, Zapoteco, Otomí).

Two models, both built offline from data that ships in packages:

- Spanish or not: a character n-gram model (scikit-learn's multinomial naive Bayes) trained
  on the parallel corpora of the PyPI package `elotl` (MPL-2.0): Spanish–Náhuatl (axolotl),
  Spanish–Otomí (tsunkua), Spanish–Mixteco (kolo). Trained in about ten seconds: `rasa train`
  keeps it in the Rasa model, which the dialogue engine loads (bot/nlu/language_guess.py);
  elsewhere it is trained once per process.
- Which Indigenous language: the trigram profiles of the PyPI package `pyfranc` (MIT; the
  profiles of franc, built from the Universal Declaration of Human Rights in each language),
  for the variants it has: `nhn` Central Náhuatl, `yua` Maya, `tzh` Tseltal, `tzo` Tsotsil,
  `mxv` Mixteco of Metlatónoc, `zam` and `ztu` Zapoteco, `ote` Otomí del Mezquital, and `spa`.

A message the first model finds surely Spanish is Spanish. Otherwise its language is the
nearest profile's, unless that is Spanish: then the first model may still name Náhuatl,
Otomí or Mixteco when it is sure and that language is also the nearest Indigenous profile.
The answer is a guess to offer, never a decision: the person confirms it.
"""

import csv
import io
from functools import lru_cache
from importlib import resources
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from pyfranc import franc
from pyfranc.expressions import expressions
from pyfranc.trigram_utils import asTuples
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline, make_pipeline

from bot.languages import DEFAULT_LANGUAGE
from bot.text import fold

CORPORA = {"axolotl": "nah", "tsunkua": "ote", "kolo": "mixteco"}
# pyfranc's profile code → the offered language's catalogue code.
PROFILE_LANGUAGES = {"spa": DEFAULT_LANGUAGE, "nhn": "nah", "yua": "yua", "tzh": "tzh", "tzo": "tzo",
                     "mxv": "mixteco", "zam": "zap", "ztu": "zap", "ote": "ote"}
HELD_OUT_EVERY = 10  # every tenth pair is kept for evaluation, never trained on
MIN_LETTERS = 12  # shorter messages say too little to tell
SURE = 0.9

Profiles = Mapping[str, Dict[str, int]]  # profile code → trigram → rank (0: most frequent)


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


def trained() -> Pipeline:
    """The Spanish-or-not model (it also knows Náhuatl, Otomí and Mixteco from elotl), trained
    on the corpora."""
    training = [(text, language) for text, language, held_out in labelled_sentences() if not held_out]
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2, preprocessor=fold),
        MultinomialNB(alpha=0.01),
    )
    pipeline.fit([t for t, _ in training], [language for _, language in training])
    pipeline[0].stop_words_ = None  # the n-grams left out, only for inspection: most of a stored model
    return pipeline


@lru_cache(maxsize=1)
def model() -> Pipeline:
    """The Spanish-or-not model, trained once per process."""
    return trained()


def shipped_profiles() -> Profiles:
    """pyfranc's profiles of the offered languages."""
    return {code: franc.numericData["Latin"][code] for code in PROFILE_LANGUAGES}


def profile_of(text: str, size: int = 300) -> Dict[str, int]:
    """A profile built the way franc builds its own: the `size` most frequent trigrams."""
    return {trigram: rank for rank, (trigram, _) in enumerate(asTuples(text)[:size])}


def nearest(text: str, profiles: Profiles) -> List[str]:
    """The offered languages from the nearest profile to the farthest (pyfranc's distance)."""
    ranked = franc.getDistances(asTuples(text), dict(profiles), [], [])
    return list(dict.fromkeys(PROFILE_LANGUAGES[code] for code, _ in ranked))


def surely_written_in(text: str, profiles: Optional[Profiles] = None,
                      spanish_or_not: Optional[Pipeline] = None) -> Optional[str]:
    """The language code to offer for `text`: "es" when surely Spanish, an Indigenous
    language's code when the models point to it, None when too short, not in the Latin
    script, or unsure. The Spanish-or-not model is `model()` unless another is given."""
    return written_in_each([text], profiles, spanish_or_not)[0]


def written_in_each(texts: Sequence[str], profiles: Optional[Profiles] = None,
                    spanish_or_not: Optional[Pipeline] = None) -> List[Optional[str]]:
    """`surely_written_in` of each text, the Spanish-or-not model run once on them all."""
    if spanish_or_not is None:
        spanish_or_not = model()
    readable = [_readable(text) for text in texts]
    told = [text for text, can in zip(texts, readable) if can]
    rows = iter(spanish_or_not.predict_proba(told) if told else [])
    return [_decided(text, dict(zip(spanish_or_not.classes_, next(rows))), profiles) if can else None
            for text, can in zip(texts, readable)]


def _readable(text: str) -> bool:
    """Long enough to tell, and in the Latin script."""
    return sum(c.isalpha() for c in text) >= MIN_LETTERS and franc.getTopScript(text, expressions)[0] == "Latin"


def _decided(text: str, probabilities: Dict[str, float], profiles: Optional[Profiles]) -> Optional[str]:
    """The language to offer for a readable text, given the Spanish-or-not model's probabilities."""
    if probabilities[DEFAULT_LANGUAGE] >= SURE:
        return DEFAULT_LANGUAGE
    ranked = nearest(text, profiles if profiles is not None else shipped_profiles())
    if ranked[0] != DEFAULT_LANGUAGE:
        return ranked[0]
    indigenous = max((code for code in probabilities if code != DEFAULT_LANGUAGE), key=probabilities.get)
    if probabilities[indigenous] >= SURE and indigenous == ranked[1]:
        return indigenous
    return None
