"""Disclosure control of published counts, pure: which cells of a table to hide.

A table is a grid of counts with its totals: the last column holds each row's total, the
last row each column's (the corner, the grand total). Every count of fewer people than the
threshold but some is hidden (primary suppression; a zero is no one and is shown), and more
are hidden (complementary suppression, the smallest first) until no hidden cell can be
worked out from what is shown. In the graph whose nodes are the rows and columns and whose
edges are the hidden cells, a hidden cell is worked out by the totals exactly when its edge
is a bridge; each bridge is closed into a cycle by the cheapest path of shown cells.

A family of tables adds up (the country's is the sum of the states'): the whole shows a
cell only where every part shows its share (`family`), so that the whole and its parts
side by side tell no more than the parts. (Hiding cells of the whole by its own totals
alone lets the two be played against each other: the property test found a case.)

Families whose parts of one name have equal totals (kinds counted of the same people: a
state's week has as many people by channel as by language) are suppressed `together`: a
total one hides is hidden in all, else the other's would tell it."""

import heapq
from typing import AbstractSet, Dict, List, Mapping, Optional, Sequence, Set, Tuple

Cell = Tuple[int, int]
Grid = Sequence[Sequence[int]]


def with_totals(counts: Grid, columns: int) -> List[List[int]]:
    """The grid with each row's total as a last column and the columns' totals as a last row."""
    rows = [[*row, sum(row)] for row in counts]
    return rows + [[sum(row[j] for row in rows) for j in range(columns + 1)]]


def _bridges(hidden: Set[Cell]) -> List[Cell]:
    """The hidden cells whose edge is a bridge of the rows-and-columns graph (Tarjan)."""
    neighbours: Dict[Tuple[str, int], List[Tuple[Tuple[str, int], Cell]]] = {}
    for cell in hidden:
        row, column = ("r", cell[0]), ("c", cell[1])
        neighbours.setdefault(row, []).append((column, cell))
        neighbours.setdefault(column, []).append((row, cell))
    order: Dict[Tuple[str, int], int] = {}
    low: Dict[Tuple[str, int], int] = {}
    found: List[Cell] = []
    for root in sorted(neighbours):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, None, iter(neighbours[root]))]
        while stack:
            node, via, edges = stack[-1]
            step = next(edges, None)
            if step is None:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
                continue
            other, cell = step
            if cell == via:
                continue
            if other in order:
                low[node] = min(low[node], order[other])
            else:
                order[other] = low[other] = len(order)
                stack.append((other, cell, iter(neighbours[other])))
    return sorted(found)


