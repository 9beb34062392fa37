"""How replies fared, as Twilio reported (/admin/delivery/): per channel, the share
delivered and the count of each status and error code, for administrators. Counts only:
no content, no number (bot/delivery/statuses.py)."""

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Tuple

from flask import Blueprint, current_app, render_template

from bot.delivery import statuses
from bot.storage.database import session_scope
from bot.web.auth import admin_required

blueprint = Blueprint("delivery", __name__, url_prefix="/admin/delivery")
DAYS = 7
DELIVERED = ("delivered", "read")


def summary(counts: List[Tuple[str, int, int]]) -> Dict[str, Any]:
    """A channel's totals: sent, delivered (or read), not delivered, and the share delivered."""
    sent = sum(count for _, _, count in counts)
    delivered = sum(count for status, _, count in counts if status in DELIVERED)
    not_delivered = sum(count for status, _, count in counts if status in statuses.NOT_DELIVERED)
    return {"sent": sent, "delivered": delivered, "not_delivered": not_delivered,
            "rate": round(100 * delivered / sent) if sent else 0}


@blueprint.route("/")
@admin_required
def index() -> str:
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        counts = statuses.report(db, datetime.now(timezone.utc) - timedelta(days=DAYS))
    channels = [(channel, summary(rows), rows) for channel, rows in counts.items()]
    return render_template("delivery.html", channels=channels, days=DAYS)
