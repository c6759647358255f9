"""Import messages stored untranslated (the English msgid and its parameters) and translated when shown.

A job is imported in the background in English, so every message it keeps is a msgid of the catalogue; the page and
the error report translate it for whoever reads them. Jobs stored before this kept translated text: that text is
shown as it is.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import get_language, gettext, ngettext, trans_real

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _param(value):
    """A parameter as JSON can hold it: numbers stay numbers (for %d and plurals), anything else becomes text."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def entry(msgid, params: dict | None = None, *, plural: str = "", number: int | None = None) -> dict:
    """One stored message: {"msgid", "params"} (and "plural", "n" for ngettext)."""
    stored: dict = {"msgid": str(msgid), "params": {k: _param(v) for k, v in (params or {}).items()}}
    if plural:
        stored.update(plural=plural, n=number or 0)
    return stored


def _entries(errors: list[ValidationError]) -> list[dict]:
    result = []
    for error in errors:
        params = error.params if isinstance(error.params, dict) else None
        result.append(entry(error.message, params))
    return result


def from_validation_error(exc: ValidationError) -> dict[str, list[dict]]:
    """Field → stored messages of a ValidationError (row-level ones under NON_FIELD_ERRORS)."""
    if hasattr(exc, "error_dict"):
        return {key: _entries(errors) for key, errors in exc.error_dict.items()}
    return {NON_FIELD_ERRORS: _entries(exc.error_list)}


@lru_cache(maxsize=8)
def _patterns(language: str) -> tuple[tuple[re.Pattern, str], ...]:
    """The catalogue's msgids with placeholders, as patterns matching their English text once formatted."""
    patterns = []
    for msgid in trans_real.translation(language)._catalog.keys():  # noqa: SIM118  (a TranslationCatalog has no __iter__)
        if not isinstance(msgid, str) or "%(" not in msgid:
            continue  # plural entries are keyed by (msgid, form)
        names = [name for name, _kind in _PLACEHOLDER.findall(msgid)]
        if len(names) != len(set(names)):
            continue
        parts, last = [], 0
        for match in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[last:match.start()]))
            parts.append(rf"(?P<{match[1]}>-?\d+)" if match[2] == "d" else rf"(?P<{match[1]}>.+?)")
            last = match.end()
        parts.append(re.escape(msgid[last:]))
        patterns.append((re.compile("".join(parts), re.DOTALL), msgid))
    return tuple(patterns)


def _formatted_elsewhere(text: str) -> str:
    """English text some service formatted before raising (its parameters lost): found back by its msgid's shape."""
    language = get_language() or ""
    if not text or len(text) > 1000 or language.startswith("en"):
        return text
    for pattern, msgid in _patterns(language):
        match = pattern.fullmatch(text)
        if match:
            params = {k: int(v) if v.lstrip("-").isdigit() and f"%({k})d" in msgid else v
                      for k, v in match.groupdict().items()}
            try:
                return gettext(msgid) % params
            except (KeyError, TypeError, ValueError):
                return text
    return text


def render(message) -> str:
    """A stored message in the active language; old jobs stored translated text, shown as it is."""
    if isinstance(message, str):
        return message
    if not isinstance(message, dict) or "msgid" not in message:
        return str(message)
    params = message.get("params") or {}
    if message.get("plural"):
        text = ngettext(message["msgid"], message["plural"], message.get("n") or 0)
    else:
        text = gettext(message["msgid"]) if message["msgid"] else ""
    if not params:
        return _formatted_elsewhere(text) if text == message["msgid"] else text
    for template in (text, message["msgid"]):
        try:
            return template % params
        except (KeyError, TypeError, ValueError):
            continue  # a catalogue entry with other placeholders: fall back to the msgid, then to it unformatted
    return message["msgid"]


def render_all(messages) -> str:
    """Several stored messages as one line of text."""
    if isinstance(messages, str | dict):
        messages = [messages]
    return " ".join(text for text in (render(m) for m in messages or []) if text)
