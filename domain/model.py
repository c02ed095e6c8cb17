"""The things Sutura knows about, as plain frozen dataclasses (see the glossary in README.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from domain.cpr import Cpr


class Role(StrEnum):
    CLINICIAN = "clinician"
    SECRETARY = "secretary"
    CLUSTER_ADMIN = "cluster_admin"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Scope(StrEnum):
    """What a consent allows photos of a series to be used for."""

    CLINICAL = "clinical_documentation"
    TEACHING = "teaching"
    RESEARCH = "research"
    PUBLICATION = "publication"


class GivenBy(StrEnum):
    PATIENT = "patient"
    GUARDIAN = "parent_or_guardian"
    NEXT_OF_KIN = "next_of_kin"


class ConsentMethod(StrEnum):
    VERBAL = "verbal"
    SIGNED_ON_PAPER = "signed_on_paper"
    SIGNED_ON_SCREEN = "signed_on_screen"


class PhotoStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    READY = "ready"
    REJECTED = "rejected"
    DESTROYED = "destroyed"  # keys and blobs destroyed at the end of the retention period


class Variant(StrEnum):
    """Stored forms of a photo. UPLOAD is the bytes as received, kept only until processed."""

    UPLOAD = "upload"
    ORIGINAL = "original"
    PREVIEW = "preview"
    THUMBNAIL = "thumbnail"


SERVED_VARIANTS = (Variant.ORIGINAL, Variant.PREVIEW, Variant.THUMBNAIL)


@dataclass(frozen=True)
class Cluster:
    id: UUID
    name: str


@dataclass(frozen=True)
class User:
    id: UUID
    email: str
    display_name: str
    is_system_admin: bool
    is_active: bool
    language: str | None = None  # "da" or "en"; None: follow the browser


@dataclass(frozen=True)
class Principal:
    """A signed-in user as seen by one request: who, through which session, with which roles."""

    user: User
    session_id: str
    memberships: Mapping[UUID, Role] = field(default_factory=dict)

    def role_in(self, cluster_id: UUID) -> Role | None:
        return self.memberships.get(cluster_id)


@dataclass(frozen=True)
class Patient:
    id: UUID
    cluster_id: UUID
    name: str
    cpr: Cpr | None
    birth_date: date | None
    sex: Sex | None
    created_at: datetime
    is_acute: bool = False  # unidentified: `name` holds the temporary label, no CPR
    merged_into: UUID | None = None


@dataclass(frozen=True)
class Consent:
    id: UUID
    series_id: UUID
    scope: Scope
    given_by: GivenBy
    method: ConsentMethod
    recorded_by: UUID
    recorded_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: UUID | None = None
    withdrawal_reason: str | None = None
    withdrawal_channel: str | None = None

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class Series:
    id: UUID
    patient_id: UUID
    cluster_id: UUID
    body_site_id: str
    side: str | None
    diagnosis_codes: tuple[str, ...]
    procedure_codes: tuple[str, ...]
    title: str | None
    created_by: UUID
    created_at: datetime
    consents: tuple[Consent, ...] = ()
    is_acute: bool = False

    def has_consent(self, scope: Scope) -> bool:
        return any(c.scope == scope and c.is_active for c in self.consents)

    @property
    def is_withdrawn(self) -> bool:
        """Clinical documentation was consented to and then withdrawn, with none active now."""
        clinical = [c for c in self.consents if c.scope == Scope.CLINICAL]
        return bool(clinical) and not any(c.is_active for c in clinical)

    @property
    def clinical_withdrawal(self) -> Consent | None:
        withdrawn = [c for c in self.consents if c.scope == Scope.CLINICAL and not c.is_active]
        return max(withdrawn, key=lambda c: c.withdrawn_at or c.recorded_at) if withdrawn else None


@dataclass(frozen=True)
class Photo:
    id: UUID
    series_id: UUID | None  # None while an external upload waits unfiled in the inbox
    cluster_id: UUID
    phase: str
    view_id: str
    captured_at: datetime | None
    received_at: datetime
    captured_by: UUID
    client_id: str
    status: PhotoStatus
    reject_reason: str | None
    width: int | None
    height: int | None
    sha256: str
    size_bytes: int
    content_types: Mapping[Variant, str] = field(default_factory=dict)
    external_invite_id: UUID | None = None  # sent through an external upload link


@dataclass(frozen=True)
class AuditEvent:
    action: str  # e.g. "photo.view", "consent.record", "auth.sign_in"
    outcome: str  # "ok", "denied", "failed"
    actor_id: UUID | None
    cluster_id: UUID | None = None
    object_type: str | None = None
    object_id: str | None = None


@dataclass(frozen=True)
class Device:
    """An installed phone app of one user; revoking it ends its sessions and wipes it."""

    id: UUID
    user_id: UUID
    label: str
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    has_pin: bool
    pin_failures: int
    passkey_count: int = 0

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class Client:
    """Where a request comes from, as far as the server can tell (for throttling and sessions)."""

    address: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class Mail:
    """An email to send. It never carries CPR numbers or health data."""

    to: str
    subject: str
    body: str
    about: str | None = None  # what the mail is for ("external_invite:<id>"), noted once sent


@dataclass(frozen=True)
class SessionInfo:
    """A live session as its owner sees it in the list of devices."""

    id: UUID
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    client_address: str
    is_current: bool = False


@dataclass(frozen=True)
class Member:
    user: User
    role: Role


@dataclass(frozen=True)
class Invitation:
    id: UUID
    email: str
    cluster_id: UUID
    role: Role
    invited_by: UUID | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None
    renewal_asked_at: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: UUID | None
    cluster_id: UUID | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str


@dataclass(frozen=True)
class AuditQuery:
    """Which audit entries to list: all filters are optional; newest first, before an id."""

    cluster_id: UUID | None = None
    action: str | None = None
    actor_id: UUID | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 100


class InviteState(StrEnum):
    """Where an external upload link stands, as its inviter sees it."""

    SENT = "sent"
    OPENED = "opened"
    RECEIVING = "files_received"
    FULL = "full"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class ExternalInvite:
    """A one-time link through which a colleague outside Sutura sends photos to a cluster."""

    id: UUID
    cluster_id: UUID
    created_by: UUID
    email: str
    patient_id: UUID | None
    series_id: UUID | None
    label: str | None  # shown to the sender; never filled in from patient data by Sutura
    message: str | None
    created_at: datetime
    expires_at: datetime
    max_files: int
    max_bytes: int
    files_received: int = 0
    bytes_received: int = 0
    mailed_at: datetime | None = None
    opened_at: datetime | None = None
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> InviteState:
        if self.revoked_at is not None:
            return InviteState.REVOKED
        if now >= self.expires_at:
            return InviteState.EXPIRED
        if self.files_received >= self.max_files or self.bytes_received >= self.max_bytes:
            return InviteState.FULL
        if self.files_received:
            return InviteState.RECEIVING
        return InviteState.OPENED if self.opened_at else InviteState.SENT

    def accepts_files(self, now: datetime) -> bool:
        return self.state(now) in (InviteState.SENT, InviteState.OPENED, InviteState.RECEIVING)
