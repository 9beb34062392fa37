"""Reviewers: staff-page accounts of qualified speakers, each tied to one language and its
variant, who publish translations (bot/web/review_page.py).

The variant is one of INALI's catalogue of variants (INALI_CATALOGUE), as listed for each
language in bot/web/inali_variants.yml: Náhuatl de la Huasteca veracruzana is not mexicano
de Temixco. A reviewer may review only their language; administrators may not review (they
are not, as such, qualified speakers).
"""

from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml
from flask import abort, request
from flask_login import current_user, login_required

from bot.languages import DEFAULT_LANGUAGE, OFFERED_LANGUAGES

INALI_CATALOGUE = "https://www.inali.gob.mx/clin-inali/"
VARIANTS_FILE = Path(__file__).with_name("inali_variants.yml")
REVIEWABLE = tuple(code for code in OFFERED_LANGUAGES if code != DEFAULT_LANGUAGE)


@lru_cache(maxsize=1)
def variants() -> Dict[str, List[Dict[str, str]]]:
    """Each reviewable language's INALI variants: `name` (as INALI writes it) and, where
    INALI gives one, `self_name` (what its speakers call it)."""
    listed = yaml.safe_load(VARIANTS_FILE.read_text(encoding="utf-8"))
    return {code: listed[code]["variants"] for code in REVIEWABLE}


def check_review_language(language: Optional[str], variant: Optional[str]) -> Tuple[str, str]:
    """A reviewer's language code and variant as stored; ValueError (in Spanish) unless the
    variant is one INALI lists for that language."""
    language, variant = (language or "").strip(), " ".join((variant or "").split())
    if language not in REVIEWABLE:
        raise ValueError(f"el idioma de revisión es uno de: {', '.join(REVIEWABLE)}")
    if variant not in {listed["name"] for listed in variants()[language]}:
        raise ValueError("elige la variante de ese idioma en la lista del catálogo del INALI")
    return language, variant


def can_review(user: Any, language: str) -> bool:
    """Whether the account (a User row or the signed-in account) may publish texts in `language`."""
    return (bool(getattr(user, "active", True)) and getattr(user, "role", None) == "reviewer"
            and bool(language) and getattr(user, "review_language", None) == language)


def reviewer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in as a reviewer: others get 403. The view checks the language with can_review."""

    @wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_user.role != "reviewer":
            abort(403)
        return view(*args, **kwargs)

    return guarded


STAFF_PAGES = ("inbox", "statistics")  # the blueprints of conversations and statistics


def keep_out() -> None:
    """A reviewer's account sees neither conversations nor statistics (the app's before_request)."""
    if request.blueprint in STAFF_PAGES and current_user.is_authenticated and current_user.role == "reviewer":
        abort(403)
