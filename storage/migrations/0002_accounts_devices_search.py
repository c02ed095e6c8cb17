from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('sutura', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DeviceRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('sutura.UserRow', source_field='user_id', db_constraint=True, to_field='id', related_name='devices', on_delete=OnDelete.CASCADE)),
                ('label', fields.CharField(max_length=120)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('pin_hash', fields.CharField(null=True, max_length=255)),
                ('pin_failures', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_reason', fields.CharField(null=True, max_length=32)),
            ],
            options={'table': 'device', 'app': 'sutura', 'pk_attr': 'id', 'table_description': 'An installed phone app: its sessions are bound to it and end when it is revoked.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvitationRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('cluster', fields.ForeignKeyField('sutura.ClusterRow', source_field='cluster_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=20)),
                ('invited_by_id', fields.UUIDField(null=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('renewal_asked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invitation', 'app': 'sutura', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PasskeyChallengeRow',
            fields=[
                ('challenge', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=128)),
                ('device_id', fields.UUIDField(db_index=True)),
                ('purpose', fields.CharField(max_length=16)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'passkey_challenge', 'app': 'sutura', 'pk_attr': 'challenge', 'table_description': 'A WebAuthn challenge, deleted when used: single use, with an expiry.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PasskeyRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('device', fields.ForeignKeyField('sutura.DeviceRow', source_field='device_id', db_constraint=True, to_field='id', related_name='passkeys', on_delete=OnDelete.CASCADE)),
                ('credential_id', fields.CharField(unique=True, max_length=512)),
                ('public_key', fields.BinaryField()),
                ('sign_count', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'passkey', 'app': 'sutura', 'pk_attr': 'id', 'table_description': 'A WebAuthn platform credential registered from one device.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PasswordResetRow',
            fields=[
                ('token_hash', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('user', fields.ForeignKeyField('sutura.UserRow', source_field='user_id', db_constraint=True, to_field='id', related_name='password_resets', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'password_reset', 'app': 'sutura', 'pk_attr': 'token_hash'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SavedSearchRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('cluster_id', fields.UUIDField(db_index=True)),
                ('owner_id', fields.UUIDField()),
                ('name', fields.CharField(max_length=100)),
                ('filters', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('is_shared', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'saved_search', 'app': 'sutura', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SeriesCodeRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('series_id', fields.UUIDField()),
                ('cluster_id', fields.UUIDField()),
                ('kind', fields.CharField(max_length=10)),
                ('code', fields.CharField(max_length=16)),
            ],
            options={'table': 'series_code', 'app': 'sutura', 'indexes': [Index(fields=['cluster_id', 'kind', 'code']), Index(fields=['series_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'One diagnosis or procedure code of a series, for search (prefix ranges on the code).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ConsentRow',
            name='withdrawal_channel',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddIndex(
            model_name='ConsentRow',
            index=Index(fields=['series_id', 'scope', 'withdrawn_at']),
        ),
        ops.AddField(
            model_name='PatientRow',
            name='identified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PatientRow',
            name='is_acute',
            field=fields.BooleanField(default=False, db_index=True),
        ),
        ops.AddField(
            model_name='PatientRow',
            name='merged_into_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='age_years',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='body_site_id',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='destroyed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='is_acute',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='patient_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='search_scopes',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='sex',
            field=fields.CharField(null=True, max_length=10),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='shot_at',
            field=fields.BigIntField(default=0),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='side',
            field=fields.CharField(null=True, max_length=10),
        ),
        ops.AddIndex(
            model_name='PhotoRow',
            index=Index(fields=['cluster_id', 'status']),
        ),
        ops.AddIndex(
            model_name='PhotoRow',
            index=Index(fields=['cluster_id', 'phase', 'shot_at', 'search_scopes', 'sex', 'age_years', 'side', 'view_id', 'body_site_id', 'series_id']),
        ),
        ops.AddIndex(
            model_name='PhotoRow',
            index=Index(fields=['cluster_id', 'shot_at', 'search_scopes', 'sex', 'age_years', 'side', 'phase', 'view_id', 'body_site_id', 'series_id']),
        ),
        ops.AddIndex(
            model_name='PhotoRow',
            index=Index(fields=['cluster_id', 'body_site_id', 'search_scopes', 'sex', 'age_years', 'side', 'phase', 'view_id', 'series_id', 'shot_at']),
        ),
        ops.AddIndex(
            model_name='PhotoRow',
            index=Index(fields=['cluster_id', 'age_years', 'search_scopes', 'sex', 'side', 'phase', 'view_id', 'body_site_id', 'series_id', 'shot_at']),
        ),
        ops.AddIndex(
            model_name='PhotoRow',
            index=Index(fields=['series_id', 'cluster_id', 'search_scopes', 'sex', 'age_years', 'side', 'phase', 'view_id', 'body_site_id', 'shot_at']),
        ),
        ops.AddIndex(
            model_name='PhotoRow',
            index=Index(fields=['captured_by_id', 'shot_at', 'cluster_id', 'search_scopes', 'sex', 'age_years', 'side', 'phase', 'view_id', 'body_site_id', 'series_id']),
        ),
        ops.AlterField(
            model_name='SeriesRow',
            name='created_by_id',
            field=fields.UUIDField(db_index=True),
        ),
        ops.AddField(
            model_name='SeriesRow',
            name='is_acute',
            field=fields.BooleanField(default=False),
        ),
        ops.AddIndex(
            model_name='SeriesRow',
            index=Index(fields=['cluster_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='SeriesRow',
            index=Index(fields=['patient_id', 'created_at']),
        ),
        ops.AddField(
            model_name='SessionRow',
            name='client_address',
            field=fields.CharField(default='', max_length=64),
        ),
        ops.AddField(
            model_name='SessionRow',
            name='device_id',
            field=fields.UUIDField(null=True, db_index=True),
        ),
        ops.AddField(
            model_name='SessionRow',
            name='end_reason',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='SessionRow',
            name='public_id',
            field=fields.UUIDField(default=uuid4, db_index=True),
        ),
        ops.AddField(
            model_name='SessionRow',
            name='user_agent',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='UserRow',
            name='language',
            field=fields.CharField(null=True, max_length=5),
        ),
        ops.AddField(
            model_name='UserRow',
            name='password_changed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
