"""What the domain needs from outside, as protocols; storage/ and workers/ provide them."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from domain.cpr import Cpr
from domain.model import (
    AuditEntry,
    AuditEvent,
    AuditQuery,
    Cluster,
    Consent,
    Device,
    ExternalInvite,
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

if TYPE_CHECKING:
    from domain.search import HitPage, PhotoQuery, SavedSearch


@dataclass(frozen=True)
class NewPatient:
    cluster_id: UUID
    name: str
    cpr: Cpr | None
    birth_date: date | None
    sex: Sex | None
    created_by: UUID
    is_acute: bool = False


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
    is_acute: bool = False


@dataclass(frozen=True)
class PatientChange:
    name: str
    cpr: Cpr | None
    birth_date: date | None
    sex: Sex | None


@dataclass(frozen=True)
class SeriesChange:
    body_site_id: str
    side: str | None
    diagnosis_codes: tuple[str, ...]
    procedure_codes: tuple[str, ...]
    title: str | None


@dataclass(frozen=True)
class NewPhoto:
    series_id: UUID | None  # None for an external upload, until it is filed
    cluster_id: UUID
    phase: str
    view_id: str
    captured_at: datetime | None
    captured_by: UUID  # the member, or for an external upload the invite it came through
    client_id: str
    sha256: str
    size_bytes: int
    external_invite_id: UUID | None = None


@dataclass(frozen=True)
class NewExternalInvite:
    cluster_id: UUID
    created_by: UUID
    email: str
    patient_id: UUID | None
    series_id: UUID | None
    label: str | None
    message: str | None
    token_hash: str
    created_at: datetime
    expires_at: datetime
    max_files: int
    max_bytes: int


class ExternalInvites(Protocol):
    async def add(self, invite: NewExternalInvite) -> ExternalInvite: ...
    async def get(self, invite_id: UUID) -> ExternalInvite | None: ...
    async def find_by_token(self, token_hash: str) -> ExternalInvite | None: ...
    async def of_cluster(self, cluster_id: UUID, limit: int) -> list[ExternalInvite]: ...
    async def by_ids(self, invite_ids: Sequence[UUID]) -> dict[UUID, ExternalInvite]: ...
    async def mark(self, invite_id: UUID, column: str, now: datetime) -> bool: ...


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
    async def end_session(
        self, token_hash: str, now: datetime, reason: str = "sign_out"
    ) -> None: ...
    async def set_language(self, user_id: UUID, language: str | None) -> None: ...
    async def display_names(self, user_ids: Sequence[UUID]) -> dict[UUID, str]: ...
    async def cluster_members(self, cluster_id: UUID) -> dict[UUID, str]: ...
    async def peek_session(
        self, token_hash: str, now: datetime, idle_cutoff: datetime
    ) -> User | None: ...
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
        self, consent_id: UUID, when: datetime, by: UUID, reason: str, channel: str | None = None
    ) -> None: ...
    async def update_patient(self, patient_id: UUID, change: PatientChange) -> Patient: ...
    async def acute_patients(self, cluster_id: UUID) -> list[Patient]: ...
    async def mark_identified(self, acute_id: UUID, into: UUID, when: datetime) -> None: ...
    async def update_series(self, series_id: UUID, change: SeriesChange) -> Series: ...
    async def move_series(self, series_id: UUID, patient_id: UUID) -> None: ...
    async def recent_series(
        self, cluster_id: UUID, limit: int, created_by: UUID | None = None
    ) -> list[Series]: ...
    async def series_photographed_by(self, cluster_id: UUID, user_id: UUID) -> list[UUID]: ...
    async def withdrawn_series(self) -> list[Series]: ...
    async def series_by_ids(self, series_ids: Sequence[UUID]) -> dict[UUID, Series]: ...
    async def patients_by_ids(self, patient_ids: Sequence[UUID]) -> dict[UUID, Patient]: ...


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
    async def unfinished(self, received_before: datetime | None = None) -> list[UUID]: ...
    async def unfinished_count(self, cluster_id: UUID) -> int: ...
    async def move(self, photo_id: UUID, series_id: UUID) -> None: ...
    async def last_shot(self, series_id: UUID) -> datetime | None: ...
    async def destroy(self, photo_id: UUID, when: datetime) -> bool: ...
    async def inbox(self, cluster_id: UUID) -> list[Photo]: ...
    async def file_into(
        self, photo_id: UUID, series_id: UUID, phase: str, view_id: str
    ) -> bool: ...
    async def unfiled_before(self, received_before: datetime) -> list[Photo]: ...
    async def destroy_unfiled(self, photo_id: UUID, when: datetime) -> bool: ...


@dataclass(frozen=True)
class Passkey:
    credential_id: str  # base64url, as WebAuthn names it
    public_key: bytes
    sign_count: int


class Devices(Protocol):
    """Installed phone apps, their PIN hashes, passkeys and passkey challenges."""

    async def create_device(
        self, user_id: UUID, label: str, secret_hash: str, now: datetime
    ) -> Device: ...
    async def bind_session(self, token_hash: str, device_id: UUID) -> None: ...
    async def device_of_session(self, token_hash: str) -> Device | None: ...
    async def find_by_secret(self, secret_hash: str) -> tuple[Device, User, str | None] | None: ...
    async def get(self, device_id: UUID) -> Device | None: ...
    async def devices_of_user(self, user_id: UUID) -> list[Device]: ...
    async def devices_in_cluster(self, cluster_id: UUID) -> list[tuple[Device, User]]: ...
    async def set_pin_hash(self, device_id: UUID, pin_hash: str) -> None: ...
    async def count_pin_failure(self, device_id: UUID) -> int: ...
    async def reset_pin_failures(self, device_id: UUID, now: datetime) -> None: ...
    async def revoke(self, device_id: UUID, now: datetime, reason: str) -> None: ...
    async def add_passkey(self, device_id: UUID, passkey: Passkey, now: datetime) -> None: ...
    async def passkeys(self, device_id: UUID) -> list[Passkey]: ...
    async def set_sign_count(self, credential_id: str, sign_count: int) -> None: ...
    async def save_challenge(
        self, challenge: str, device_id: UUID, purpose: str, expires_at: datetime
    ) -> None: ...
    async def take_challenge(
        self, challenge: str, device_id: UUID, purpose: str, now: datetime
    ) -> bool: ...


class PasskeyCeremony(Protocol):
    """WebAuthn options and verification; verify_* raise NotAuthenticated on any mismatch."""

    def registration_options(
        self, user: User, device_id: UUID, existing: Sequence[str]
    ) -> tuple[dict[str, object], str]: ...
    def verify_registration(self, credential: dict[str, object], challenge: str) -> Passkey: ...
    def authentication_options(
        self, credential_ids: Sequence[str]
    ) -> tuple[dict[str, object], str]: ...
    def verify_authentication(
        self, credential: dict[str, object], challenge: str, passkey: Passkey
    ) -> int: ...


class TransportKey(Protocol):
    """The server's RSA-OAEP key the phone app encrypts photos to before they leave it."""

    @property
    def key_id(self) -> str: ...
    @property
    def public_key_spki(self) -> bytes: ...
    def is_sealed(self, data: bytes) -> bool: ...
    def open_sealed(self, data: bytes) -> bytes:
        """The photo inside an app envelope; raises InvalidImage when it does not open."""
        ...


