from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

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
        ops.AddField(
            model_name='SessionRow',
            name='device_id',
            field=fields.UUIDField(null=True, db_index=True),
        ),
    ]
