from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('sutura', '0003_external_uploads')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='SeriesCodeRow',
            index=Index(fields=['cluster_id', 'kind', 'code', 'series_id']),
        ),
    ]
