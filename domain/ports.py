"""What the domain needs from outside, as protocols; storage/ and workers/ provide them."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from domain.cpr import Cpr
from domain.model import (
    AuditEntry,
    AuditEvent,
    AuditQuery,
    Cluster,
    Consent,
    Invitation,
    Mail,
    Member,
    Patient,
    Photo,
    PhotoStatus,
    Role,
    Series,
    SessionInfo,
    Sex,
    User,
    Variant,
)
from domain.taxonomy import Taxonomy


@dataclass(frozen=True)
class NewPatient:
    cluster_id: UUID
    name: str
    cpr: Cpr | None
    birth_date: date | None
    sex: Sex | None
    created_by: UUID


@dataclass(frozen=True)
class NewSeries:
    patient_id: UUID
    cluster_id: UUID
    body_site_id: str
    side: str | None
    diagnosis_codes: tuple[str, ...]
    procedure_codes: tuple[str, ...]
    title: str | None
    created_by: UUID


@dataclass(frozen=True)
class NewPhoto:
    series_id: UUID
    cluster_id: UUID
    phase: str
    view_id: str
    captured_at: datetime | None
    captured_by: UUID
    client_id: str
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class Rendition:
    variant: Variant
    data: bytes
    content_type: str


class PendingUpload(Protocol):
    """An upload being streamed into encrypted storage."""

    @property
    def size(self) -> int: ...
    def write(self, data: bytes) -> None: ...
    def discard(self) -> None: ...


@dataclass(frozen=True)
class NewSession:
    token_hash: str
    user_id: UUID
    created_at: datetime
    expires_at: datetime
    user_agent: str = ""
    client_address: str = ""


@dataclass(frozen=True)
class NewInvitation:
    email: str
    cluster_id: UUID
    role: Role
    invited_by: UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime


class Accounts(Protocol):
    async def create_cluster(self, name: str) -> Cluster: ...
    async def get_cluster(self, cluster_id: UUID) -> Cluster | None: ...
    async def find_cluster_by_name(self, name: str) -> Cluster | None: ...
    async def list_clusters(self) -> list[Cluster]: ...
    async def create_user(
        self, email: str, display_name: str, password_hash: str, *, is_system_admin: bool
    ) -> User: ...
    async def find_user_by_email(self, email: str) -> tuple[User, str] | None: ...
    async def get_user(self, user_id: UUID) -> tuple[User, str] | None: ...
    async def users_by_id(self, user_ids: Sequence[UUID]) -> dict[UUID, User]: ...
    async def list_users(self) -> list[User]: ...
    async def set_user_active(self, user_id: UUID, is_active: bool) -> None: ...
    async def set_password_hash(
        self, user_id: UUID, password_hash: str, changed_at: datetime | None = None
    ) -> None: ...
    async def count_users(self) -> int: ...
    async def add_membership(self, user_id: UUID, cluster_id: UUID, role: Role) -> None: ...
    async def remove_membership(self, user_id: UUID, cluster_id: UUID) -> bool: ...
    async def memberships(self, user_id: UUID) -> dict[UUID, Role]: ...
    async def members(self, cluster_id: UUID) -> list[Member]: ...
    async def cluster_names(self, cluster_ids: Sequence[UUID]) -> dict[UUID, str]: ...
    async def create_session(self, session: NewSession) -> None: ...
    async def touch_session(
        self, token_hash: str, now: datetime, idle_cutoff: datetime
    ) -> User | None: ...
    async def peek_session(
        self, token_hash: str, now: datetime, idle_cutoff: datetime
    ) -> User | None: ...
    async def end_session(
        self, token_hash: str, now: datetime, reason: str = "sign_out"
    ) -> None: ...
    async def live_sessions(
        self, user_id: UUID, now: datetime, idle_cutoff: datetime
    ) -> list[tuple[str, SessionInfo]]: ...
    async def end_sessions_of(
        self, user_id: UUID, now: datetime, reason: str, *, keep: str | None = None
    ) -> int: ...


class Invitations(Protocol):
    async def add(self, invitation: NewInvitation) -> Invitation: ...
    async def get(self, invitation_id: UUID) -> Invitation | None: ...
    async def find_by_token(self, token_hash: str) -> Invitation | None: ...
    async def open_for_cluster(self, cluster_id: UUID) -> list[Invitation]: ...
    async def revoke_open(self, email: str, cluster_id: UUID, now: datetime) -> None: ...
    async def renew(self, invitation_id: UUID, token_hash: str, expires_at: datetime) -> None: ...
    async def mark(self, invitation_id: UUID, column: str, now: datetime) -> bool: ...


class PasswordResets(Protocol):
    async def replace(
        self, user_id: UUID, token_hash: str, now: datetime, expires_at: datetime
    ) -> None: ...
    async def peek(self, token_hash: str, now: datetime) -> UUID | None: ...
    async def use(self, token_hash: str, now: datetime) -> UUID | None: ...


class Throttle(Protocol):
    """Counts failures per key in moving windows; each tier is (attempts, seconds)."""

    async def wait_seconds(self, key: str, tiers: Sequence[tuple[int, int]]) -> int: ...
    async def hit(self, key: str, tiers: Sequence[tuple[int, int]]) -> None: ...
    async def clear(self, key: str, tiers: Sequence[tuple[int, int]]) -> None: ...


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


class Clinical(Protocol):
    async def add_patient(self, patient: NewPatient) -> Patient: ...
    async def get_patient(self, patient_id: UUID) -> Patient | None: ...
    async def find_patient_by_cpr(self, cluster_id: UUID, cpr: Cpr) -> Patient | None: ...
    async def search_patients(
        self, cluster_id: UUID, name_words: Sequence[str], limit: int
    ) -> list[Patient]: ...
    async def recent_patients(self, cluster_id: UUID, limit: int) -> list[Patient]: ...
    async def add_series(self, series: NewSeries) -> Series: ...
    async def get_series(self, series_id: UUID) -> Series | None: ...
    async def series_of_patient(self, patient_id: UUID) -> list[Series]: ...
    async def add_consent(self, consent: Consent) -> None: ...
    async def withdraw_consent(
        self, consent_id: UUID, when: datetime, by: UUID, reason: str
    ) -> None: ...


class PhotoStore(Protocol):
    def start_upload(self, photo_id: UUID) -> PendingUpload: ...
    async def commit_upload(
        self, photo_id: UUID, photo: NewPhoto, upload: PendingUpload
    ) -> Photo: ...
    async def find_by_client_id(self, captured_by: UUID, client_id: str) -> Photo | None: ...
    async def get(self, photo_id: UUID) -> Photo | None: ...
    async def photos_of_series(self, series_id: UUID) -> list[Photo]: ...
    async def photo_counts(self, series_ids: Sequence[UUID]) -> dict[UUID, int]: ...
    async def set_status(self, photo_id: UUID, status: PhotoStatus) -> None: ...
    async def read_variant(self, photo_id: UUID, variant: Variant) -> bytes: ...
    async def open_stream(self, photo_id: UUID, variant: Variant) -> Iterator[bytes]: ...
    async def complete(
        self, photo_id: UUID, renditions: Sequence[Rendition], width: int, height: int
    ) -> None: ...
    async def reject(self, photo_id: UUID, reason: str) -> None: ...
    async def unfinished(self) -> list[UUID]: ...


class AuditLog(Protocol):
    async def append(self, event: AuditEvent, at: datetime) -> None: ...
    async def entries(self, query: AuditQuery) -> list[AuditEntry]: ...


class JobQueue(Protocol):
    async def enqueue_photo(self, photo_id: UUID) -> None: ...
    async def enqueue_password_reset(self, email: str) -> None: ...


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int
    max_pixels: int
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    public_url: str = "http://127.0.0.1:8080"
    invitation_hours: int = 72
    reset_minutes: int = 60


@dataclass(frozen=True)
class Ports:
    """Everything a use case may touch; main.py builds one, tests build their own."""

    accounts: Accounts
    clinical: Clinical
    photos: PhotoStore
    audit: AuditLog
    queue: JobQueue
    invitations: Invitations
    resets: PasswordResets
    throttle: Throttle
    mailer: Mailer
    is_common_password: Callable[[str], bool]
    taxonomy: Taxonomy
    limits: Limits
    hash_password: Callable[[str], str]
    verify_password: Callable[[str, str], tuple[bool, str | None]]
    clock: Callable[[], datetime]
