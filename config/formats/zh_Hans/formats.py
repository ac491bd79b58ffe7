"""Simplified Chinese formats, with the grouping Chinese finance uses for amounts: ¥1,234,567.00.

Django's zh_Hans groups by 4 with no separator; budget sheets and vouchers group by 3 with commas.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
