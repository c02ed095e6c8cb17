from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

from storage.migration_ops import DropNotNull

class Migration(migrations.Migration):
    dependencies = [('sutura', '0002_accounts_devices_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ExternalInviteRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('cluster', fields.ForeignKeyField('sutura.ClusterRow', source_field='cluster_id', db_constraint=True, to_field='id', related_name='external_invites', on_delete=OnDelete.CASCADE)),
                ('created_by_id', fields.UUIDField(db_index=True)),
                ('email', fields.CharField(max_length=254)),
                ('patient_id', fields.UUIDField(null=True)),
                ('series_id', fields.UUIDField(null=True)),
                ('label', fields.CharField(null=True, max_length=120)),
                ('message', fields.CharField(null=True, max_length=1000)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('max_files', fields.IntField()),
                ('max_bytes', fields.BigIntField()),
                ('files_received', fields.IntField(default=0)),
                ('bytes_received', fields.BigIntField(default=0)),
                ('mailed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'external_invite', 'app': 'sutura', 'indexes': [Index(fields=['cluster_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        # Unfiled external uploads have no series; Tortoise's own AlterField would rebuild the
        # table on SQLite and lose its indexes (storage/migration_ops.py).
        DropNotNull(
            table='photo',
            column='series_id',
            model_name='PhotoRow',
            name='series',
            field=fields.ForeignKeyField('sutura.SeriesRow', source_field='series_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='PhotoRow',
            name='external_invite',
            field=fields.ForeignKeyField('sutura.ExternalInviteRow', source_field='external_invite_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.RESTRICT),
        ),
    ]
