"""The staff web application (Flask, server-rendered with Jinja2).

Sign-in for everyone; the inbox of handed-off conversations for staff; the directory, the
staff accounts and the recordings of replies for administrators; the translations, and the
recordings, of their language for reviewers. Sessions live in signed, HttpOnly, SameSite
cookies, each checked against its account on every request (signing out revokes them all); every
form carries a CSRF token (Flask-WTF); every response carries security headers.
"""

import os
from datetime import timedelta
from typing import Optional

from flask import Flask, Response
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from bot.storage.database import engine_for
from bot.settings import Settings, statistics_threshold
from bot.web import (audit_page, auth, delivery_page, desk_admin, directory_admin, inbox, recordings_page,
                     review_page, reviewers, staff_admin, statistics_page)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(settings: Settings, secret_key: str, secure_cookies: bool = False,
               whatsapp_template_sid: str = "") -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=6 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        WHATSAPP_TEMPLATE_SID=whatsapp_template_sid,
    )
    app.extensions["orienta_engine"] = engine_for(settings.database_url)
    app.extensions["orienta_settings"] = settings
    app.extensions["orienta_stats_threshold"] = statistics_threshold()
    CSRFProtect(app)

    login = LoginManager(app)
    login.login_view = "auth.sign_in"
    login.login_message = "Inicia sesión para continuar."
    login.session_protection = "strong"

    @login.user_loader
    def load_user(session_id: str) -> Optional[auth.SignedIn]:
        return auth.signed_in(app.extensions["orienta_engine"], session_id)

    @app.after_request
    def harden(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():  # a stricter header a view set stays
            response.headers.setdefault(name, value)
        return response

    app.register_blueprint(auth.blueprint)
    app.register_blueprint(directory_admin.blueprint)
    app.register_blueprint(inbox.blueprint)
    app.register_blueprint(staff_admin.blueprint)
    app.register_blueprint(audit_page.blueprint)
    app.register_blueprint(desk_admin.blueprint)
    app.register_blueprint(delivery_page.blueprint)
    app.register_blueprint(statistics_page.blueprint)
    app.register_blueprint(recordings_page.blueprint)
    app.register_blueprint(review_page.blueprint)
    app.before_request(reviewers.keep_out)
    return app


def create_app_from_env() -> Flask:
    return create_app(
        Settings.from_env(),
        secret_key=os.environ["ORIENTA_WEB_SECRET"],
        secure_cookies=os.environ.get("PUBLIC_URL", "").startswith("https://"),
        whatsapp_template_sid=os.environ.get("ORIENTA_WHATSAPP_TEMPLATE_SID", ""),
    )
