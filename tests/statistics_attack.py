"""What an attacker can work out of published tables: for each suppressed cell, the least
and greatest count the shown cells and every sum they take part in allow (linear
programming over counts of at least one, since zeros are shown). Shared by the suppression's and the pages' tests."""

from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from scipy.optimize import linprog

Shown = Sequence[Sequence[Optional[int]]]  # a table with its totals; None: suppressed
Key = Tuple[str, int, int]


def bounds(tables: Mapping[str, Shown], whole: Optional[str] = None, column_totals: bool = True,
           zeros: Optional[Mapping[str, Sequence[Sequence[bool]]]] = None,
           sums: Optional[Mapping[str, Sequence[str]]] = None,
           equal: Sequence[Tuple[Key, Key]] = ()) -> Dict[Key, Tuple[float, float]]:
    """(least, greatest) of every suppressed cell, by (table, row, column). Each table's rows
    add up to their last cell and, with `column_totals`, its columns to its last row; with
    `whole`, that table is the sum of the others, and each table named in `sums` the sum of
    the tables listed for it; each pair of cells in `equal` holds one count. A suppressed
    cell is at least one (zeros are shown), unless `zeros` (per table, like it) says it is
    zero: an attacker who knows that too."""
    unknown: List[Key] = [(name, i, j) for name, table in tables.items()
                          for i, row in enumerate(table) for j, cell in enumerate(row) if cell is None]
    if not unknown:
        return {}
    index = {key: n for n, key in enumerate(unknown)}
    equations: List[Tuple[Dict[int, float], float]] = []

    def equation(terms: List[Tuple[Key, float]]) -> None:
        row: Dict[int, float] = {}
        constant = 0.0
        for (name, i, j), sign in terms:
            value = tables[name][i][j]
            if value is None:
                row[index[(name, i, j)]] = row.get(index[(name, i, j)], 0) + sign
            else:
                constant -= sign * value
        if row:
            equations.append((row, constant))

    for name, table in tables.items():
        last_row, last_column = len(table) - 1, len(table[0]) - 1
        for i in range(last_row + 1):
            equation([((name, i, j), 1.0) for j in range(last_column)] + [((name, i, last_column), -1.0)])
        for j in range(last_column + 1 if column_totals else 0):
            equation([((name, i, j), 1.0) for i in range(last_row)] + [((name, last_row, j), -1.0)])
    wholes = {**({whole: [name for name in tables if name != whole]} if whole is not None else {}), **(sums or {})}
    for total, parts in wholes.items():
        for i, row in enumerate(tables[total]):
            for j in range(len(row)):
                equation([((name, i, j), 1.0) for name in parts] + [((total, i, j), -1.0)])
    for one, other in equal:
        equation([(one, 1.0), (other, -1.0)])
    a_eq = [[row.get(n, 0.0) for n in range(len(unknown))] for row, _ in equations]
    floors = [(0 if zeros and zeros[name][i][j] else 1, None) for name, i, j in unknown]
    b_eq = [constant for _, constant in equations]
    found = {}
    for key, n in index.items():
        objective = [0.0] * len(unknown)
        objective[n] = 1.0
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=floors, method="highs")
        objective[n] = -1.0
        high = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=floors, method="highs")
        found[key] = (low.fun, float("inf") if high.status == 3 else -high.fun)
    return found
