"""Notification kinds become one list of choices (``NotificationKind``), and consultations get a deadline state.

Kinds were free strings, some carrying what told one occurrence from another in the kind itself
(``received:7``, ``payment_requested:3``, ``supplement_requested_12``). That part moves to ``occasion``, so
every stored row's kind is one of the choices and the rows stay the notifications they were (sent at most
once per kind and occasion). One notification per dossier and kind becomes one per dossier, kind, occasion
and recipient: a question to another agency is told to each of its officers.

Consultations waiting for an answer get a partial index (the consulted agency's worklist tab, the deadline
sweep) and the state the deadline sweep marks (due soon, overdue).
"""

import re

from django.db import migrations, models

SUFFIXED = re.compile(r"^(?P<kind>[a-z_]+?)(?::|_(?=\d+$))(?P<occasion>.+)$")


def split_kinds(apps, schema_editor):
    Notification = apps.get_model("dossiers", "Notification")
    for row in Notification.objects.filter(models.Q(kind__contains=":") | models.Q(kind__regex=r"_\d+$")):
        found = SUFFIXED.match(row.kind)
        if found is None:
            continue
        Notification.objects.filter(pk=row.pk).update(kind=found["kind"], occasion=found["occasion"][:40])


def join_kinds(apps, schema_editor):
    Notification = apps.get_model("dossiers", "Notification")
    for row in Notification.objects.exclude(occasion=""):
        separator = "_" if row.kind == "supplement_requested" else ":"
        Notification.objects.filter(pk=row.pk).update(kind=f"{row.kind}{separator}{row.occasion}"[:40])


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0012_moved_to_onestop"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="notification", name="notification_once_per_kind"),
        migrations.AddField(
            model_name="notification",
            name="occasion",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="lần"),
        ),
        migrations.RunPython(split_kinds, join_kinds),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Đã nộp hồ sơ"),
                    ("received", "Đã tiếp nhận hồ sơ"),
                    ("supplement_requested", "Yêu cầu bổ sung hồ sơ"),
                    ("refused", "Từ chối tiếp nhận"),
                    ("payment_requested", "Yêu cầu thực hiện nghĩa vụ tài chính"),
                    ("apology", "Xin lỗi, hẹn lại ngày trả"),
                    ("stopped", "Dừng xử lý"),
                    ("withdrawn", "Rút hồ sơ"),
                    ("done", "Đã có kết quả"),
                    ("returned", "Đã trả kết quả"),
                    ("consultation_requested", "Đề nghị cơ quan phối hợp cho ý kiến"),
                    ("consultation_reminder", "Nhắc cơ quan phối hợp sắp đến hạn, quá hạn trả lời"),
                    ("consultation_overdue", "Báo người lấy ý kiến: cơ quan phối hợp quá hạn"),
                ],
                max_length=40,
                verbose_name="loại thông báo",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("dossier", "kind", "occasion", "recipient"), name="notification_once_per_occasion"
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="deadline_state",
            field=models.CharField(
                blank=True,
                choices=[("", "—"), ("on_track", "Trong hạn"), ("due_soon", "Sắp đến hạn"), ("overdue", "Quá hạn")],
                default="",
                max_length=10,
                verbose_name="tình trạng hạn",
            ),
        ),
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True), ("cancelled_at__isnull", True)),
                fields=["agency", "due_at"],
                name="consultation_open",
            ),
        ),
    ]
