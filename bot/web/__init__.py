"""The staff web pages: the directory administration (and the inbox)."""
