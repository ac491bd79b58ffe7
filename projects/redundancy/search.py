
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from assets.models import Capability, DataResource
from organizations.models import Organization, Region
from organizations.selectors import sees_everything
from projects.demands.choices import Domain
from projects.demands.models import Demand
from projects.redundancy.documents import flag_threshold, related_threshold
from projects.redundancy.engine import text as textmod
from projects.redundancy.engine.engine import Candidate, Document, Reason, RedundancyIndex
from projects.redundancy.feed import KIND_DEMAND, KIND_PROJECT, KIND_SYSTEM
from projects.redundancy.index import get_index

SEARCH_LIMIT = 10  # candidates of one check (the API, the flags job, the evaluation)
LIVE_LIMIT = 5  # candidates in the box beside the form
REASONS_SHOWN = 4  # reasons shown per candidate in the compact boxes
MAX_TITLE_CHARS = 2_000  # the API refuses longer input (400); pages cut it
MAX_DESCRIPTION_CHARS = 200_000
MAX_LIST_ITEMS = 200  # capabilities or data resources in one check


# Bands of the score, worded alike on the live box, the flags, the similar list and the comparison:
# at or above the flag threshold "likely duplicate"; from the related threshold "related, for
# reference"; below it no wording (the live box does not show such a candidate at all).
BAND_DUPLICATE = "duplicate"
BAND_RELATED = "related"
BAND_LABELS = {
    # Translators: the band of a redundancy score at or above the flag threshold, in Chinese 疑似重复
    BAND_DUPLICATE: gettext_lazy("Likely duplicate"),
    # Translators: the band of a redundancy score below the flag threshold, in Chinese 相关，可参考
    BAND_RELATED: gettext_lazy("Related, for reference"),
}


def band_of(score: float, threshold: float | None = None) -> str:
    """The band of a score: BAND_DUPLICATE, BAND_RELATED or "" (below both)."""
    threshold = flag_threshold() if threshold is None else threshold
    if score >= threshold:
        return BAND_DUPLICATE
    if score >= related_threshold():
        return BAND_RELATED
    return ""


def band_fields(score: float, threshold: float) -> dict:
    band = band_of(score, threshold)
    return {"band": band, "band_label": str(BAND_LABELS[band]) if band else ""}


# ---------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------


def _codes(values) -> frozenset[str]:
    out = set()
    for v in values or ():
        code = getattr(v, "code", v)
        if code not in (None, ""):
            out.add(str(code))
    return frozenset(out)


def _ids(values) -> frozenset[int]:
    out = set()
    for v in values or ():
        v = getattr(v, "pk", v)
        try:
            out.add(int(v))
        except (TypeError, ValueError):
            continue
    return frozenset(out)


def _org(org) -> Organization | None:
    if org is None or org == "":
        return None
    if isinstance(org, Organization):
        return org
    try:
        return Organization.objects.filter(pk=int(org)).first()
    except (TypeError, ValueError):
        return None


def query_document(title, description, capabilities=(), org=None, data_resources=None, domain=None,
                   *, demand_id: int = 0) -> Document:
    """The engine document of what is being checked (a demand, or text typed into a form)."""
    org = _org(org)
    return Document(
        kind=KIND_DEMAND,
        id=demand_id,
        code="",
        title=textmod.to_text(title)[:MAX_TITLE_CHARS],
        description=textmod.to_text(description)[:MAX_DESCRIPTION_CHARS],
        capabilities=_codes(capabilities),
        data_resources=_ids(data_resources),
        domain=textmod.to_text(domain) if domain in Domain.values else "",
        org_id=org.pk if org else None,
        city_id=org.city_id if org else None,
        level=org.level if org else "",
    )


def _exclude_key(exclude) -> tuple[str, int] | None:
    if exclude is None:
        return None
    if isinstance(exclude, Demand):
        return (KIND_DEMAND, exclude.pk)
    if isinstance(exclude, tuple) and len(exclude) == 2:
        return (str(exclude[0]), int(exclude[1]))
    return (KIND_DEMAND, int(exclude))


