"""Rebuilds bot/handoff/data/names.csv: given names and surnames used in Mexico, for redaction.

Run by hand with Faker (MIT licence) installed: `python -m bot.handoff.build_names`. The
result is committed; Faker is not needed at run time. Names come from Faker's es_MX and
es_ES person providers. A name that is also an everyday Spanish word ("rosa", "flores",
"luna": ORDINARY, and spaCy's Spanish stop words) is marked ordinary: the redactor takes it for a name only where the
message says it is one.
"""

import csv
from pathlib import Path
from typing import Dict, Iterable, Set

from faker.providers.person.es_ES import Provider as Spain
from faker.providers.person.es_MX import Provider as Mexico
from spacy.lang.es.stop_words import STOP_WORDS

from bot.text import fold

DATA = Path(__file__).with_name("data") / "names.csv"
ORDINARY = set("""
alegre alegria alma amor amigo angel angeles arenas armas arroyo aurora azucena barba barco
barrera barrio barrios blanca blanco bravo bueno caballero cabello cabeza cadena calvo camino
campo campos cano caridad carrera carro casas castillo cerro chico clara concha conde consuelo
corona corral cortes costa crespo cruz cuesta cuevas delgado dolores domingo dulce duque
esperanza espejo estrella felicidad fierro flor flores franco fuente fuentes gallo gloria grande
guerra guerrero herrero hidalgo huerta iglesia iglesias izquierdo lago laguna leal leon limon
linda llano lobo luna luz madera malo manso mar mata mayo mercado mesa miranda montes mora
morales moreno nieto nieves nino olivo palma paloma pardo pareja paz pena perla piedad pilar
pinto plaza posada pozo prado prieto puente puerta real recio reina rey reyes rico rincon rio
rios roca rojo rosa rosas rubio rueda sala salas salud santos seco segura serrano sierra sol
sola soledad sosa toro torre torres vaca valle vega vela villa violeta abril amado amo amores
batalla botella casado criado guardia mate partida pera pino tono vara dan mas diez polo redondo
regalado sobrino tirado pintor portero sastre cuervo hierro coral gala
""".split()) | {fold(word) for word in STOP_WORDS}
PARTICLES = {"de", "del", "la", "las", "los", "y"}  # inside compound names: the redactor joins across them


def _folded(names: Iterable[str]) -> Set[str]:
    return {fold(part) for name in names for part in name.split() if len(part) > 1 and fold(part) not in PARTICLES}


def build() -> int:
    given = _folded(Mexico.first_names) | _folded(Spain.first_names)
    surnames = _folded(Mexico.last_names) | _folded(Spain.last_names)
    kinds: Dict[str, str] = {name: "given" for name in given}
    kinds.update({name: "both" if name in given else "surname" for name in surnames})
    with DATA.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "kind", "ordinary"])
        for name in sorted(kinds):
            writer.writerow([name, kinds[name], "yes" if name in ORDINARY else "no"])
    return len(kinds)


if __name__ == "__main__":
    print(f"{build()} names written to {DATA}")
