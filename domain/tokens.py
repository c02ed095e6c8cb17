"""Secrets handed out in cookies and links: random, and stored only as their SHA-256."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_plausible_token(token: str) -> bool:
    """Whether a token from a link could be one of ours (43 URL-safe characters)."""
    return len(token) == 43 and all(c.isalnum() or c in "-_" for c in token)
