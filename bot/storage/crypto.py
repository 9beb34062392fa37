"""Encryption of personal data at rest (Fernet: AES-128-CBC with HMAC-SHA256).

Keys come from ORIENTA_DATA_KEYS, comma-separated: the first encrypts, all decrypt, so a
key is rotated by putting a new one first and re-encrypting (see README).
"""

from typing import Sequence

from cryptography.fernet import Fernet, MultiFernet


class Sealer:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("At least one data key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def seal_bytes(self, content: bytes) -> str:
        """A file (a received voice note or photo), sealed as text."""
        return self._fernet.encrypt(content).decode()

    def open_bytes(self, token: str) -> bytes:
        return self._fernet.decrypt(token.encode())

    def reseal(self, token: str) -> str:
        """The same plaintext under the current (first) key."""
        return self._fernet.rotate(token.encode()).decode()


def new_key() -> str:
    return Fernet.generate_key().decode()
