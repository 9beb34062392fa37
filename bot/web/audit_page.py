"""The staff audit as administrators read it: a table in Spanish of who did what, when, to
which case or account (no victim content: cases are their random reference)."""

from typing import Any, Dict, List

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from sqlalchemy.orm import aliased

from bot.handoff.models import StaffAudit
from bot.storage.database import session_scope
from bot.web.auth import admin_required
from bot.web.models import User

blueprint = Blueprint("audit", __name__, url_prefix="/admin/audit")
SHOWN = 500  # the latest rows
ACTIONS = {
    "claim": "Tomó la conversación", "reveal": "Mostró los datos personales", "reply": "Respondió",
    "transfer": "Transfirió a otro observatorio", "close": "Cerró la conversación", "media": "Abrió un archivo",
    "release": "Devolvió la conversación a la cola", "create": "Creó la cuenta",
    "deactivate": "Desactivó la cuenta", "reactivate": "Reactivó la cuenta",
    "reset_password": "Restableció la contraseña", "change_role": "Cambió el rol",
    "change_observatory": "Cambió el observatorio", "change_email": "Cambió el correo de avisos",
    "change_alert_phone": "Cambió el teléfono de avisos", "escalate": "Pasó a la mesa nacional (sin atender)",
    "national_desk": "Cambió la mesa nacional",
    "recording_upload": "Subió una grabación", "recording_approve": "Aprobó una grabación",
    "recording_reject": "Rechazó una grabación", "recording_withdraw": "Retiró una grabación",
    "translation_draft": "Guardó un borrador de traducción", "translation_publish": "Publicó una traducción revisada",
    "translation_import": "Importó una traducción revisada",
}
COMMAND_LINE = "línea de comandos"
SWEEP = "Orienta (automático)"  # an escalation: no one did it


def entries(db: Any, limit: int = SHOWN) -> List[Dict[str, str]]:
    """The latest audit rows, newest first, in the words the page shows."""
    author, account = aliased(User), aliased(User)
    rows = db.execute(
        sa.select(StaffAudit.at, StaffAudit.action, StaffAudit.case_ref, StaffAudit.detail,
                  author.username, account.username)
        .outerjoin(author, author.id == StaffAudit.user_id)
        .outerjoin(account, account.id == StaffAudit.target_user_id)
        .order_by(StaffAudit.at.desc(), StaffAudit.id.desc()).limit(limit))
    return [{"at": at.strftime("%Y-%m-%d %H:%M:%S"), "who": who or (SWEEP if action == "escalate" else COMMAND_LINE),
             "what": ACTIONS.get(action, action),
             "about": ", ".join(filter(None, (case_ref and f"caso {case_ref}", whose and f"cuenta {whose}"))) or "—",
             "detail": detail or ""}
            for at, action, case_ref, detail, who, whose in rows]


@blueprint.route("/")
@admin_required
def index() -> str:
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        return render_template("staff_audit.html", entries=entries(db), shown=SHOWN)
