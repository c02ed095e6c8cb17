"""Tortoise models. Only storage/ sees these; repositories hand out domain objects."""

from __future__ import annotations

import uuid
from uuid import UUID

from tortoise import fields
from tortoise.models import Model


class ClusterRow(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    name = fields.CharField(max_length=100, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cluster"


class UserRow(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=255)
    is_system_admin = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    language = fields.CharField(max_length=5, null=True)  # "da" or "en"; None: the browser's
    created_at = fields.DatetimeField(auto_now_add=True)
    password_changed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "user_account"


class MembershipRow(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation[UserRow] = fields.ForeignKeyField(
        "sutura.UserRow", related_name="memberships", on_delete=fields.CASCADE
    )
    cluster: fields.ForeignKeyRelation[ClusterRow] = fields.ForeignKeyField(
        "sutura.ClusterRow", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharField(max_length=20)

    class Meta:
        table = "membership"
        unique_together = (("user", "cluster"),)


class SessionRow(Model):
    # A signed-in device. The token is stored only as its SHA-256; public_id names it on screen.

    token_hash = fields.CharField(max_length=64, primary_key=True)
    public_id = fields.UUIDField(default=uuid.uuid4, db_index=True)
    user: fields.ForeignKeyRelation[UserRow] = fields.ForeignKeyField(
        "sutura.UserRow", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: UUID
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)
    device_id = fields.UUIDField(null=True, db_index=True)  # set for phone app sessions
    end_reason = fields.CharField(max_length=32, null=True)
    user_agent = fields.CharField(max_length=200, default="")
    client_address = fields.CharField(max_length=64, default="")

    class Meta:
        table = "session"


class InvitationRow(Model):
    # An invitation by email to a cluster with a role; the link's token is stored as a hash.
    # (No docstring: Tortoise puts it unescaped into SQL as the table comment.)

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    email = fields.CharField(max_length=254, db_index=True)
    cluster: fields.ForeignKeyRelation[ClusterRow] = fields.ForeignKeyField(
        "sutura.ClusterRow", related_name="invitations", on_delete=fields.CASCADE
    )
    cluster_id: UUID
    role = fields.CharField(max_length=20)
    invited_by_id = fields.UUIDField(null=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    renewal_asked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation"


class PasswordResetRow(Model):
    # A password reset link; only the newest unused one of a user is valid.
    # (No docstring: Tortoise puts it unescaped into SQL as the table comment.)

    token_hash = fields.CharField(max_length=64, primary_key=True)
    user: fields.ForeignKeyRelation[UserRow] = fields.ForeignKeyField(
        "sutura.UserRow", related_name="password_resets", on_delete=fields.CASCADE
    )
    user_id: UUID
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "password_reset"


class PatientRow(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    cluster: fields.ForeignKeyRelation[ClusterRow] = fields.ForeignKeyField(
        "sutura.ClusterRow", related_name="patients", on_delete=fields.RESTRICT
    )
    cluster_id: UUID
    name_sealed = fields.TextField()
    cpr_sealed = fields.TextField(null=True)
    cpr_lookup = fields.CharField(max_length=64, null=True, db_index=True)
    birth_date = fields.DateField(null=True)
    sex = fields.CharField(max_length=10, null=True)
    created_by_id = fields.UUIDField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    # An acute patient has a sealed label instead of a name until merged into a real one.
    is_acute = fields.BooleanField(default=False, db_index=True)
    merged_into_id = fields.UUIDField(null=True)
    identified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "patient"
        unique_together = (("cluster", "cpr_lookup"),)


class PatientNameTokenRow(Model):
    """Keyed hashes of the prefixes of each name word, so names can be searched while sealed."""

    id = fields.IntField(primary_key=True)
    patient: fields.ForeignKeyRelation[PatientRow] = fields.ForeignKeyField(
        "sutura.PatientRow", related_name="name_tokens", on_delete=fields.CASCADE
    )
    cluster_id = fields.UUIDField()
    token = fields.CharField(max_length=64)

    class Meta:
        table = "patient_name_token"
        indexes = (("cluster_id", "token"),)


class SeriesRow(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    patient: fields.ForeignKeyRelation[PatientRow] = fields.ForeignKeyField(
        "sutura.PatientRow", related_name="series", on_delete=fields.RESTRICT
    )
    patient_id: UUID
    cluster_id = fields.UUIDField(db_index=True)
    body_site_id = fields.CharField(max_length=64)
    side = fields.CharField(max_length=10, null=True)
    diagnosis_codes: fields.Field[list[str]] = fields.JSONField(default=list)
    procedure_codes: fields.Field[list[str]] = fields.JSONField(default=list)
    title = fields.CharField(max_length=200, null=True)
    created_by_id = fields.UUIDField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    is_acute = fields.BooleanField(default=False)

    class Meta:
        table = "series"
        indexes = (("cluster_id", "created_at"), ("patient_id", "created_at"))


class ConsentRow(Model):
    id = fields.UUIDField(primary_key=True)
    series: fields.ForeignKeyRelation[SeriesRow] = fields.ForeignKeyField(
        "sutura.SeriesRow", related_name="consents", on_delete=fields.RESTRICT
    )
    series_id: UUID
    scope = fields.CharField(max_length=32)
    given_by = fields.CharField(max_length=32)
    method = fields.CharField(max_length=32)
    recorded_by_id = fields.UUIDField()
    recorded_at = fields.DatetimeField()
    withdrawn_at = fields.DatetimeField(null=True)
    withdrawn_by_id = fields.UUIDField(null=True)
    withdrawal_reason = fields.CharField(max_length=500, null=True)
    withdrawal_channel = fields.CharField(max_length=32, null=True)

    class Meta:
        table = "consent"
        indexes = (("series_id", "scope", "withdrawn_at"),)


# The columns every search index carries after its leading ones, so that SQLite and
# PostgreSQL answer a search from the index alone (see storage/search.py).
SEARCH_COVER = (
    "cluster_id",
    "search_scopes",
    "sex",
    "age_years",
    "side",
    "phase",
    "view_id",
    "body_site_id",
    "series_id",
    "shot_at",
)


def _search_index(*leading: str) -> tuple[str, ...]:
    return (*leading, *(column for column in SEARCH_COVER if column not in leading))


class ExternalInviteRow(Model):
    # A one-time upload link for a colleague outside Sutura; the token is stored as a hash.
    # Patient and series are optional targets; the label is what the sender may see.
    # (No docstring: Tortoise puts it unescaped into SQL as the table comment.)

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    cluster: fields.ForeignKeyRelation[ClusterRow] = fields.ForeignKeyField(
        "sutura.ClusterRow", related_name="external_invites", on_delete=fields.CASCADE
    )
    cluster_id: UUID
    created_by_id = fields.UUIDField(db_index=True)
    email = fields.CharField(max_length=254)
    patient_id = fields.UUIDField(null=True)
    series_id = fields.UUIDField(null=True)
    label = fields.CharField(max_length=120, null=True)
    message = fields.CharField(max_length=1000, null=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    max_files = fields.IntField()
    max_bytes = fields.BigIntField()
    files_received = fields.IntField(default=0)
    bytes_received = fields.BigIntField(default=0)
    mailed_at = fields.DatetimeField(null=True)
    opened_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "external_invite"
        indexes = (("cluster_id", "created_at"),)


class PhotoRow(Model):
    id = fields.UUIDField(primary_key=True)
    # NULL while an external upload waits in its cluster's inbox, unfiled.
    series: fields.ForeignKeyNullableRelation[SeriesRow] = fields.ForeignKeyField(
        "sutura.SeriesRow", related_name="photos", on_delete=fields.RESTRICT, null=True
    )
    series_id: UUID | None
    external_invite: fields.ForeignKeyNullableRelation[ExternalInviteRow] = fields.ForeignKeyField(
        "sutura.ExternalInviteRow", related_name="photos", on_delete=fields.RESTRICT, null=True
    )
    external_invite_id: UUID | None
    cluster_id = fields.UUIDField(db_index=True)
    phase = fields.CharField(max_length=32)
    view_id = fields.CharField(max_length=64)
    captured_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField()
    captured_by_id = fields.UUIDField()
    client_id = fields.CharField(max_length=100)
    status = fields.CharField(max_length=16, db_index=True)
    reject_reason = fields.CharField(max_length=300, null=True)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    sha256 = fields.CharField(max_length=64)
    size_bytes = fields.BigIntField()
    destroyed_at = fields.DatetimeField(null=True)
    # Copies of what search filters on, kept in step by storage/search_facts.py in the same
    # transaction as their sources, so a search reads one table through covering indexes:
    # the patient, the series' site and side, sex, age at capture, the capture time (or
    # receipt time) in epoch seconds, and `search_scopes`: 0 unless the photo is ready, not
    # acute and its series holds clinical consent, else a bit per active consent scope.
    patient_id = fields.UUIDField(null=True)
    body_site_id = fields.CharField(max_length=64, null=True)
    side = fields.CharField(max_length=10, null=True)
    sex = fields.CharField(max_length=10, null=True)
    age_years = fields.IntField(null=True)
    shot_at = fields.BigIntField(default=0)
    is_acute = fields.BooleanField(default=False)
    search_scopes = fields.IntField(default=0)

    class Meta:
        table = "photo"
        unique_together = (("captured_by_id", "client_id"),)
        indexes = (
            ("cluster_id", "status"),
            _search_index("cluster_id", "phase", "shot_at"),
            _search_index("cluster_id", "shot_at"),
            _search_index("cluster_id", "body_site_id"),
            _search_index("cluster_id", "age_years"),
            _search_index("series_id"),
            _search_index("captured_by_id", "shot_at"),
        )


class SeriesCodeRow(Model):
    """One diagnosis or procedure code of a series, for search (prefix ranges on the code).

    Each row also summarises its series for the filters that are asked together with a code:
    the active consent scopes (as photo.search_scopes has them) and the range of ages and
    capture times of its photos. A series whose ranges miss the asked range holds no match,
    so a code search skips it without reading its photos. They are kept in step by
    storage/search_facts.py with the photos, in the same transaction.
    """

    id = fields.IntField(primary_key=True)
    series_id = fields.UUIDField()
    cluster_id = fields.UUIDField()
    kind = fields.CharField(max_length=10)  # "diagnosis" or "procedure"
    code = fields.CharField(max_length=16)
    scopes = fields.IntField(default=0)
    age_low = fields.IntField(null=True)
    age_high = fields.IntField(null=True)
    shot_low = fields.BigIntField(null=True)
    shot_high = fields.BigIntField(null=True)

    class Meta:
        table = "series_code"
        # The search index covers every column a code search reads, so a code's series and
        # their summaries come from the index alone.
        indexes = (
            ("series_id", "kind"),
            (
                "cluster_id",
                "kind",
                "code",
                "series_id",
                "scopes",
                "age_low",
                "age_high",
                "shot_low",
                "shot_high",
            ),
        )


class SavedSearchRow(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    cluster_id = fields.UUIDField(db_index=True)
    owner_id = fields.UUIDField()
    name = fields.CharField(max_length=100)
    filters: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    is_shared = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "saved_search"


class BlobRow(Model):
    """One encrypted stored form of a photo, with its wrapped data key."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    photo: fields.ForeignKeyRelation[PhotoRow] = fields.ForeignKeyField(
        "sutura.PhotoRow", related_name="blobs", on_delete=fields.CASCADE
    )
    photo_id: UUID
    variant = fields.CharField(max_length=16)
    path = fields.CharField(max_length=200)
    kid = fields.CharField(max_length=32)
    wrapped_key = fields.BinaryField()
    content_type = fields.CharField(max_length=32, null=True)
    size_bytes = fields.BigIntField()

    class Meta:
        table = "blob"
        unique_together = (("photo", "variant"),)


class AuditEventRow(Model):
    """An append-only, hash-chained log entry: each row's hash covers the previous row's."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    actor_id = fields.UUIDField(null=True)
    cluster_id = fields.UUIDField(null=True, db_index=True)
    action = fields.CharField(max_length=64)
    object_type = fields.CharField(max_length=32, null=True)
    object_id = fields.CharField(max_length=64, null=True)
    outcome = fields.CharField(max_length=16)
    previous_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_event"


class DeviceRow(Model):
    """An installed phone app: its sessions are bound to it and end when it is revoked."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation[UserRow] = fields.ForeignKeyField(
        "sutura.UserRow", related_name="devices", on_delete=fields.CASCADE
    )
    user_id: UUID
    label = fields.CharField(max_length=120)
    secret_hash = fields.CharField(max_length=64, unique=True)
    pin_hash = fields.CharField(max_length=255, null=True)
    pin_failures = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=32, null=True)

    class Meta:
        table = "device"


class PasskeyRow(Model):
    """A WebAuthn platform credential registered from one device."""

    id = fields.IntField(primary_key=True)
    device: fields.ForeignKeyRelation[DeviceRow] = fields.ForeignKeyField(
        "sutura.DeviceRow", related_name="passkeys", on_delete=fields.CASCADE
    )
    device_id: UUID
    credential_id = fields.CharField(max_length=512, unique=True)
    public_key = fields.BinaryField()
    sign_count = fields.BigIntField(default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "passkey"


class PasskeyChallengeRow(Model):
    """A WebAuthn challenge, deleted when used: single use, with an expiry."""

    challenge = fields.CharField(max_length=128, primary_key=True)
    device_id = fields.UUIDField(db_index=True)
    purpose = fields.CharField(max_length=16)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "passkey_challenge"
