"""The errors that domain services raise, and that the edges translate.

    DomainError                  anything a user can be told about
    ├── NotFound                 no such object, or not visible to this member (API: 404)
    ├── NotPermitted             visible, but this role may not do it (API: 403)
    ├── NotAuthenticated         no valid session (API: 401)
    │   └── DeviceRevoked        the phone app was revoked or locked out: it wipes itself
    ├── ConsentRequired          the series lacks the consent this needs (API: 409)
    ├── Conflict                 the request clashes with the current state (API: 409)
    ├── InvalidInput             a field is malformed: CPR, taxonomy code, phase (API: 422)
    ├── InvalidImage             the bytes are not a photo we accept (photo rejected)
    ├── TooLarge                 an upload over the size limit (API: 413)
    ├── LinkClosed               an external upload link expired, revoked or used up (API: 410)
    └── Throttled                too many failed attempts; try again later (API: 429)

Each carries a message a clinician can read; none carries patient data.
"""


class DomainError(Exception):
    """A failure whose message may be shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidImage(DomainError):
    pass


class TooLarge(DomainError):
    pass


class LinkClosed(DomainError):
    pass


class Throttled(DomainError):
    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
