"""Personal data at rest: ID numbers encrypted with Fernet, plus a keyed hash for exact search."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=1)
def _key() -> bytes:
    """FIELD_ENCRYPTION_KEY if set, else a key derived from SECRET_KEY (so local runs work out of the box)."""
    if settings.FIELD_ENCRYPTION_KEY:
        return settings.FIELD_ENCRYPTION_KEY.encode()
    digest = hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


def encrypt(value: str) -> str:
    """Encrypt a short secret (an ID number) for storage; empty stays empty."""
    if not value:
        return ""
    return Fernet(_key()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored secret; an unreadable value decrypts to empty rather than failing a page."""
    if not token:
        return ""
    try:
        return Fernet(_key()).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def lookup_hash(value: str) -> str:
    """A keyed hash of a normalised value, so equal values can be found without decrypting anything."""
    if not value:
        return ""
    return hmac.new(_key(), value.encode(), hashlib.sha256).hexdigest()
