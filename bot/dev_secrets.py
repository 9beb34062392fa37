"""Secrets for running on one machine with the phone simulator instead of Twilio.

Generated once into `<var>/dev-secrets.env` (never committed) so that conversations stay
readable across restarts. A deployment sets its own keys in the environment instead.
"""

import os
import secrets
from pathlib import Path
from typing import Dict

from bot.simulator.twilio_form import SMS_NUMBER
from bot.storage.crypto import new_key

FILE_NAME = "dev-secrets.env"
DEV_ADMIN = "admin"
DEV_ADMIN_PASSWORD = "ORIENTA_DEV_ADMIN_PASSWORD"  # the development administrator's password
DEV_STAFF = "equipo"
DEV_STAFF_PASSWORD = "ORIENTA_DEV_STAFF_PASSWORD"  # the development staff member's password
DEV_STAFF_SWITCH = "ORIENTA_DEV_STAFF"  # "on" (as `make run` sets it): a staff account for the first observatory
ACTIONS_TOKEN = "ORIENTA_ACTIONS_TOKEN"  # what the action servers require of the engines


def _generate() -> Dict[str, str]:
    return {
        "ORIENTA_DATA_KEYS": new_key(),
        "ORIENTA_SENDER_KEY": secrets.token_hex(32),
        "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "ORIENTA_WEB_SECRET": secrets.token_hex(32),
        DEV_ADMIN_PASSWORD: secrets.token_urlsafe(12),
        DEV_STAFF_PASSWORD: secrets.token_urlsafe(12),
        ACTIONS_TOKEN: secrets.token_urlsafe(32),
    }


def load_or_create(folder: Path) -> Dict[str, str]:
    """The stored secrets, generating (and storing) any that are missing."""
    path = folder / FILE_NAME
    path.touch(mode=0o600)
    stored = dict(line.split("=", 1) for line in path.read_text().split())
    missing = {name: value for name, value in _generate().items() if name not in stored}
    if missing:
        with path.open("a") as handle:
            handle.write("".join(f"{name}={value}\n" for name, value in missing.items()))
    return {**stored, **missing}


def simulator_environment(folder: Path, simulator_port: int) -> Dict[str, str]:
    """The simulator's Twilio credentials, and keys unless the environment has its own."""
    stored = load_or_create(folder)
    environment = {name: value for name, value in stored.items() if not os.environ.get(name)}
    environment["TWILIO_ACCOUNT_SID"] = stored["TWILIO_ACCOUNT_SID"]
    environment["TWILIO_AUTH_TOKEN"] = stored["TWILIO_AUTH_TOKEN"]
    environment["ORIENTA_TWILIO_API_URL"] = f"http://127.0.0.1:{simulator_port}"
    # SMS alerts to staff, and danger replies WhatsApp did not deliver, come from the
    # simulator's SMS number (bot/handoff/staff_texts.py, bot/delivery/statuses.py).
    for name in ("ORIENTA_STAFF_ALERT_FROM", "ORIENTA_SMS_FROM"):
        if not os.environ.get(name):
            environment[name] = SMS_NUMBER
    return environment
