"""A member's own settings: the portal language, kept on the user row."""

from domain.audit import record
from domain.errors import InvalidInput
from domain.model import Principal
from domain.ports import Ports

LANGUAGES = ("da", "en")


async def set_language(ports: Ports, principal: Principal, language: str | None) -> None:
    """Choose "da" or "en", or None to follow the browser."""
    if language is not None and language not in LANGUAGES:
        raise InvalidInput("Choose Danish or English.", field="language")
    await ports.accounts.set_language(principal.user.id, language)
    await record(
        ports, principal, "user.set_language", object_type="user", object_id=principal.user.id
    )
