from django.db import migrations

KINDS = [
    ("ubnd", "Ủy ban nhân dân"),
    ("so", "Sở"),
    ("ban", "Ban và cơ quan tương đương sở"),
    ("van-phong", "Văn phòng"),
    ("phong", "Phòng chuyên môn"),
    ("trung-tam-phuc-vu-hanh-chinh-cong", "Trung tâm Phục vụ hành chính công"),
    ("don-vi-su-nghiep", "Đơn vị sự nghiệp"),
    ("co-quan-nganh-doc", "Cơ quan ngành dọc đặt tại địa phương"),
]


def forwards(apps, schema_editor):
    Kind = apps.get_model("agencies", "AgencyKind")
    for code, name in KINDS:
        Kind.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
