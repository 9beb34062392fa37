"""Messaging channels: how people's messages reach the dialogue engine and replies leave it."""
