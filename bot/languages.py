"""Languages the assistant offers, in the order of the language menu."""

from typing import Tuple

DEFAULT_LANGUAGE = "es"

# Catalogue codes: ISO 639-3 where one code covers the language (`ote`: Otomí del
# Mezquital), the collective code `nah` for Náhuatl, and `mixteco` for Mixteco, which has no
# single code.
OFFERED_LANGUAGES: Tuple[str, ...] = ("es", "nah", "yua", "tzh", "tzo", "mixteco", "zap", "ote")
