"""`python -m bot.simulator`: serves the phone simulator (started by `make run`)."""

import os

from bot.settings import Settings
from bot.simulator.app import create_app


def main() -> None:
    settings = Settings.from_env()
    port = int(os.environ.get("ORIENTA_SIMULATOR_PORT", "5006"))
    engine_port = os.environ.get("ORIENTA_PORT", "5005")
    app = create_app(
        webhook_url=f"http://localhost:{engine_port}/webhooks/twilio/webhook",
        public_url=f"http://127.0.0.1:{port}",  # the origin the engine and staff pages fetch media from
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
    )
    app.run(host="127.0.0.1", port=port, access_log=False)


if __name__ == "__main__":
    main()
