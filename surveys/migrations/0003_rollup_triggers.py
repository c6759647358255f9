"""Triggers that keep the monthly survey sums in step with the responses (surveys/rollups.py), and a first fill."""

from django.db import migrations


def forwards(apps, schema_editor):
    # A later change of the statements ships as a new migration that runs CREATE OR REPLACE again.
    from surveys.rollups import COLUMNS, UPSERT, trigger_function_sql

    schema_editor.execute(trigger_function_sql())
    schema_editor.execute(f"WITH d AS (SELECT {COLUMNS}, 1 AS s FROM surveys_surveyresponse)" + UPSERT)


def backwards(apps, schema_editor):
    from surveys.rollups import DROP_SQL

    schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [("surveys", "0002_monthly_rollups")]

    operations = [migrations.RunPython(forwards, backwards)]
