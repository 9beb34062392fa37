"""The published tables: for one kind of count and one place (the country, a state, or the
people who named no state), people by week and value with each week's total, the cells under
the threshold and those that would give them away suppressed (bot/statistics/suppression.py).

Only whole weeks are published (those the fold published, bot/statistics/fold.py), each
suppressed on its own (no totals across weeks): a published week never changes, nor does
what is shown of it, so exports of different days cannot be played against each other (the
week under way would tell, day by day, who came).

Every table of a kind is computed with all the others of that kind: the country's shows a
count only where every state's share of it is shown, so that no view, export or pair of
them tells a suppressed cell."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Dict, List, Optional, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.statistics import suppression
from bot.statistics.fold import monday, published_until
from bot.statistics.models import DailyCount

COUNTRY, NO_STATE = "", "nd"  # the places that are not a state's key
TOTAL = "total"


@dataclass(frozen=True)
class Table:
    """People by whole week (rows, Mondays) and value (columns), each week's total last;
    None: suppressed."""

    kind: str
    place: str
    weeks: List[date]
    values: List[str]
    cells: List[List[Optional[int]]]

    def rows(self) -> List[Tuple[str, str, Optional[int]]]:
        """(week, value or "total", people or None), the export's long form."""
        return [(week.isoformat(), value, self.cells[i][j]) for i, week in enumerate(self.weeks)
                for j, value in enumerate([*self.values, TOTAL])]


def _grids(session: Session, kind: str) -> Tuple[List[date], List[str], Dict[str, List[List[int]]]]:
    """The published weeks, the values seen in them and, per place that is a state or
    NO_STATE, its counts (nothing of a week not published, not even a value first seen in it)."""
    under_way = published_until(session)
    rows = session.execute(sa.select(DailyCount.day, DailyCount.state, DailyCount.value, DailyCount.people)
                           .where(DailyCount.kind == kind, DailyCount.day < under_way)).all() if under_way else []
    if not rows:
        return [], [], {}
    first = monday(min(row.day for row in rows))
    weeks = [first + timedelta(weeks=n) for n in range((under_way - first).days // 7)]
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
    hidden: Dict[str, List[Set[int]]] = defaultdict(list)
    for i in range(len(weeks)):  # each week on its own: a row and its total
        parts = {place: suppression.with_totals([grid[i]], len(values)) for place, grid in grids.items()}
        whole = suppression.with_totals([[sum(grid[i][j] for grid in grids.values()) for j in range(len(values))]],
                                        len(values))
        hidden_whole, hidden_parts = suppression.family(whole, parts, threshold)
        for place, cells in [(COUNTRY, hidden_whole), *hidden_parts.items()]:
            hidden[place].append({j for row, j in cells if row == 0})

    def table(place: str, grid: List[List[int]]) -> Table:
        cells = [[None if j in hidden[place][i] else value for j, value in enumerate([*row, sum(row)])]
                 for i, row in enumerate(grid)]
        return Table(kind, place, weeks, values, cells)

    country = [[sum(grid[i][j] for grid in grids.values()) for j in range(len(values))] for i in range(len(weeks))]
    return {COUNTRY: table(COUNTRY, country), **{place: table(place, grid) for place, grid in grids.items()}}


def of_place(session: Session, kind: str, place: str, threshold: int) -> Optional[Table]:
    """The table of a kind for one place; None when nothing of that kind is recorded at all.
    A place with no count of it has a table of zeros."""
    tables = published(session, kind, threshold)
    if not tables or place in tables:
        return tables.get(place)
    country = tables[COUNTRY]
    width = len(country.values) + 1
    return Table(kind, place, country.weeks, country.values, [[0] * width for _ in country.weeks])