def _cycle_through(table: Grid, hidden: Set[Cell], bridge: Cell, zeros: bool) -> Optional[List[Cell]]:
    """The shown cells, smallest in sum, whose hiding closes a cycle through the bridge: the
    cheapest path from its row to its column over the other cells (hidden ones cost nothing),
    over zeros only if `zeros` (a zero cannot go lower: it hides less); None if there is none."""
    start, goal = ("r", bridge[0]), ("c", bridge[1])
    best: Dict[Tuple[str, int], int] = {start: 0}
    came: Dict[Tuple[str, int], Tuple[Tuple[str, int], Cell]] = {}
    queue = [(0, start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best[node]:
            continue
        kind, index = node
        cells = [(index, j) for j in range(len(table[0]))] if kind == "r" else [(i, index) for i in range(len(table))]
        for cell in cells:
            if cell == bridge or (not zeros and cell not in hidden and table[cell[0]][cell[1]] == 0):
                continue
            other = ("c", cell[1]) if kind == "r" else ("r", cell[0])
            step = cost + (0 if cell in hidden else table[cell[0]][cell[1]] + 1)
            if step < best.get(other, step + 1):
                best[other], came[other] = step, (node, cell)
                heapq.heappush(queue, (step, other))
    if goal not in came:
        return None
    path, node = [], goal
    while node != start:
        node, cell = came[node]
        path.append(cell)
    return [cell for cell in path if cell not in hidden]


def _too_narrow(table: Grid, hidden: Set[Cell], threshold: int) -> Optional[Cell]:
    """A shown cell to hide where a line (a row or a column, its total last, shown) hides k
    counts adding up to s with s - (k - 1) < threshold: since a shown zero tells that every
    hidden count is at least one, each would be known to be fewer than the threshold. The
    line's smallest shown count, else its total; None when no line is so narrow."""
    rows, columns = len(table), len(table[0])
    lines = [[(i, j) for j in range(columns)] for i in range(rows)] + \
            [[(i, j) for i in range(rows)] for j in range(columns)]
    for *inner, total in lines:
        secret = [cell for cell in inner if cell in hidden]
        if total in hidden or not secret:
            continue
        if sum(table[i][j] for i, j in secret) - (len(secret) - 1) < threshold:
            shown = [cell for cell in inner if cell not in hidden and table[cell[0]][cell[1]] > 0]
            return min(shown, key=lambda cell: table[cell[0]][cell[1]]) if shown else total
    return None


def suppress(table: Grid, threshold: int, forced: AbstractSet[Cell] = frozenset()) -> Set[Cell]:
    """The cells to hide in a table with its totals: the counts of fewer people than
    `threshold` (a zero is no one: shown) and the `forced` ones, and enough more that none of
    them follows from the rest — not even with the knowledge that no count is negative, since
    every hidden cell on a cycle of non-zero counts can be one more or one less — nor is known
    to be under the threshold from a line's total, since each hidden count is at least one
    (`_too_narrow`)."""
    hidden = {(i, j) for i, row in enumerate(table) for j, value in enumerate(row) if 0 < value < threshold}
    hidden |= set(forced)
    while True:
        bridges = _bridges(hidden)
        if not bridges:
            widen = _too_narrow(table, hidden, threshold)
            if widen is None:
                return hidden
            hidden.add(widen)
            continue
        path = _cycle_through(table, hidden, bridges[0], zeros=False)
        path = path if path is not None else _cycle_through(table, hidden, bridges[0], zeros=True)
        if path is None:  # a table of one row or column, without its totals: nothing can be shown
            return {(i, j) for i, row in enumerate(table) for j in range(len(row))}
        hidden.update(path)


def family(whole: Grid, parts: Mapping[str, Grid], threshold: int,
           forced: Optional[Mapping[str, AbstractSet[Cell]]] = None) -> Tuple[Set[Cell], Dict[str, Set[Cell]]]:
    """The hidden cells of a whole table and of the parts it adds up from (same shape): each
    part's own (with its `forced` ones), and in the whole every cell of which some part hides
    its share — a shown cell of the whole is then the sum of shown cells, and tells nothing
    the parts do not."""
    hidden = {name: suppress(grid, threshold, (forced or {}).get(name, frozenset())) for name, grid in parts.items()}
    hidden_whole = {(i, j) for i, row in enumerate(whole) for j in range(len(row))
                    if not parts or any((i, j) in cells for cells in hidden.values())}
    return hidden_whole, hidden


Family = Tuple[Grid, Mapping[str, Grid]]  # a whole and its parts


def together(families: Mapping[str, Family], threshold: int) -> Dict[str, Tuple[Set[Cell], Dict[str, Set[Cell]]]]:
    """The hidden cells of families of one-row tables with their totals (`with_totals` of one
    row) whose parts of one name have equal totals: a part's total hidden in one family is
    hidden in every one, and their suppression runs again until none hides another."""
    total = {name: (0, len(whole[0]) - 1) for name, (whole, _) in families.items()}  # each family's total cell
    totals: Set[str] = set()
    while True:
        found = {name: family(whole, parts, threshold, {part: {total[name]} for part in totals})
                 for name, (whole, parts) in families.items()}
        more = {part for name, (_, hidden) in found.items() for part, cells in hidden.items()
                if total[name] in cells} - totals
        if not more:
            return found
        totals |= more
