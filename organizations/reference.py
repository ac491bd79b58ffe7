"""Reference data: the Jilin region tree (loaded by a migration) and bureau templates (seeded).

Functions take the model classes as arguments so that a data migration can pass its
historical models and a management command the real ones.
"""

import json
import re
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

_PREFIX = re.compile(r"^(吉林省人民政府|国家税务总局吉林省|吉林省)")


def load_json(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_regions(Region) -> int:
    """Create or update the province, its 9 prefecture-level divisions and their counties."""
    data = load_json("jilin_regions.json")
    p = data["province"]
    province, _ = Region.objects.update_or_create(
        code=p["code"], defaults={"name": p["name_zh"], "name_en": p["name_en"], "level": "province", "kind": "province", "parent": None}
    )
    count = 1
    for c in data["cities"]:
        city, _ = Region.objects.update_or_create(
            code=c["code"],
            defaults={"name": c["name_zh"], "name_en": c["name_en"], "level": "city", "kind": c.get("kind", "city"), "parent": province},
        )
        count += 1
        for k in c["counties"]:
            Region.objects.update_or_create(
                code=k["code"],
                defaults={"name": k["name_zh"], "name_en": k["name_en"], "level": "county", "kind": k["kind"], "parent": city},
            )
            count += 1
    return count


def line_of(name_zh: str, region_name: str = "") -> str:
    """The line of work of a bureau from its name: 长春市教育局 → 教育, 吉林省教育厅 → 教育."""
    rest = name_zh[len(region_name):] if region_name and name_zh.startswith(region_name) else _PREFIX.sub("", name_zh)
    return rest[:2]


def ensure_bureaus(Region, Organization) -> int:
    """Bureaus in every region from the templates, idempotent; returns how many exist.

    Each bureau's superior is the bureau of the same line in the parent region, or the
    parent region's coordination authority when that line has no bureau there.
    """
    templates = load_json("bureaus.json")
    regions = list(Region.objects.order_by("code"))
    by_region_line: dict[tuple[int, str], object] = {
        (o.region_id, o.line): o for o in Organization.objects.all()
    }
    coordination: dict[int, object] = {
        o.region_id: o for o in by_region_line.values() if o.is_coordination_authority
    }
    for level in ("province", "city", "county"):
        for region in (r for r in regions if r.level == level):
            # Templates are ordered with the coordination authority first.
            for t in templates[level]:
                name = t["name_zh"].replace("{region}", region.name)
                name_en = t["name_en"].replace("{region_en}", region.name_en)
                line = line_of(name, region.name if level != "province" else "")
                if (region.pk, line) in by_region_line:
                    continue
                parent = None
                if region.parent_id:
                    parent = by_region_line.get((region.parent_id, line)) or coordination.get(region.parent_id)
                code = f"{region.code}-{t['key']}"
                org = Organization(
                    code=code, name=name, name_en=name_en, line=line, region=region,
                    level=region.level, parent=parent, is_coordination_authority=t["coordination"],
                )
                # Denormalised columns, set here too because historical models have no save().
                org.city_id = region.pk if level == "city" else (region.parent_id if level == "county" else None)
                org.save()
                by_region_line[(region.pk, line)] = org
                if t["coordination"]:
                    coordination[region.pk] = org
    return Organization.objects.count()
