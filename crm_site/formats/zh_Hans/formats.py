"""Chinese pages write dates as the English ones do (crm_site/formats/en): one format for both languages."""

from ..en.formats import *  # noqa: F403
