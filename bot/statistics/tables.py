"""The published tables: for one kind of count and one place (the country, a state, or the
people who named no state), people by week and value with each week's total, the cells under
the threshold and those that would give them away suppressed (bot/statistics/suppression.py).

Only whole weeks are published (those the fold published, bot/statistics/fold.py), each
suppressed on its own (no totals across weeks): a published week never changes, nor does
what is shown of it, so exports of different days cannot be played against each other (the
week under way would tell, day by day, who came).

Every table of a kind is computed with all the others of that kind: the country's shows a
count only where every state's share of it is shown, so that no view, export or pair of
them tells a suppressed cell. Kinds counted of the same people (record.SAME_PEOPLE) have
equal totals in each place and week, so they are computed together: a total one of them
hides is hidden in all of them, and their suppression runs again until none hides more.
Every table of a kind has the same columns (bot/statistics/values.py) and weeks (from the
first week anything was counted), whatever was counted where."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Dict, List, Optional, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.statistics import record, suppression, values
from bot.statistics.fold import monday, published_until
from bot.statistics.models import DailyCount

COUNTRY, NO_STATE = "", "nd"  # the places that are not a state's key
TOTAL = "total"
Grids = Dict[str, List[List[int]]]  # per place that is a state or NO_STATE: people by week and column


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


def _weeks(session: Session) -> List[date]:
    """The published weeks, from the first with any count (nothing of a week not published)."""
    under_way = published_until(session)
    first = session.scalar(sa.select(sa.func.min(DailyCount.day)).where(DailyCount.day < under_way)) \
        if under_way else None
    if first is None:
        return []
    start = monday(first)
    return [start + timedelta(weeks=n) for n in range((under_way - start).days // 7)]


def _grids(session: Session, kind: str, weeks: List[date]) -> Grids:
    """A kind's counts in the published weeks, by place, week and column."""
    columns = values.columns(kind)
    rows = session.execute(sa.select(DailyCount.day, DailyCount.state, DailyCount.value, DailyCount.people)
                           .where(DailyCount.kind == kind, DailyCount.day >= weeks[0],
                                  DailyCount.day < weeks[-1] + timedelta(weeks=1))).all()
    counts: Dict[str, Dict[Tuple[date, str], int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row.state or NO_STATE][(monday(row.day), values.column(kind, row.value))] += row.people
    return {place: [[cells[(week, value)] for value in columns] for week in weeks] for place, cells in counts.items()}


def _together(session: Session, kinds: Tuple[str, ...], threshold: int) -> Dict[str, Dict[str, Table]]:
    """Every table of kinds with equal totals, by kind and place."""
    weeks = _weeks(session)
    if not weeks:
        return {}
    widths = {kind: len(values.columns(kind)) for kind in kinds}
    counted = {kind: _grids(session, kind, weeks) for kind in kinds}
    places = sorted({place for grids in counted.values() for place in grids})
    grids = {kind: {place: counted[kind].get(place) or [[0] * widths[kind] for _ in weeks] for place in places}
             for kind in kinds}
    country = {kind: [[sum(grid[i][j] for grid in grids[kind].values()) for j in range(widths[kind])]
                      for i in range(len(weeks))] for kind in kinds}
    hidden: Dict[str, Dict[str, List[Set[int]]]] = {kind: defaultdict(list) for kind in kinds}
    for week in range(len(weeks)):  # each week on its own: a row and its total
        families = {kind: (suppression.with_totals([country[kind][week]], widths[kind]),
                           {place: suppression.with_totals([grid[week]], widths[kind])
                            for place, grid in grids[kind].items()}) for kind in kinds}
        for kind, (hidden_whole, hidden_parts) in suppression.together(families, threshold).items():
            for place, cells in [(COUNTRY, hidden_whole), *hidden_parts.items()]:
                hidden[kind][place].append({j for row, j in cells if row == 0})

    def table(kind: str, place: str, grid: List[List[int]]) -> Table:
        cells = [[None if j in hidden[kind][place][i] else value for j, value in enumerate([*row, sum(row)])]
                 for i, row in enumerate(grid)]
        return Table(kind, place, weeks, list(values.columns(kind)), cells)

    return {kind: {COUNTRY: table(kind, COUNTRY, country[kind]),
                   **{place: table(kind, place, grid) for place, grid in grids[kind].items()}} for kind in kinds}


def published(session: Session, kind: str, threshold: int) -> Dict[str, Table]:
    """Every table of a kind, by place (COUNTRY, NO_STATE, or a state's key)."""
    group = next((kinds for kinds in record.SAME_PEOPLE if kind in kinds), (kind,))
    return _together(session, group, threshold).get(kind, {})


def of_place(session: Session, kind: str, place: str, threshold: int) -> Optional[Table]:
    """The table of a kind for one place; None before a week with any count is published.
    A place with no count of it has a table of zeros."""
    tables = published(session, kind, threshold)
    if not tables or place in tables:
        return tables.get(place)
    country = tables[COUNTRY]
    width = len(country.values) + 1
    return Table(kind, place, country.weeks, country.values, [[0] * width for _ in country.weeks])