def _visible_keys(candidates: list[Candidate], user) -> set[tuple[str, int]]:
    """Keys of the candidates `user` may see: every system; the demands and projects of the tree."""
    from projects.delivery.selectors import projects_visible_to
    from projects.demands.selectors import demands_visible_to

    if not getattr(user, "is_authenticated", False):
        return set()
    keys = {(c.kind, c.id) for c in candidates if c.kind == KIND_SYSTEM}
    if sees_everything(user):
        return {(c.kind, c.id) for c in candidates}
    demand_ids = [c.id for c in candidates if c.kind == KIND_DEMAND]
    project_ids = [c.id for c in candidates if c.kind == KIND_PROJECT]
    if demand_ids:
        keys |= {(KIND_DEMAND, pk) for pk in demands_visible_to(user).filter(pk__in=demand_ids).values_list("pk", flat=True)}
    if project_ids:
        keys |= {(KIND_PROJECT, pk) for pk in projects_visible_to(user).filter(pk__in=project_ids).values_list("pk", flat=True)}
    return keys


def _search(index: RedundancyIndex, query: Document, *, limit: int, exclude, user) -> list[Candidate]:
    if user is None or sees_everything(user):
        candidates = index.search(query, limit=limit, exclude=exclude)
        return candidates if user is None or getattr(user, "is_authenticated", False) else []
    # Another bureau's demands may fill the top: look further, keep what the user may see, and
    # fall back on the public catalogue alone when that still leaves too few.
    fetch = limit * 3 + 20
    raw = index.search(query, limit=fetch, exclude=exclude)
    allowed = _visible_keys(raw, user)
    kept = [c for c in raw if (c.kind, c.id) in allowed]
    if len(kept) < limit and len(raw) == fetch:
        more = index.search(query, limit=limit, exclude=exclude, kinds={KIND_SYSTEM})
        have = {(c.kind, c.id) for c in kept}
        kept += [c for c in more if (c.kind, c.id) not in have]
        kept.sort(key=lambda c: (-c.score, c.kind, c.id))
    return kept[:limit]


def check(title, description, capabilities=(), org=None, data_resources=None, domain=None, *,
          exclude=None, user=None, limit: int = SEARCH_LIMIT, index: RedundancyIndex | None = None):
    """What this demand may duplicate: `(flag_threshold, candidates)`, best first; nothing is saved.

    Each candidate is a dict: kind, id, code, title, score (0..1), flagged (score ≥ threshold),
    reasons (sentences in the active language), reason_details (code, text, values, weight) and
    url. With `user`, only the demands and projects that user may see are candidates (systems are
    the public catalogue); without, everything (the flags job). `index` is for the evaluation.
    """
    threshold = flag_threshold(domain)
    query = query_document(title, description, capabilities, org, data_resources, domain)
    index = index if index is not None else get_index()
    found = _search(index, query, limit=max(1, int(limit)), exclude=_exclude_key(exclude), user=user)
    return threshold, present(found, threshold)


def check_demand(demand: Demand, *, user=None, limit: int = SEARCH_LIMIT, index=None):
    """`check()` of a saved demand (itself excluded)."""
    return check(
        demand.title, demand.description,
        [c.code for c in demand.capabilities.all()], demand.org,
        list(demand.data_resource_links.values_list("resource_id", flat=True)), demand.domain,
        exclude=(KIND_DEMAND, demand.pk), user=user, limit=limit, index=index,
    )


# ---------------------------------------------------------------------------------------
# Reasons in the user's language
# ---------------------------------------------------------------------------------------


def _raw_reason(reason) -> tuple[str, list, float]:
    if isinstance(reason, Reason):
        return reason.code, list(reason.values), float(reason.weight)
    return reason.get("code", ""), list(reason.get("values") or []), float(reason.get("weight") or 0.0)


