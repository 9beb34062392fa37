"""Reply rendering: every text the assistant sends comes from the locales/ catalogues."""
