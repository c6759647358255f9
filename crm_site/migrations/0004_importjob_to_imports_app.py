"""ImportJob moves to the `imports` app: removed from this app's state only, its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('crm_site', '0003_notification_importjob'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportJob')],
            database_operations=[],
        ),
    ]
