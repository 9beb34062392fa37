"""`python -m bot.web`: serves the staff pages with waitress (started by `make run`)."""

import os

import bot.without_tensorflow  # noqa: F401 (first: see the module)
from waitress import serve

from bot.web.app import create_app_from_env

if __name__ == "__main__":
    serve(create_app_from_env(), host=os.environ.get("ORIENTA_HOST", "127.0.0.1"),
          port=int(os.environ.get("ORIENTA_WEB_PORT", "5007")), ident="", threads=8)
