"""ImportJob, taken over from the core app: created in this app's state only, on the table `crm_site_importjob`."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('crm_site', '0004_importjob_to_imports_app'),
        ('dealers', '0002_user_role_constraints_sorted'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('kind', models.CharField(max_length=32, verbose_name='what')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file')),
                        ('content', models.BinaryField()),
                        ('status', models.CharField(
                            choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'),
                                     ('failed', 'Failed')],
                            default='queued', max_length=16, verbose_name='status')),
                        ('total_rows', models.PositiveIntegerField(default=0)),
                        ('processed_rows', models.PositiveIntegerField(default=0)),
                        ('created_rows', models.PositiveIntegerField(default=0)),
                        ('updated_rows', models.PositiveIntegerField(default=0)),
                        ('failed_rows', models.PositiveIntegerField(default=0)),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('message', models.CharField(blank=True, max_length=255)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                         related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('dealer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                                     to='dealers.dealer')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                                     to='dealers.tenant')),
                    ],
                    options={
                        'db_table': 'crm_site_importjob',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
