"""What the active directory holds per state and kind, so that gaps can be seen and filled.

    python -m bot.directory.coverage

One row per state: for each local kind, entries with a phone, WhatsApp or website over all
entries ("1/2"; "-" for none), and the days since the state's oldest check. States with no
reachable entry of their own (only the national lines help there) are named at the end.
`report()` computes the figures once; this command prints them and the administrators'
coverage page (bot/web/directory_admin.py) shows them.
"""

import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.directory import seed
from bot.directory.catalogue import catalogue
from bot.directory.nearest import Directory, Entry
from bot.settings import database_url
from bot.storage.database import engine_for
from bot.storage.migrate import upgrade

KINDS = {"prosecutor": "Fiscalía", "women_justice_centre": "CJM", "victims_commission": "Víctimas",
         "human_rights_commission": "DDHH", "observatory": "Observatorio"}
STATE_WIDTH, CELL_WIDTH = 22, 13


@dataclass(frozen=True)
class Cell:
    """Entries of one kind in one state."""

    total: int = 0
    reachable: int = 0

    def __str__(self) -> str:
        return f"{self.reachable}/{self.total}" if self.total else "-"


@dataclass(frozen=True)
class StateRow:
    """One state's figures: each local kind's cell and the days since its oldest check."""

    key: str
    name: str
    cells: Dict[str, Cell]
    oldest_check_days: Optional[int]

    @property
    def reachable(self) -> bool:
        """Whether the state has at least one entry of its own a person can contact."""
        return any(cell.reachable for cell in self.cells.values())


@dataclass(frozen=True)
class Report:
    """The coverage of the whole directory: the states, those without contact, the national lines."""

    states: List[StateRow]
    national: Cell

    @property
    def unreachable(self) -> List[str]:
        return [row.name for row in self.states if not row.reachable]


def reachable(entry: Entry) -> bool:
    """Whether a person can contact the entry from what the directory holds."""
    return bool(entry.phone or entry.whatsapp or entry.website)


def cells(entries: Sequence[Entry], state_key: str) -> Dict[str, Cell]:
    """Each local kind's count in a state."""
    local = [entry for entry in entries if entry.state_key == state_key]
    return {kind: Cell(sum(e.kind == kind for e in local), sum(e.kind == kind and reachable(e) for e in local))
            for kind in KINDS}


def oldest_check_days(entries: Sequence[Entry], state_key: str, today: date) -> Optional[int]:
    dates = [entry.verified_on for entry in entries if entry.state_key == state_key]
    return (today - min(dates)).days if dates else None


def report(entries: Sequence[Entry], today: Optional[date] = None) -> Report:
    """The figures of every state (by name) and of the national lines."""
    today = today or date.today()
    states = [StateRow(key, name, cells(entries, key), oldest_check_days(entries, key, today))
              for key, name in sorted(catalogue().states.items())]
    national = [entry for entry in entries if entry.state_key is None]
    return Report(states, Cell(len(national), sum(map(reachable, national))))


def table(entries: Sequence[Entry], today: Optional[date] = None) -> List[str]:
    """The coverage report as text, one line per state, then the gaps and the national lines."""
    figures = report(entries, today)
    lines = ["Directorio por estado (con contacto/total; días desde la verificación más antigua):",
             "Estado".ljust(STATE_WIDTH) + "".join(name.ljust(CELL_WIDTH) for name in KINDS.values()) + "Días"]
    for row in figures.states:
        lines.append(row.name[:STATE_WIDTH - 1].ljust(STATE_WIDTH) + "".join(str(c).ljust(CELL_WIDTH) for c in row.cells.values())
                     + ("-" if row.oldest_check_days is None else str(row.oldest_check_days)))
    lines.append(f"Sin ningún contacto propio: {', '.join(figures.unreachable) or 'ninguno'}.")
    lines.append(f"Líneas nacionales: {figures.national.total}, {figures.national.reachable} con contacto.")
    return lines


def main() -> int:
    """The running directory's coverage; before the first `make run` created its database,
    that of the seed it will start from (in a scratch database)."""
    try:
        entries = Directory(engine_for(database_url())).index().entries
    except SQLAlchemyError:
        print("No directory database yet (`make run` creates it): the seed it starts from.")
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite:///{Path(scratch) / 'seed.db'}"
            upgrade(url)
            seed.load(engine_for(url))
            entries = Directory(engine_for(url)).index().entries
    for line in table(entries):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
