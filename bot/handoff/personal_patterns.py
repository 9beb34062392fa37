"""Personal data with a shape: e-mails, CURP, RFC, Mexican phone numbers, addresses, plates.

Each finder returns the spans it hides, with the label staff see instead.
"""

import re
from dataclasses import dataclass
from typing import AbstractSet, Iterator, List

from spacy.lang.es.stop_words import STOP_WORDS

from bot.text import fold


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str


# Possessive, from the start of a word: linear however long the message.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++"  # and spelled out: "ana punto luz arroba gmail punto com"
                   r"|(?<![\w.+-])[\w.+-]++(?:\s++punto\s++[\w+-]++)*+\s++arroba\s++[\w-]++(?:\s++punto\s++[a-z]{2,4}\b)++",
                   re.IGNORECASE)
CURP = re.compile(r"\b[A-Z]{4}\s?\d{6}\s?[HMX][A-Z]{5}[A-Z0-9]\d\b", re.IGNORECASE)
RFC = re.compile(r"\b[A-ZÑ&]{3,4}[\s-]?\d{6}[\s-]?[A-Z0-9]{3}\b", re.IGNORECASE)
# Digits with the separators people type between them: "+52 1 (55) 1234-5678", "55.12.34.56.78".
DIGITS = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){6,16}(?![\w])")
# What may stand before the ten digits of a Mexican number: country code, mobile prefix, old long-distance codes.
PREFIXES = ("521", "52", "044", "045", "01", "1")
NATIONAL_DIGITS = 10
LOCAL_DIGITS = (7, 8)  # an old local number, taken only after a word that says it is a phone
PHONE_CUES = re.compile(r"(?:tel|cel|fono|n[uú]mero|num|whats|wa|llam|marca|habl)\w*\.?:?(?:\s+[^\W\d]+){0,2}\s*$",
                        re.IGNORECASE)  # "tel casa 5556 7788", "mi número es el 5556 7788"
TOLL_FREE = "800"  # public lines, not a person's number

STREET = (r"calle|c\.|avenida|av\.?|avda\.?|blvd\.?|bulevar|boulevard|privada|priv\.?|andador|callej[oó]n|"
          r"calzada|calz\.?|carretera|camino|circuito|cerrada|cda\.?|prolongaci[oó]n|prol\.?|paseo|retorno")
AREA = (r"colonia|col\.?|fraccionamiento|fracc?\.?|barrio|unidad\s+habitacional|u\.\s?h\.|ejido|residencial|"
        r"conjunto\s+habitacional")
UNIT = (r"manzana|mza?\.?|lote|lt\.?|n[uú]mero|n[uú]m\.?|no\.|#|interior|int\.?|exterior|ext\.?|depto\.?|"
        r"departamento|dpto\.?|edificio|edif\.?|casa")
ADDRESS_START = re.compile(rf"(?<!\w)(?:{STREET}|{AREA})(?=\s)", re.IGNORECASE)
# Between which streets, as in Yucatán: "calle 20 #301 x 15 y 17", "entre 3 y 5".
CROSSING = r"(?:x|por|entre)\s+\d+[a-z]?(?:\s+y\s+\d+[a-z]?)?\b"
UNIT_NUMBER = re.compile(rf"[\s,]*(?:(?<!\w)(?:{UNIT})\s*\d+[a-z]?\b|{CROSSING})", re.IGNORECASE)
LEADING_UNIT = re.compile(rf"(?<!\w)(?:{UNIT})\s*\d+[a-z]?\b", re.IGNORECASE)
POSTAL_CODE = re.compile(r"(?<!\w)(?:c\.?\s?p\.?|c[oó]digo\s+postal)\s*\d{5}\b", re.IGNORECASE)
NAME_PART = re.compile(r"\s*([^\W_]+\.?|\d+[a-z]?)", re.IGNORECASE)
ABBREVIATION = re.compile(r"[^\W\d_]{1,4}\.")  # "Dr.", "Gral.", "Sta." inside a street's name
ADDRESS_WORDS = 6
HOUSE_NUMBER_NEXT = re.compile(r"\s*(?:[^\W\d_]+\.?\s*)?\d")  # "calle allende 12": a street, not a verb
# Words that end a street's or colonia's name ("en mi colonia hay…"); articles stay ("colonia del valle").
NOT_A_NAME = ({fold(word) for word in STOP_WORDS} - {"el", "la", "los", "las", "de", "del", "nueva", "nuevo"}
              | {"cerca", "junto", "frente", "enfrente", "atras", "esquina", "hace", "ayer", "hoy", "anoche",
                 "principal", "central"})  # "la avenida principal" is no address
TRAILING_PARTICLES = {"el", "la", "los", "las", "de", "del", "y"}

