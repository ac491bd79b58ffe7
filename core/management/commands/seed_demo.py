"""Demo data for a whole province: organizations, users, catalogue, demands, projects.

Idempotent: a second run changes nothing. `--scale N` multiplies the volume (N=100: at
least 100,000 demands) with bulk inserts and a progress bar.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.seeding import STEPS, SeedContext, resolve
from organizations.seed import demo_user_summary


class Command(BaseCommand):
    help = "Load demo data (idempotent). Users share one password (default demo-pass-2026)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo-pass-2026", help="password of every demo user (default demo-pass-2026)")
        parser.add_argument("--scale", type=int, default=1, help="multiply the volume (100 gives at least 100,000 demands)")
        parser.add_argument("--only", action="append", default=[], help="run only these steps (repeatable)")

    def handle(self, *args, password, scale, only, verbosity, **options):
        if scale < 1 or scale > 1000:
            raise CommandError("--scale must be a whole number from 1 to 1000.")
        if len(password) < 8:
            raise CommandError("--password must have at least 8 characters.")
        ctx = SeedContext(password=password, scale=scale, stdout=self.stdout, quiet=verbosity == 0)
        for name, path in STEPS:
            if only and name not in only:
                continue
            step = resolve(path)
            with transaction.atomic():
                summary = step(ctx)
            ctx.say(f"{name}: {summary}")
        ctx.say(self.style.SUCCESS(f"Demo data ready. Users (password: {password}):"))
        for line in demo_user_summary():
            ctx.say(line)
