"""The errors that domain services raise, and that the edges translate.

    DomainError                  anything a user can be told about
    ├── NotFound                 no such object, or not visible to this member (API: 404)
    ├── NotPermitted             visible, but this role may not do it (API: 403)
    ├── NotAuthenticated         no valid session (API: 401)
    │   ├── DeviceRevoked        the phone app was revoked or locked out: it wipes itself
    │   └── WrongPin             a wrong PIN, with the tries left
    ├── ConsentRequired          the series lacks the consent this needs (API: 409)
    ├── Conflict                 the request clashes with the current state (API: 409)
    ├── InvalidInput             a field is malformed: CPR, taxonomy code, phase (API: 422)
    ├── InvalidImage             the bytes are not a photo we accept (photo rejected)
    ├── TooLarge                 an upload over the size limit (API: 413)
    ├── LinkClosed               an external upload link expired, revoked or used up (API: 410)
    └── Throttled                too many failed attempts; try again later (API: 429)

Each carries a message a clinician can read; none carries patient data. A message with values
in it is a `Wording`: the English text with %-placeholders, filled in only after the edge has
looked the text up in the reader's language (`counted` picks singular or plural by a count).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Wording:
    """A message id with %(name)s placeholders and their values; with a plural, values["count"]."""

    singular: str
    plural: str | None = None
    values: Mapping[str, object] = field(default_factory=dict)

    def english(self) -> str:
        count = self.values.get("count")
        text = self.plural if self.plural and count != 1 else self.singular
        return text % self.values if self.values else text


def worded(message: str, **values: object) -> Wording:
    return Wording(message, None, values)


def counted(singular: str, plural: str, count: int, **values: object) -> Wording:
    return Wording(singular, plural, {"count": count, **values})


class DomainError(Exception):
    """A failure whose message may be shown to the user as it is (`message` is the English)."""

    def __init__(self, message: str | Wording) -> None:
        self.wording = message if isinstance(message, Wording) else Wording(message)
        self.message = self.wording.english()
        super().__init__(self.message)


class NotFound(DomainError):
    pass


class NotPermitted(DomainError):
    pass


class NotAuthenticated(DomainError):
    pass


class DeviceRevoked(NotAuthenticated):
    pass


class ConsentRequired(DomainError):
    pass


class Conflict(DomainError):
    pass


class InvalidInput(DomainError):
    def __init__(self, message: str | Wording, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidImage(DomainError):
    pass


class TooLarge(DomainError):
    pass


class LinkClosed(DomainError):
    pass


class WrongPin(NotAuthenticated):
    """A wrong PIN on a phone app that may try again `tries_left` times."""

    def __init__(self, message: str | Wording, tries_left: int) -> None:
        super().__init__(message)
        self.tries_left = tries_left


class Throttled(DomainError):
    def __init__(self, message: str | Wording, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
