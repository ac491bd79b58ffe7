from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import RegionLevel, Role


class BilingualNameMixin(models.Model):
    """A Chinese name and an English name; `display_name` follows the active language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        lang = get_language() or ""
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Region(BilingualNameMixin):
    """An administrative division: the province, a prefecture-level city, or a county-level division."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    @property
    def city(self) -> "Region | None":
        """The prefecture-level division this region belongs to (itself for a city)."""
        if self.level == RegionLevel.CITY:
            return self
        if self.level == RegionLevel.COUNTY:
            return self.parent
        return None


class Organization(BilingualNameMixin):
    """A government bureau in a region; one per region is its coordination authority."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    line = models.CharField(_("line of work"), max_length=30, blank=True, help_text=_("e.g. education, public security: bureaus of one line of work at different levels"))
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organizations")
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices, editable=False)
    # The prefecture-level region the organization sits in (null for provincial ones): the
    # municipal coordinator's visibility is one indexed comparison on this column.
    city = models.ForeignKey(
        Region,
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("superior organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_coordination_authority = models.BooleanField(_("coordination authority"), default=False)

    class Meta:
        ordering = ["region__code", "-is_coordination_authority", "code"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(is_coordination_authority=True),
                name="one_coordination_authority_per_region",
            )
        ]
        indexes = [models.Index(fields=["city", "level"])]

    def save(self, *args, **kwargs):
        # Denormalised from the region so that visibility queries need no join.
        self.level = self.region.level
        city = self.region.city
        self.city_id = city.pk if city else None
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A person with one role and one place in the organization tree."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    # The user's own choice from the language switch; blank follows the browser (Accept-Language).
    language = models.CharField(
        _("interface language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Blank: follow the browser's language."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def preferred_language(self) -> str:
        """The language the user chose, or the site's default: for notifications and exports."""
        return self.language or settings.LANGUAGE_CODE