class Wording:
    """Looks up the names a set of reasons mentions (one query per kind of name) and words them."""

    def __init__(self, reason_lists: Iterable[Iterable]):
        caps, resources, regions = set(), set(), set()
        self.lists = [[_raw_reason(r) for r in reasons] for reasons in reason_lists]
        for reasons in self.lists:
            for code, values, _w in reasons:
                if code == "shared_capabilities":
                    caps.update(str(v) for v in values)
                elif code == "shared_data_resources":
                    resources.update(v for v in values if isinstance(v, int))
                elif code == "same_city":
                    regions.update(v for v in values if isinstance(v, int))
                elif code == "other_city" and len(values) == 2:
                    regions.update(v for v in values if isinstance(v, int))
        self.capabilities = {c.code: c for c in Capability.objects.filter(code__in=caps)} if caps else {}
        self.resources = dict(DataResource.objects.filter(pk__in=resources).values_list("pk", "name")) if resources else {}
        self.regions = {r.pk: r for r in Region.objects.filter(pk__in=regions)} if regions else {}

    @staticmethod
    def join(items: Iterable[str]) -> str:
        return ("、" if (get_language() or "").startswith("zh") else ", ").join(items)

    def text(self, code: str, values: list) -> str:
        if code == "text":
            percent = round(float(values[0]) * 100) if values else 0
            return _("Wording %(percent)s%% alike") % {"percent": percent}
        if code == "shared_terms":
            return _("Shared terms: %(terms)s") % {"terms": self.join(str(v) for v in values)}
        if code == "shared_capabilities":
            names = [str(self.capabilities[c]) if c in self.capabilities else str(c) for c in map(str, values)]
            return _("Shared capabilities: %(names)s") % {"names": self.join(names)}
        if code == "shared_data_resources":
            names = [self.resources.get(v, str(v)) for v in values]
            return _("Shared data resources: %(names)s") % {"names": self.join(names)}
        if code == "same_domain":
            label = dict(Domain.choices).get(values[0], values[0]) if values else ""
            return _("Same business domain: %(domain)s") % {"domain": label}
        if code == "same_org":
            return _("The same organization")
        if code == "same_city":
            region = self.regions.get(values[0]) if values else None
            return _("Same city: %(city)s") % {"city": region or ""}
        if code == "other_city":
            region = self.regions.get(values[1]) if len(values) == 2 else None
            return _("Another city: %(city)s") % {"city": region or ""}
        if code == "similar_demands":
            orgs = int(values[0]) if values else 0
            return ngettext("Similar to demands of %(orgs)d organization", "Similar to demands of %(orgs)d organizations",
                            orgs) % {"orgs": orgs}
        if code == "provincial_system":
            orgs, cities = (int(values[0]), int(values[1])) if len(values) == 2 else (0, 0)
            return ngettext(
                "Provincial system already used by %(cities)d city (%(orgs)d organizations)",
                "Provincial system already used by %(cities)d cities (%(orgs)d organizations)",
                cities,
            ) % {"cities": cities, "orgs": orgs}
        return code

    def details(self, i: int) -> list[dict]:
        return [
            {"code": code, "text": self.text(code, values), "values": values, "weight": round(weight, 4)}
            for code, values, weight in self.lists[i]
        ]


def candidate_url(kind: str, pk: int) -> str:
    if kind == KIND_SYSTEM:
        return reverse("assets:system_detail", args=[pk])
    if kind == KIND_PROJECT:
        return reverse("projects:project_detail", args=[pk])
    return reverse("projects:demand_detail", args=[pk])


def present(candidates: list[Candidate], threshold: float) -> list[dict]:
    """Engine candidates as the API and the pages show them (reasons worded)."""
    wording = Wording(c.reasons for c in candidates)
    out = []
    for i, c in enumerate(candidates):
        details = wording.details(i)
        out.append({
            "kind": c.kind,
            "id": c.id,
            "code": c.code,
            "title": c.title,
            "score": c.score,
            "flagged": c.score >= threshold,
            **band_fields(c.score, threshold),
            "reasons": [d["text"] for d in details],
            "reason_details": details,
            "url": candidate_url(c.kind, c.id),
        })
    return out