PLATE_CUE = re.compile(r"\bplacas?\b(?:\s+(?:son|eran|era|es|n[uú]mero|num))?\s*:?\s*", re.IGNORECASE)
PLATE = re.compile(r"[A-Z0-9]{1,7}(?:[\s-][A-Z0-9]{1,4}){0,3}", re.IGNORECASE)
PLATE_LENGTH = (5, 8)
PLATE_SKIP = re.compile(r"[^\W\d_]+\s+")  # the words between "placas" and the plate
PLATE_REACH = 30


def emails(text: str) -> Iterator[Span]:
    for match in EMAIL.finditer(text):
        yield Span(match.start(), match.end(), "[correo]")


def curps(text: str) -> Iterator[Span]:
    for match in CURP.finditer(text):
        yield Span(match.start(), match.end(), "[CURP]")


def rfcs(text: str) -> Iterator[Span]:
    for match in RFC.finditer(text):
        yield Span(match.start(), match.end(), "[RFC]")


def _national(digits: str) -> str:
    """The number without what may stand before its ten digits."""
    for prefix in PREFIXES:
        if len(digits) > NATIONAL_DIGITS and digits.startswith(prefix):
            return _national(digits[len(prefix):])
    return digits


def phones(text: str) -> Iterator[Span]:
    for match in DIGITS.finditer(text):
        number = _national(re.sub(r"\D", "", match.group()))
        cued = bool(PHONE_CUES.search(text[max(0, match.start() - 30):match.start()]))
        if number.startswith(TOLL_FREE):
            continue
        if len(number) == NATIONAL_DIGITS or (cued and len(number) in LOCAL_DIGITS):
            yield Span(match.start(), match.end(), "[teléfono]")


def _name_end(text: str, start: int, verbs: AbstractSet[int]) -> int:
    """Where the name after an address word ends: words, abbreviations and a house number,
    up to a common word or a verb ("en mi colonia roban mucho")."""
    end, words = start, []
    for _ in range(ADDRESS_WORDS):
        match = NAME_PART.match(text, end)
        if not match or (match.start(1) in verbs and not HOUSE_NUMBER_NEXT.match(text, match.end())):
            break
        word = match.group(1)
        folded = fold(word.rstrip("."))
        if word[0].isdigit():
            end = match.end()
            words.append(folded)
            if not re.match(r"\s+de\b", text[end:], re.IGNORECASE):  # "5 de Mayo" goes on
                break
            continue
        if folded in NOT_A_NAME or (word.endswith(".") and not ABBREVIATION.fullmatch(word)):
            if word.endswith(".") and folded not in NOT_A_NAME:
                end, words = match.end() - 1, words + [folded]
            break
        end, words = match.end(), words + [folded]
    while words and words[-1] in TRAILING_PARTICLES:
        words.pop()
        end = text.rfind(" ", start, end)
    return end if words else start


def _with_units(text: str, end: int) -> int:
    """The address goes on over its manzana, lote, number, interior…"""
    while match := UNIT_NUMBER.match(text, end):
        end = match.end()
    return end


def addresses(text: str, verbs: AbstractSet[int]) -> Iterator[Span]:
    """Addresses; `verbs` are where the words a language model reads as verbs start."""
    for match in ADDRESS_START.finditer(text):
        end = _name_end(text, match.end(), verbs)
        if end > match.end():
            yield Span(match.start(), _with_units(text, end), "[dirección]")
    for match in LEADING_UNIT.finditer(text):
        yield Span(match.start(), _with_units(text, match.end()), "[dirección]")
    for match in POSTAL_CODE.finditer(text):
        yield Span(match.start(), match.end(), "[dirección]")


def _plate(candidate: str) -> str:
    """The longest start of the candidate that reads as a plate: letters and digits, 5 to 8 of them."""
    groups = re.split(r"(?<=[\w])(?=[\s-])", candidate)
    while groups:
        plate = "".join(groups)
        characters = re.sub(r"[\s-]", "", plate)
        if (PLATE_LENGTH[0] <= len(characters) <= PLATE_LENGTH[1] and re.search(r"\d", characters)
                and re.search(r"[^\W\d_]", characters)):
            return plate
        groups.pop()
    return ""


def plates(text: str) -> Iterator[Span]:
    """A plate shortly after "placas" ("placas de tamaulipas XYZ-98-76")."""
    for cue in PLATE_CUE.finditer(text):
        for start in [cue.end(), *(m.end() for m in PLATE_SKIP.finditer(text, cue.end(), cue.end() + PLATE_REACH))]:
            candidate = PLATE.match(text, start)
            plate = _plate(candidate.group()) if candidate else ""
            if plate:
                yield Span(start, start + len(plate), "[placa]")
                break


def shaped(text: str, verbs: AbstractSet[int]) -> List[Span]:
    """Every span the patterns find, the more certain kinds first (earlier ones win overlaps)."""
    return [*emails(text), *curps(text), *rfcs(text), *phones(text), *plates(text), *addresses(text, verbs)]
