"""Seed step "catalogue": systems a province runs, hardware on the provincial cloud, the data catalogue.

Idempotent: systems and data resources are found again by name and owner, hardware by name and
system, so a second run adds nothing. `--scale N` (N > 1) adds about 60 × (N − 1) generated city
and county systems in bulk.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core import audit
from core.sequences import reserve_codes
from organizations.models import Organization, Region

from . import services
from .demo_data import CITY_DATA, HARDWARE_PLAN, PROVINCIAL_DATA, SCALE_TEMPLATES, SYSTEMS
from .models import Capability, DataResource, HardwareItem, InformationSystem

PROVINCE = "220000"
CENSUS = "全省政务信息系统普查录入"


def expand_users(specs, orgs: dict, cities: list[str], counties_by_city: dict[str, list[str]]) -> list[Organization]:
    """Organizations from the specs of demo_data (see its docstring)."""
    found = []
    for spec in specs:
        kind, _, rest = spec.partition(":")
        codes = []
        if kind in ("cities", "counties") and rest:
            key, _, only = rest.partition("@")
            wanted_cities = only.split(",") if only else cities
            if kind == "cities":
                codes = [f"{c}-{key}" for c in wanted_cities]
            else:
                codes = [f"{k}-{key}" for c in wanted_cities for k in counties_by_city.get(c, [])]
        elif kind == "province" and rest:
            codes = [f"{PROVINCE}-{key}" for key in rest.split(",")]
        else:
            codes = [spec]
        found.extend(orgs[c] for c in codes if c in orgs)
    return list(dict.fromkeys(found))


def run(ctx) -> str:
    today = timezone.localdate()
    actor = ctx.users.get("ops") or ctx.users.get("admin")
    orgs = {o.code: o for o in Organization.objects.all()}
    cities = list(Region.objects.filter(level="city").order_by("code").values_list("code", flat=True))
    counties_by_city: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(level="county").values_list("code", "parent__code").order_by("code"):
        counties_by_city.setdefault(parent, []).append(code)
    fallback = orgs.get(f"{PROVINCE}-zwj")

    existing = {(s.owner_org_id, s.name): s for s in InformationSystem.objects.all()}
    added_systems = 0
    by_name = {}
    for (name, owner_code, caps, users, status, mode, url, level, assessed_days, cost, description) in SYSTEMS:
        owner = orgs.get(owner_code) or fallback
        system = existing.get((owner.pk, name))
        if system is None:
            system = services.create_system(
                actor=actor, name=name, owner_org=owner, description=description, capabilities=caps,
                user_orgs=expand_users(users, orgs, cities, counties_by_city), status=status, build_mode=mode, url=url,
                yearly_ops_cost=Decimal(cost), security_level=level,
                last_assessment=(today - timedelta(days=assessed_days)) if level and assessed_days is not None else None,
                comment=CENSUS, check_permission=False,
            )
            added_systems += 1
        by_name[name] = system

    added_hardware = seed_hardware(ctx, by_name, actor, today)
    added_resources = seed_data_resources(orgs, cities, actor)
    generated = seed_scaled_systems(ctx, orgs, counties_by_city, actor) if ctx.scale > 1 else 0
    return (f"{InformationSystem.objects.count()} systems ({added_systems + generated} new), "
            f"{HardwareItem.objects.count()} hardware items ({added_hardware} new), "
            f"{DataResource.objects.count()} data resources ({added_resources} new)")


def seed_hardware(ctx, systems: dict, actor, today) -> int:
    existing = set(HardwareItem.objects.values_list("system_id", "name"))
    added = 0
    for system_name, items in HARDWARE_PLAN:
        system = systems.get(system_name)
        if system is None:
            continue
        for kind, name, vcpu, memory, storage, quantity, cost, location, supplier in items:
            if (system.pk, name) in existing:
                continue
            status = {"building": "ordered", "retired": "retired"}.get(system.status, "in_service")
            item = HardwareItem(
                name=name, kind=kind, system=system, vcpu=vcpu, memory_gb=memory, storage_tb=Decimal(storage) if storage else None,
                quantity=quantity, unit_cost=Decimal(cost), location=location, supplier=supplier, status=status,
                warranty_end=today + timedelta(days=ctx.rng.randrange(-200, 1100)) if kind in ("server", "storage", "network") else None,
            )
            item.full_clean()
            item.save()
            services.record_history(item, actor=actor, transition="create", target=item.status, comment=CENSUS)
            added += 1
    return added


def seed_data_resources(orgs: dict, cities: list[str], actor) -> int:
    wanted = [(f"{PROVINCE}-{key}", name, freq, records, sharing, opening, desc)
              for key, name, freq, records, sharing, opening, desc in PROVINCIAL_DATA]
    city_names = dict(Region.objects.filter(level="city").values_list("code", "name"))
    for city in cities:
        for key, name, freq, records, sharing, opening, desc in CITY_DATA:
            wanted.append((f"{city}-{key}", f"{city_names[city]}{name}", freq, records, sharing, opening, desc))
    existing = set(DataResource.objects.values_list("owner_org_id", "name"))
    added = 0
    for owner_code, name, freq, records, sharing, opening, desc in wanted:
        owner = orgs.get(owner_code)
        if owner is None or (owner.pk, name) in existing:
            continue
        resource = DataResource(name=name, owner_org=owner, update_frequency=freq, record_count=records, sharing=sharing,
                                opening=opening, description=desc)
        resource.full_clean(exclude=["code"], validate_unique=False)
        resource.code = services.next_code(services.DATA_RESOURCE_CODE_PREFIX, services.DATA_RESOURCE_CODE_WIDTH)
        resource.save()
        services.record_history(resource, actor=actor, transition="create", comment=CENSUS)
        added += 1
    return added


def _scaled_candidates(orgs: dict, counties_by_city: dict, regions: dict):
    """Generated systems in a fixed order: every county × template, then a second phase of each, and so on."""
    counties = [c for codes in counties_by_city.values() for c in codes]
    phase = 1
    while True:
        for county in counties:
            for suffix, caps, key, desc in SCALE_TEMPLATES:
                owner = orgs.get(f"{county}-{key}")
                if owner is not None:
                    yield f"{regions[county]}{suffix}" + (f"（{phase}期）" if phase > 1 else ""), owner, caps, desc
        phase += 1


def seed_scaled_systems(ctx, orgs: dict, counties_by_city: dict, actor) -> int:
    """The first 60 × (scale − 1) generated systems, those missing written in bulk (idempotent)."""
    target = 60 * (ctx.scale - 1)
    regions = dict(Region.objects.values_list("code", "name"))
    candidates = _scaled_candidates(orgs, counties_by_city, regions)
    wanted = [next(candidates) for _ in range(target)]
    existing = set(InformationSystem.objects.filter(name__in=[w[0] for w in wanted]).values_list("name", flat=True))
    plan = [w for w in wanted if w[0] not in existing]
    if not plan:
        return 0
    today = timezone.localdate()
    capabilities = {c.code: c for c in Capability.objects.all()}
    codes = reserve_codes(services.SYSTEM_CODE_PREFIX, services.SYSTEM_CODE_WIDTH, len(plan))
    systems = [
        InformationSystem(code=code, name=name, owner_org=owner, description=desc, status="in_operation", build_mode="self_built",
                          yearly_ops_cost=Decimal(ctx.rng.randrange(50, 800) * 1000), security_level=2,
                          last_assessment=today - timedelta(days=ctx.rng.randrange(30, 900)))
        for code, (name, owner, _caps, desc) in zip(codes, plan, strict=True)
    ]
    InformationSystem.objects.bulk_create(systems, batch_size=500)
    through = InformationSystem.capabilities.through
    through.objects.bulk_create(
        [through(informationsystem_id=s.pk, capability_id=capabilities[c].pk)
         for s, (_n, _o, caps, _d) in zip(systems, plan, strict=True) for c in caps if c in capabilities],
        batch_size=1000,
    )
    content_type = ContentType.objects.get_for_model(InformationSystem)
    audit.record_many(
        [audit.entry(**services.history_row(s, actor=actor, transition="create", target=s.status, comment=CENSUS,
                                             content_type=content_type, event=audit.AuditEvent.SEED))
         for s in systems],
        batch_size=1000,
    )
    return len(systems)
