"""The daily digest also counts the questions from other agencies that the agency has left unanswered past
their date."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("onestop", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadlinedigest",
            name="consultations_overdue",
            field=models.PositiveIntegerField(default=0, verbose_name="ý kiến phối hợp quá hạn"),
        ),
    ]
