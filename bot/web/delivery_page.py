"""How replies fared, as Twilio reported (/admin/delivery/): per channel, the share
delivered and the count of each status and error code, staff alerts counted apart; and
what still waits to be deleted from Twilio (bot/delivery/purge.py), so an administrator
sees when Twilio keeps copies. For administrators. Counts only: no content, no number, no
Twilio id (bot/delivery/statuses.py)."""

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

from flask import Blueprint, current_app, render_template

from bot.delivery import purge, statuses
from bot.storage.database import session_scope
from bot.web.auth import admin_required

blueprint = Blueprint("delivery", __name__, url_prefix="/admin/delivery")
DAYS = 7
DELIVERED = ("delivered", "read")
# How an age is said: in the largest of these units it reaches.
UNITS = ((timedelta(days=1), "día", "días"), (timedelta(hours=1), "hora", "horas"),
         (timedelta(minutes=1), "minuto", "minutos"))


def summary(counts: List[Tuple[str, int, int]]) -> Dict[str, Any]:
    """A channel's totals: sent, delivered (or read), not delivered, and the share delivered."""
    sent = sum(count for _, _, count in counts)
    delivered = sum(count for status, _, count in counts if status in DELIVERED)
    not_delivered = sum(count for status, _, count in counts if status in statuses.NOT_DELIVERED)
    return {"sent": sent, "delivered": delivered, "not_delivered": not_delivered,
            "rate": round(100 * delivered / sent) if sent else 0}


def age(since: Optional[datetime], now: datetime) -> str:
    """How long ago `since` was, in Spanish ("" for none): "3 horas", "menos de un minuto"."""
    if since is None:
        return ""
    elapsed = now - since
    for unit, one, many in UNITS:
        if elapsed >= unit:
            number = int(elapsed / unit)
            return f"{number} {one if number == 1 else many}"
    return "menos de un minuto"


@blueprint.route("/")
@admin_required
def index() -> str:
    now = datetime.now(timezone.utc)
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        counts = statuses.report(db, now - timedelta(days=DAYS))
        deletions = purge.backlog(db)
    channels = [(channel, summary(rows), rows) for channel, rows in counts.items()]
    return render_template("delivery.html", channels=channels, days=DAYS, deletions=deletions,
                           oldest=age(deletions.oldest, now))
