"""The three file columns of dossiers (uploads, results, issued forms) get an index: the orphan-file sweep looks
its candidates up by name, a batch at a time, and must not scan the tables for each batch."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("dossiers", "0008_outbox_and_task_workers")]

    operations = [
        migrations.AddIndex(
            model_name='dossierresult',
            index=models.Index(fields=['file'], name='dossierresult_file'),
        ),
        migrations.AddIndex(
            model_name='issuedform',
            index=models.Index(fields=['file'], name='issuedform_file'),
        ),
        migrations.AddIndex(
            model_name='storedfile',
            index=models.Index(fields=['file'], name='storedfile_file'),
        ),
    ]
