"""nginx in front of several dialogue engines and action servers (production mode)."""