@dataclass(frozen=True)
class PhoneApp:
    devices: Devices
    passkeys: PasskeyCeremony
    transport: TransportKey


class SearchIndex(Protocol):
    async def find(self, query: "PhotoQuery", offset: int, limit: int) -> "HitPage": ...
    async def save(self, saved: "SavedSearch") -> None: ...
    async def saved(self, cluster_id: UUID, user_id: UUID) -> list["SavedSearch"]: ...
    async def get_saved(self, search_id: UUID) -> "SavedSearch | None": ...
    async def delete_saved(self, search_id: UUID) -> None: ...


class AuditLog(Protocol):
    async def append(self, event: AuditEvent, at: datetime) -> None: ...
    async def entries(self, query: AuditQuery) -> list[AuditEntry]: ...


class QueueUnavailable(Exception):
    """The job queue could not take the job now; what was committed stays committed."""


class JobQueue(Protocol):
    async def enqueue_photo(self, photo_id: UUID) -> None:
        """Queue processing; raises QueueUnavailable when the queue cannot be reached."""
        ...

    async def enqueue_password_reset(self, email: str) -> None: ...


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int
    max_pixels: int
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    retention_years: int = 10
    acute_warning_days: int = 7
    public_url: str = "http://127.0.0.1:8080"
    invitation_hours: int = 72
    reset_minutes: int = 60
    external_link_days: int = 7
    external_max_files: int = 30
    external_max_bytes: int = 500 * 1024 * 1024
    external_unfiled_days: int = 30


@dataclass(frozen=True)
class Ports:
    """Everything a use case may touch; main.py builds one, tests build their own."""

    accounts: Accounts
    clinical: Clinical
    photos: PhotoStore
    audit: AuditLog
    queue: JobQueue
    invitations: Invitations
    external: ExternalInvites
    resets: PasswordResets
    throttle: Throttle
    mailer: Mailer
    is_common_password: Callable[[str], bool]
    taxonomy: Taxonomy
    limits: Limits
    hash_password: Callable[[str], str]
    verify_password: Callable[[str, str], tuple[bool, str | None]]
    clock: Callable[[], datetime]
    phone: PhoneApp
    search: SearchIndex
