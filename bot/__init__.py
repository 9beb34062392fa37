"""Orienta: everything that runs beside the dialogue engine (channels, replies, storage)."""
