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
    created_by_id = fields.UUIDField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "series"


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

    class Meta:
        table = "consent"


class PhotoRow(Model):
    id = fields.UUIDField(primary_key=True)
    series: fields.ForeignKeyRelation[SeriesRow] = fields.ForeignKeyField(
        "sutura.SeriesRow", related_name="photos", on_delete=fields.RESTRICT
    )
    series_id: UUID
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

    class Meta:
        table = "photo"
        unique_together = (("captured_by_id", "client_id"),)


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
