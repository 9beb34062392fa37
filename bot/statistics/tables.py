"""The published tables: for one kind of count and one place (the country, a state, or the
people who named no state), people by week and value with their totals, the cells under the
threshold and those that would give them away suppressed (bot/statistics/suppression.py).

Every table of a kind is computed with all the others of that kind: the country's shows a
count only where every state's share of it is shown, so that no view, export or pair of
them tells a suppressed cell."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.statistics import suppression
from bot.statistics.models import DailyCount
from bot.statistics.record import today

COUNTRY, NO_STATE = "", "nd"  # the places that are not a state's key
TOTAL = "total"


@dataclass(frozen=True)
class Table:
    """People by week (rows, Mondays) and value (columns), the totals last; None: suppressed."""

    kind: str
    place: str
    weeks: List[date]
    values: List[str]
    cells: List[List[Optional[int]]]

    def rows(self) -> List[Tuple[str, str, Optional[int]]]:
        """(week or "total", value or "total", people or None), the export's long form."""
        weeks = [week.isoformat() for week in self.weeks] + [TOTAL]
        return [(week, value, self.cells[i][j]) for i, week in enumerate(weeks)
                for j, value in enumerate([*self.values, TOTAL])]

    def suppressed(self) -> int:
        return sum(cell is None for row in self.cells for cell in row)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _grids(session: Session, kind: str) -> Tuple[List[date], List[str], Dict[str, List[List[int]]]]:
    """The weeks, the values and, per place that is a state or NO_STATE, its counts."""
    rows = session.execute(sa.select(DailyCount.day, DailyCount.state, DailyCount.value, DailyCount.people)
                           .where(DailyCount.kind == kind)).all()
    if not rows:
        return [], [], {}
    first, last = monday(min(row.day for row in rows)), monday(today())
    weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    values = sorted({row.value for row in rows})
    counts: Dict[str, Dict[Tuple[date, str], int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row.state or NO_STATE][(monday(row.day), row.value)] += row.people
    return weeks, values, {place: [[cells[(week, value)] for value in values] for week in weeks]
                           for place, cells in counts.items()}


def published(session: Session, kind: str, threshold: int) -> Dict[str, Table]:
    """Every table of a kind, by place (COUNTRY, NO_STATE, or a state's key)."""
    weeks, values, grids = _grids(session, kind)
    if not weeks:
        return {}
    parts = {place: suppression.with_totals(grid, len(values)) for place, grid in grids.items()}
    whole = suppression.with_totals([[sum(grid[i][j] for grid in grids.values()) for j in range(len(values))]
                                     for i in range(len(weeks))], len(values))
    hidden_whole, hidden = suppression.family(whole, parts, threshold)

    def table(place: str, grid: List[List[int]], hide: set) -> Table:
        cells = [[None if (i, j) in hide else value for j, value in enumerate(row)] for i, row in enumerate(grid)]
        return Table(kind, place, weeks, values, cells)

    return {COUNTRY: table(COUNTRY, whole, hidden_whole),
            **{place: table(place, parts[place], hidden[place]) for place in parts}}


def of_place(session: Session, kind: str, place: str, threshold: int) -> Optional[Table]:
    """The table of a kind for one place; None when nothing of that kind is recorded at all.
    A place with no count of it has a table of zeros."""
    tables = published(session, kind, threshold)
    if not tables or place in tables:
        return tables.get(place)
    country = tables[COUNTRY]
    width = len(country.values) + 1
    return Table(kind, place, country.weeks, country.values, [[0] * width for _ in range(len(country.weeks) + 1)])
