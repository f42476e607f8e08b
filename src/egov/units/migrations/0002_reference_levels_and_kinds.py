"""The tiers and kinds of administrative units every installation needs (QĐ 124/2004/QĐ-TTg; NQ 202/2025/QH15
added the special zone kind "đặc khu" at commune level). Further kinds are added in the admin."""

import datetime as dt

from django.db import migrations

LEVELS = [
    ("province", "Cấp tỉnh", 1, 2),
    ("district", "Cấp huyện", 2, 3),
    ("commune", "Cấp xã", 3, 5),
]
KINDS = [
    ("tinh", "Tỉnh", "province"),
    ("thanh-pho-truc-thuoc-trung-uong", "Thành phố", "province"),
    ("thanh-pho", "Thành phố", "district"),
    ("thi-xa", "Thị xã", "district"),
    ("huyen", "Huyện", "district"),
    ("quan", "Quận", "district"),
    ("xa", "Xã", "commune"),
    ("phuong", "Phường", "commune"),
    ("thi-tran", "Thị trấn", "commune"),
    ("dac-khu", "Đặc khu", "commune"),
]


def forwards(apps, schema_editor):
    Level = apps.get_model("units", "AdministrativeLevel")
    Kind = apps.get_model("units", "UnitKind")
    levels = {}
    for code, name, rank, length in LEVELS:
        levels[code], _ = Level.objects.get_or_create(
            code=code, defaults={"name": name, "rank": rank, "code_length": length,
                                 "valid_from": dt.date(2004, 7, 8)})
    for code, name, level in KINDS:
        Kind.objects.get_or_create(code=code, defaults={"name": name, "level": levels[level]})


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
