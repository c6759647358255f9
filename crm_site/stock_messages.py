"""Django's own messages that its bundled Chinese catalogue lacks, so that makemessages keeps our translation of them.

Django 5.2 reworded the too-short password message (now with %d); its zh_Hans catalogue still has the old wording,
so Chinese pages showed it in English. Nothing imports this module: it exists for the message extractor.
"""

from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
