from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEventRow',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('actor_id', fields.UUIDField(null=True)),
                ('cluster_id', fields.UUIDField(null=True, db_index=True)),
                ('action', fields.CharField(max_length=64)),
                ('object_type', fields.CharField(null=True, max_length=32)),
                ('object_id', fields.CharField(null=True, max_length=64)),
                ('outcome', fields.CharField(max_length=16)),
                ('previous_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'audit_event', 'app': 'sutura', 'pk_attr': 'id', 'table_description': "An append-only, hash-chained log entry: each row's hash covers the previous row's."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClusterRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'cluster', 'app': 'sutura', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PatientRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('cluster', fields.ForeignKeyField('sutura.ClusterRow', source_field='cluster_id', db_constraint=True, to_field='id', related_name='patients', on_delete=OnDelete.RESTRICT)),
                ('name_sealed', fields.TextField(unique=False)),
                ('cpr_sealed', fields.TextField(null=True, unique=False)),
                ('cpr_lookup', fields.CharField(null=True, db_index=True, max_length=64)),
                ('birth_date', fields.DateField(null=True)),
                ('sex', fields.CharField(null=True, max_length=10)),
                ('created_by_id', fields.UUIDField()),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'patient', 'app': 'sutura', 'unique_together': (('cluster', 'cpr_lookup'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PatientNameTokenRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('sutura.PatientRow', source_field='patient_id', db_constraint=True, to_field='id', related_name='name_tokens', on_delete=OnDelete.CASCADE)),
                ('cluster_id', fields.UUIDField()),
                ('token', fields.CharField(max_length=64)),
            ],
            options={'table': 'patient_name_token', 'app': 'sutura', 'indexes': [Index(fields=['cluster_id', 'token'])], 'pk_attr': 'id', 'table_description': 'Keyed hashes of the prefixes of each name word, so names can be searched while sealed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SeriesRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('sutura.PatientRow', source_field='patient_id', db_constraint=True, to_field='id', related_name='series', on_delete=OnDelete.RESTRICT)),
                ('cluster_id', fields.UUIDField(db_index=True)),
                ('body_site_id', fields.CharField(max_length=64)),
                ('side', fields.CharField(null=True, max_length=10)),
                ('diagnosis_codes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('procedure_codes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('title', fields.CharField(null=True, max_length=200)),
                ('created_by_id', fields.UUIDField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'series', 'app': 'sutura', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ConsentRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('series', fields.ForeignKeyField('sutura.SeriesRow', source_field='series_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.RESTRICT)),
                ('scope', fields.CharField(max_length=32)),
                ('given_by', fields.CharField(max_length=32)),
                ('method', fields.CharField(max_length=32)),
                ('recorded_by_id', fields.UUIDField()),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('withdrawn_by_id', fields.UUIDField(null=True)),
                ('withdrawal_reason', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'consent', 'app': 'sutura', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PhotoRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('series', fields.ForeignKeyField('sutura.SeriesRow', source_field='series_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.RESTRICT)),
                ('cluster_id', fields.UUIDField(db_index=True)),
                ('phase', fields.CharField(max_length=32)),
                ('view_id', fields.CharField(max_length=64)),
                ('captured_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('captured_by_id', fields.UUIDField()),
                ('client_id', fields.CharField(max_length=100)),
                ('status', fields.CharField(db_index=True, max_length=16)),
                ('reject_reason', fields.CharField(null=True, max_length=300)),
                ('width', fields.IntField(null=True)),
                ('height', fields.IntField(null=True)),
                ('sha256', fields.CharField(max_length=64)),
                ('size_bytes', fields.BigIntField()),
            ],
            options={'table': 'photo', 'app': 'sutura', 'unique_together': (('captured_by_id', 'client_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BlobRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('photo', fields.ForeignKeyField('sutura.PhotoRow', source_field='photo_id', db_constraint=True, to_field='id', related_name='blobs', on_delete=OnDelete.CASCADE)),
                ('variant', fields.CharField(max_length=16)),
                ('path', fields.CharField(max_length=200)),
                ('kid', fields.CharField(max_length=32)),
                ('wrapped_key', fields.BinaryField()),
                ('content_type', fields.CharField(null=True, max_length=32)),
                ('size_bytes', fields.BigIntField()),
            ],
            options={'table': 'blob', 'app': 'sutura', 'unique_together': (('photo', 'variant'),), 'pk_attr': 'id', 'table_description': 'One encrypted stored form of a photo, with its wrapped data key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('display_name', fields.CharField(max_length=200)),
                ('password_hash', fields.CharField(max_length=255)),
                ('is_system_admin', fields.BooleanField(default=False)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'user_account', 'app': 'sutura', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MembershipRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('sutura.UserRow', source_field='user_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('cluster', fields.ForeignKeyField('sutura.ClusterRow', source_field='cluster_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=20)),
            ],
            options={'table': 'membership', 'app': 'sutura', 'unique_together': (('user', 'cluster'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionRow',
            fields=[
                ('token_hash', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('user', fields.ForeignKeyField('sutura.UserRow', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session', 'app': 'sutura', 'pk_attr': 'token_hash'},
            bases=['Model'],
        ),
    ]
