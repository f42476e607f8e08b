"""Notifications and deadline digests become outbox rows (status, attempts, last error, next attempt, the attempt
in flight), and task workers report that they live (so the sweep takes back a dead worker's tasks).

Rows already sent are marked sent; unsent notifications that used up the six attempts of the old task are
marked failed, the others are due at once and the next sweep enqueues them again."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MAX_ATTEMPTS_BEFORE = 6


def mark_existing(apps, schema_editor):
    for name in ("Notification", "DeadlineDigest"):
        model = apps.get_model("dossiers", name)
        model.objects.filter(sent_at__isnull=False).update(status="sent")
    apps.get_model("dossiers", "Notification").objects.filter(
        sent_at__isnull=True, attempts__gte=MAX_ATTEMPTS_BEFORE
    ).update(status="failed")


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0002_reference_agency_kinds'),
        ('catalog', '0002_search_extensions'),
        ('dossiers', '0007_fk_indexes_covered_by_composites'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TaskWorker',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('worker_id', models.CharField(max_length=64, unique=True, verbose_name='mã tiến trình')),
                ('host', models.CharField(blank=True, max_length=255, verbose_name='máy')),
                ('pid', models.PositiveIntegerField(blank=True, null=True, verbose_name='PID')),
                ('seen_at', models.DateTimeField(verbose_name='báo còn chạy lúc')),
            ],
            options={
                'verbose_name': 'tiến trình chạy tác vụ nền',
                'verbose_name_plural': 'tiến trình chạy tác vụ nền',
            },
        ),
        migrations.AlterModelOptions(
            name='deadlinedigest',
            options={'verbose_name': 'thư tổng hợp hạn xử lý', 'verbose_name_plural': 'thư tổng hợp hạn xử lý'},
        ),
        migrations.AddField(
            model_name='deadlinedigest',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='số lần thử'),
        ),
        migrations.AddField(
            model_name='deadlinedigest',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='đang gửi từ'),
        ),
        migrations.AddField(
            model_name='deadlinedigest',
            name='claimed_by',
            field=models.CharField(blank=True, max_length=64, verbose_name='tác vụ đang gửi'),
        ),
        migrations.AddField(
            model_name='deadlinedigest',
            name='last_error',
            field=models.CharField(blank=True, max_length=500, verbose_name='lỗi lần gửi gần nhất'),
        ),
        migrations.AddField(
            model_name='deadlinedigest',
            name='next_attempt_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='gửi (lại) từ'),
        ),
        migrations.AddField(
            model_name='deadlinedigest',
            name='status',
            field=models.CharField(choices=[('pending', 'Chờ gửi'), ('sent', 'Đã gửi'), ('failed', 'Không gửi được, đã ngừng thử')], default='pending', max_length=10, verbose_name='tình trạng gửi'),
        ),
        migrations.AddField(
            model_name='notification',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='đang gửi từ'),
        ),
        migrations.AddField(
            model_name='notification',
            name='claimed_by',
            field=models.CharField(blank=True, max_length=64, verbose_name='tác vụ đang gửi'),
        ),
        migrations.AddField(
            model_name='notification',
            name='next_attempt_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='gửi (lại) từ'),
        ),
        migrations.AddField(
            model_name='notification',
            name='status',
            field=models.CharField(choices=[('pending', 'Chờ gửi'), ('sent', 'Đã gửi'), ('failed', 'Không gửi được, đã ngừng thử')], default='pending', max_length=10, verbose_name='tình trạng gửi'),
        ),
        migrations.AlterField(
            model_name='deadlinedigest',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='thời điểm gửi'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='số lần thử'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='last_error',
            field=models.CharField(blank=True, max_length=500, verbose_name='lỗi lần gửi gần nhất'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='thời điểm gửi'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='notification_outbox_due'),
        ),
        migrations.RunPython(mark_existing, migrations.RunPython.noop, elidable=True),
    ]
