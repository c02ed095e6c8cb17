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
        ops.AddField(
            model_name='SessionRow',
            name='client_address',
            field=fields.CharField(default='', max_length=64),
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
            name='password_changed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
