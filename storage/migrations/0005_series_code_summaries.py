from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

from storage.migration_ops import AddCountColumn, AnalyzeOnPostgres

class Migration(migrations.Migration):
    dependencies = [('sutura', '0004_series_code_covering')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='SeriesCodeRow',
            name=None,
            fields=['cluster_id', 'kind', 'code'],
        ),
        ops.RemoveIndex(
            model_name='SeriesCodeRow',
            name=None,
            fields=['cluster_id', 'kind', 'code', 'series_id'],
        ),
        ops.AddField(
            model_name='SeriesCodeRow',
            name='age_high',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='SeriesCodeRow',
            name='age_low',
            field=fields.IntField(null=True),
        ),
        # Tortoise's AddField leaves out the default, refused on a table with rows.
        AddCountColumn(
            model_name='SeriesCodeRow',
            name='scopes',
            field=fields.IntField(default=0),
            table='series_code',
        ),
        ops.AddField(
            model_name='SeriesCodeRow',
            name='shot_high',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='SeriesCodeRow',
            name='shot_low',
            field=fields.BigIntField(null=True),
        ),
        # Summaries of the series already stored, from their photos: one look-up per row in
        # the photo table's series index (SQLite plans a join to a grouped subquery as a scan
        # per row, which takes hours on a million photos).
        ops.RunSQL(
            "UPDATE series_code SET (scopes, age_low, age_high, shot_low, shot_high) ="
            " (SELECT COALESCE(MAX(p.search_scopes), 0), MIN(p.age_years), MAX(p.age_years),"
            " MIN(p.shot_at), MAX(p.shot_at) FROM photo p WHERE p.series_id = series_code.series_id)"
        ),
        ops.AddIndex(
            model_name='SeriesCodeRow',
            index=Index(fields=['cluster_id', 'kind', 'code', 'series_id', 'scopes', 'age_low', 'age_high', 'shot_low', 'shot_high']),
        ),
        AnalyzeOnPostgres('series_code'),
    ]
