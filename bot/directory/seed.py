"""Loads bot/directory/seed.yml (its organisations and each state's prosecutor's office) and the
national lines meant for the directory into an empty directory: `python -m bot.directory.seed`."""

from pathlib import Path
from typing import Any, Dict, List

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from bot.directory import repository
from bot.directory.catalogue import catalogue
from bot.directory.models import Organisation
from bot.directory.validation import validate
from bot.guidance.content import guidance
from bot.settings import database_url
from bot.storage.database import engine_for, session_scope

SEED = Path(__file__).with_name("seed.yml")
ACTOR = "seed"


def _sources(fact: Dict[str, Any]) -> str:
    return "; ".join(f"{source['title']} {source.get('url', '')}".strip() for source in fact["sources"])


def line_record(line: Dict[str, Any]) -> Dict[str, Any]:
    """A national line of guidance/lines.yml as a directory record, with its sources."""
    return {"kind": "national_line", "name": line["name"], "phone": line.get("phone"),
            "whatsapp": line.get("whatsapp"), "website": line.get("url"), "opening_hours": line["hours"],
            "services": line["services"], "source": _sources(line), "verified_on": line["checked"], "active": "sí"}


def prosecutor_record(state_key: str, office: Dict[str, Any]) -> Dict[str, Any]:
    """A state's prosecutor's office of the seed, in the state's capital."""
    return {**office, "kind": "prosecutor", "state_key": state_key,
            "municipality_key": catalogue().capital(state_key).key, "active": "sí"}


def _seed() -> Dict[str, Any]:
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


def prosecutors() -> Dict[str, Dict[str, Any]]:
    """Each state's prosecutor's office as the seed has it, by state key."""
    return {key: prosecutor_record(key, office) for key, office in sorted(_seed()["prosecutors"].items())}


def records() -> List[Dict[str, Any]]:
    """The seed organisations, each state's prosecutor's office, then the national lines meant for the directory."""
    lines = [line_record(line) for line in guidance().lines.values() if line.get("in_directory")]
    return _seed()["organisations"] + list(prosecutors().values()) + lines


def load(engine: Engine) -> int:
    """Adds the seed organisations if the directory is empty; returns how many were added."""
    seed_records = records()
    with session_scope(engine) as session:
        if session.scalar(sa.select(sa.func.count(Organisation.id))):
            return 0
        for record in seed_records:
            checked = validate(record)
            if checked.errors:
                raise ValueError(f"Seed entry {record.get('name')!r}: {checked.errors}")
            repository.save(session, ACTOR, checked.values)
    return len(seed_records)


if __name__ == "__main__":
    print(f"{load(engine_for(database_url()))} organisations added to the directory.")
