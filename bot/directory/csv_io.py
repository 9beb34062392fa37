"""The directory as CSV: export, and all-or-nothing import with a per-row report.

`python -m bot.directory.csv_io export FILE` and `python -m bot.directory.csv_io import FILE
--actor NAME` do from the command line what the web admin does. An import applies nothing
if any row is wrong; re-importing an export changes nothing. Cells a spreadsheet would run
as a formula are written with a leading quote (OWASP's advice) and read back without it.
"""

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Set, Tuple

from sqlalchemy.orm import Session

from bot.directory import repository
from bot.directory.models import Organisation
from bot.directory.validation import FIELDS, validate
from bot.settings import database_url
from bot.storage.database import engine_for, session_scope

COLUMNS = ("id", *FIELDS)
MAX_BYTES = 5 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a negative number (a longitude) is no formula


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: List[Tuple[int, str, str]] = field(default_factory=list)  # (line, field, message)

    @property
    def applied(self) -> bool:
        return not self.errors


def _formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text)


def neutralised(text: str) -> str:
    """The text as a cell no spreadsheet runs: a quote before what could start a formula,
    also when quotes already lead it, so that `restored` gives back exactly the text."""
    return "'" + text if _formula_like(text.lstrip("'")) else text


def restored(cell: str) -> str:
    """The text `neutralised` wrote into the cell."""
    return cell[1:] if cell.startswith("'") and _formula_like(cell.lstrip("'")) else cell


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sí" if value else "no"
    return neutralised(value.isoformat() if hasattr(value, "isoformat") else str(value))


def export(session: Session) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for organisation in repository.all_organisations(session):
        record = repository.as_record(organisation)
        writer.writerow([organisation.id, *(_cell(record[name]) for name in FIELDS)])
    return out.getvalue()


def _rows(data: bytes, report: ImportReport) -> List[Tuple[int, Dict[str, str]]]:
    if len(data) > MAX_BYTES:
        report.errors.append((0, "", f"El archivo pasa de {MAX_BYTES // 1024 // 1024} MB."))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append((0, "", "El archivo no es texto UTF-8."))
        return []
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        report.errors.append((1, "", f"Las columnas deben ser, en orden: {','.join(COLUMNS)}."))
        return []
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        report.errors.append((reader.line_num, "", f"CSV mal formado: {error}."))
        return []


def import_csv(session: Session, actor: str, data: bytes) -> ImportReport:
    """Validates every row first; applies all of them only if none is wrong."""
    report = ImportReport()
    rows = _rows(data, report)
    checked_rows = []
    seen: Set[int] = set()
    for line, row in rows:
        if None in row or any(value is None for value in row.values()):
            report.errors.append((line, "", "Número de columnas distinto del encabezado."))
            continue
        row = {name: restored(value) for name, value in row.items()}
        organisation_id = None
        if row["id"].strip():
            try:
                organisation_id = int(row["id"])
            except ValueError:
                report.errors.append((line, "id", "El id debe ser un número (o vacío para una nueva)."))
                continue
            if organisation_id in seen:
                report.errors.append((line, "id", "Id repetido en el archivo."))
            elif session.get(Organisation, organisation_id) is None:
                report.errors.append((line, "id", "No existe una organización con ese id."))
            seen.add(organisation_id)
        checked = validate(row)
        report.errors.extend((line, name, message) for name, message in checked.errors)
        checked_rows.append((organisation_id, checked.values))
    if report.errors:
        return report
    for organisation_id, values in checked_rows:
        changed = repository.save(session, actor, values, organisation_id)
        if changed is None:
            report.unchanged += 1
        elif organisation_id is None:
            report.created += 1
        else:
            report.updated += 1
    return report


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("export", "import"))
    parser.add_argument("file")
    parser.add_argument("--actor", default="command line", help="who is importing (for the audit log)")
    arguments = parser.parse_args(argv)
    with session_scope(engine_for(database_url())) as session:
        if arguments.command == "export":
            with open(arguments.file, "w", encoding="utf-8", newline="") as handle:
                handle.write(export(session))
            return 0
        with open(arguments.file, "rb") as handle:
            report = import_csv(session, arguments.actor, handle.read())
    for line, name, message in report.errors:
        print(f"line {line}: {name or '-'}: {message}", file=sys.stderr)
    print(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
          if report.applied else "Nothing imported.")
    return 0 if report.applied else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
