"""Fill the structured deciding authority of every procedure version already stored, once, by reading its
published wording (``deciding_agency``) the way the one-stop back office read it until now. The reading below
is a frozen copy of that parser; nothing else uses it: from here on the fields are the truth, and the catalogue
import, the admin and reorganisation plans set them.

For each level a version is carried out at, the old reading gave the level that decides a dossier received
there: when every level gives the same answer that is ``deciding_level``; when they differ (“Ủy ban nhân dân
cấp xã; Phòng Tư pháp cấp huyện”: each level decides what its own desk receives) the field stays empty, which
means the desk's own level. A procedure decided at a People's Committee's level gets the office the wording
names under that committee (“Phòng Tư pháp”); one decided by a provincial agency gets that agency
(``deciding_organ``, “Giám đốc Sở Y tế” → Sở Y tế), the agency a reorganisation merged it into being found at
run time; “Ủy ban nhân dân tỉnh …” named first leaves the committee of the province to decide.
"""

from django.db import migrations

LEVEL_WORDS = {"cấp xã": "commune", "cấp huyện": "district", "cấp tỉnh": "province"}


def _mentioned_levels(text):
    lowered = text.lower()
    found = [(lowered.find(words), level) for words, level in LEVEL_WORDS.items() if words in lowered]
    return [level for _, level in sorted(found)]


def _old_deciding_level(text, desk_level):
    mentioned = _mentioned_levels(text)
    if desk_level in mentioned or (not mentioned and desk_level != "province" and "sở" not in text.lower()):
        return desk_level
    if mentioned:
        return mentioned[0]
    return "province"


def _level_code(unit):
    return unit.kind.level.code


def _offices_by_level(Agency):
    """Office names under the People's Committees of each level, as the old reading matched them: the
    office's name without its unit's (“Phòng Tư pháp huyện Lộc Ninh” → “Phòng Tư pháp”)."""
    offices = {}
    for child in Agency.objects.filter(parent__kind__code="ubnd").select_related(
        "unit__kind__level", "parent__unit__kind__level"
    ):
        if child.parent.unit_id != child.unit_id:
            continue
        suffix = " " + child.unit.name.lower()
        name = child.name
        base = name[: len(name) - len(suffix)] if name.lower().endswith(suffix) else name
        if base:
            offices.setdefault(_level_code(child.unit), set()).add(base)
    return offices


def _office_named(text, names):
    lowered = text.lower()
    found = sorted((lowered.index(name.lower()), name) for name in names if name.lower() in lowered)
    return found[0][1] if found else ""


def _provincial_agency(text, Agency):
    """The provincial agency the wording names first (a current one before one a reorganisation ended), or None
    when “Ủy ban nhân dân tỉnh” comes first or nothing is named (the province's committee decides)."""
    lowered = text.lower()
    mentions = []
    for agency in Agency.objects.filter(unit__kind__level__rank=1).exclude(short_name="").exclude(
        kind__code="ubnd"
    ):
        name = agency.short_name.lower()
        if name in lowered:
            mentions.append((lowered.index(name), agency.valid_to is not None, agency.code, agency))
    committee = "ủy ban nhân dân tỉnh"
    if committee in lowered:
        mentions.append((lowered.index(committee), False, "", None))
    return min(mentions, key=lambda m: m[:3])[3] if mentions else None


def fill(apps, schema_editor):
    ProcedureVersion = apps.get_model("catalog", "ProcedureVersion")
    AdministrativeLevel = apps.get_model("units", "AdministrativeLevel")
    Agency = apps.get_model("agencies", "Agency")
    levels = {level.code: level for level in AdministrativeLevel.objects.all()}
    offices = _offices_by_level(Agency)
    for version in ProcedureVersion.objects.prefetch_related("levels"):
        text = version.deciding_agency or ""
        receiving = sorted({level.code for level in version.levels.all()}) or ["province"]
        answers = {_old_deciding_level(text, desk_level) for desk_level in receiving}
        decided = answers.pop() if len(answers) == 1 else None
        organ, office = None, ""
        if decided == "province" and not _mentioned_levels(text):
            organ = _provincial_agency(text, Agency)
        else:
            local = {decided} if decided else set(receiving)
            names = set().union(*(offices.get(level, set()) for level in local))
            office = _office_named(text, names)
        version.deciding_level = levels.get(decided) if decided else None
        version.deciding_organ = organ
        version.deciding_office = office
        version.save(update_fields=["deciding_level", "deciding_organ", "deciding_office"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_structured_deciding_authority")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
