"""Estadísticas: what people ask, for the observatories — their own state for staff, the
whole country or any state for administrators — as a page with charts, CSV and JSON, every
count of fewer people than ORIENTA_STATS_MIN_PEOPLE suppressed (bot/statistics/tables.py)."""

import csv
import io
import json
from typing import Any, Dict, List, Optional, Tuple

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required

from bot.directory.catalogue import catalogue
from bot.directory.models import Organisation
from bot.guidance.content import guidance
from bot.languages import OFFERED_LANGUAGES
from bot.statistics import charts, record, tables, values
from bot.storage.database import session_scope
from bot.web.labels import label, language

blueprint = Blueprint("statistics", __name__, url_prefix="/estadisticas")
COLUMNS = ("semana", "valor", "nombre", "personas", "suprimido")  # the CSV's, README "Statistics"


def value_label(kind: str, value: str) -> str:
    """A value's name in Spanish."""
    named = {**guidance().crimes, **guidance().situations}.get(value) if kind == "crime" else None
    if named:
        return named["label"]
    if kind == "language" and value in OFFERED_LANGUAGES:
        return language(value)
    if kind == "help" and value not in (values.NOT_FOUND, tables.TOTAL):
        return label(value, "kind")
    return label(value, "stat_value")


def place_label(place: str) -> str:
    if place == tables.COUNTRY:
        return "Todo el país"
    return "Sin estado dicho" if place == tables.NO_STATE else catalogue().states.get(place, place)


def _asked() -> Tuple[str, str]:
    """The kind and place asked for: staff always get their observatory's state (a national
    desk without one: the people who named no state, whose handoffs it takes)."""
    kind = request.args.get("medida", "topic")
    if kind not in record.KINDS:
        abort(404)
    if current_user.is_admin:
        place = request.args.get("estado", tables.COUNTRY)
        if place not in (tables.COUNTRY, tables.NO_STATE, *catalogue().states):
            abort(404)
        return kind, place
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        observatory = db.get(Organisation, current_user.observatory_id)
        if observatory is None:
            abort(403)
        return kind, observatory.state_key or tables.NO_STATE


def _table(kind: str, place: str) -> Optional[tables.Table]:
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        return tables.of_place(db, kind, place, current_app.extensions["orienta_stats_threshold"])


def _records(table: Optional[tables.Table]) -> List[Dict[str, Any]]:
    """The export's rows: week, value, its name, people (None when suppressed) and the flag."""
    return [{"semana": week, "valor": value, "nombre": value_label(table.kind, value), "personas": people,
             "suprimido": people is None} for week, value, people in (table.rows() if table else [])]


@blueprint.route("/")
@login_required
def index() -> str:
    kind, place = _asked()
    table, help_table = _table(kind, place), _table("help", place)
    figures = []
    if table:
        weeks = [week.isoformat() for week in table.weeks]
        figures.append(charts.weekly(f"{label(kind, 'stat_kind')}: personas por semana", weeks,
                                     [row[-1] for row in table.cells]))
        figures.append(charts.by_value(f"{label(kind, 'stat_kind')}: semana del {weeks[-1]}",
                                       [value_label(kind, v) for v in table.values], table.cells[-1][:-1]))
    if help_table:
        column = help_table.values.index(values.NOT_FOUND)
        figures.append(charts.weekly("Necesidades sin atender: no encontró ayuda cerca",
                                     [week.isoformat() for week in help_table.weeks],
                                     [row[column] for row in help_table.cells]))
    return render_template("statistics.html", table=table, kind=kind, place=place, figures=figures,
                           kinds=record.KINDS, places=_places(), value_label=value_label,
                           place_name=place_label(place), threshold=current_app.extensions["orienta_stats_threshold"])


def _places() -> List[Tuple[str, str]]:
    """The places an account may choose (administrators only)."""
    if not current_user.is_admin:
        return []
    return [(key, place_label(key)) for key in (tables.COUNTRY, *sorted(catalogue().states), tables.NO_STATE)]


@blueprint.route("/datos.csv")
@login_required
def export_csv() -> Response:
    kind, place = _asked()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in _records(_table(kind, place)):
        writer.writerow([row["semana"], row["valor"], row["nombre"],
                         "" if row["personas"] is None else row["personas"], "sí" if row["suprimido"] else "no"])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=orienta-{kind}-{place or 'mx'}.csv"})


@blueprint.route("/datos.json")
@login_required
def export_json() -> Response:
    kind, place = _asked()
    body = {"medida": kind, "estado": place or None, "granularidad": "semana",
            "minimo_personas": current_app.extensions["orienta_stats_threshold"],
            "filas": _records(_table(kind, place))}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
