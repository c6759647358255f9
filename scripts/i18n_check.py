"""Check a translation catalog: every entry translated, none fuzzy, placeholders kept, and the .mo compiled from it.

Usage (from anywhere; paths are relative to the project root):

    .venv/bin/python scripts/i18n_check.py                  # locale/zh_Hans/LC_MESSAGES/django.po
    .venv/bin/python scripts/i18n_check.py --locale en
    .venv/bin/python scripts/i18n_check.py --update         # run makemessages first, then check
    .venv/bin/python scripts/i18n_check.py --no-mo          # skip the compiled-catalog check

Exits 0 when the catalog is complete, 1 listing each problem otherwise, 2 when the file cannot be read.
Standard library only (no polib), so tests can import `check()` or run the script.

Updating the translation after code changes (makemessages keeps existing translations):

    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=staticfiles \
        --ignore=bench --ignore=scripts --ignore=tests      # or: scripts/i18n_check.py --update
    # fill every empty msgstr, review and clear each "#, fuzzy" entry, then:
    .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv
    .venv/bin/python scripts/i18n_check.py
"""

from __future__ import annotations

import argparse
import ast
import gettext
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOCALE = "zh_Hans"
DOMAIN = "django"
# The same directories `makemessages` must skip everywhere this project documents the command.
MAKEMESSAGES_IGNORES = [".venv", "var", "staticfiles", "bench", "scripts", "tests"]
# Python named placeholders (%(name)s, %(count)d); Django's {% blocktranslate %} turns {{ var }} into %(var)s.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


@dataclass
class Entry:
    """One message of a .po file."""

    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def where(self) -> str:
        return " ".join(self.references) or f"line {self.line}"

    def catalog_key(self, index: int = 0):
        """The key under which gettext.GNUTranslations stores this message."""
        key = self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"
        return (key, index) if self.msgid_plural is not None else key


def _unquote(text: str) -> str:
    # A .po string is a C string literal; Python's literal syntax reads the escapes the same way.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries (header included, obsolete `#~` entries marked)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # which string the continuation lines extend

    def finish():
        nonlocal entry, target
        if entry is not None and (entry.msgstr or entry.msgid or entry.msgid_plural is not None):
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if entry is not None and target is not None and target[0] == "msgstr":
                finish()  # a comment after a msgstr starts the next entry
            if entry is None:
                entry = Entry(line=number)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            elif line.startswith("#:"):
                entry.references.extend(line[2:].split())
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, index, literal = match.group(1), match.group(2), match.group(3)
            if entry is not None and target is not None and target[0] == "msgstr" and keyword != "msgstr":
                finish()  # a new msgctxt/msgid without a blank line in between
            if entry is None:
                entry = Entry(line=number)
            entry.obsolete = entry.obsolete or obsolete
            value = _unquote(literal)
            if keyword == "msgctxt":
                entry.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                slot = int(index or 0)
                entry.msgstr[slot], target = value, ("msgstr", slot)
            continue
        if line.startswith('"') and entry is not None and target is not None:
            value = _unquote(line)
            kind, slot = target
            if kind == "msgstr":
                entry.msgstr[slot] += value
            elif kind == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            else:
                setattr(entry, kind, (getattr(entry, kind) or "") + value)
            continue
        raise ValueError(f"{path}:{number}: cannot parse: {raw!r}")
    finish()
    return entries


def _header(entries: list[Entry]) -> dict[str, str]:
    for entry in entries:
        if entry.is_header and not entry.obsolete:
            fields = {}
            for row in entry.msgstr.get(0, "").splitlines():
                name, _sep, value = row.partition(":")
                fields[name.strip()] = value.strip()
            return fields
    return {}


def _nplurals(header: dict[str, str]) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", header.get("Plural-Forms", ""))
    return int(match.group(1)) if match else None


def _short(text: str, width: int = 90) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def check(po_path: Path, check_mo: bool = True) -> list[str]:
    """Return one line per problem of the catalog at po_path (empty when it is complete and compiled)."""
    entries = parse_po(po_path)
    header = _header(entries)
    problems: list[str] = []
    if not header:
        problems.append('header: missing (msgid "")')
    nplurals = _nplurals(header)
    if header and nplurals is None:
        problems.append("header: no Plural-Forms")
    if header and not header.get("Language"):
        problems.append("header: empty Language")
    for entry in entries:
        if entry.is_header and "fuzzy" in entry.flags and not entry.obsolete:
            problems.append("header: marked fuzzy (msgfmt would drop it, and with it Plural-Forms)")

    messages = [e for e in entries if not e.is_header and not e.obsolete]
    for entry in messages:
        label = f"{entry.where}: {_short(entry.msgid)!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {label}")
        if entry.msgid_plural is None:
            missing = not entry.msgstr.get(0)
        else:
            slots = range(nplurals or 1)
            missing = any(not entry.msgstr.get(i) for i in slots)
        if missing:
            problems.append(f"untranslated: {label}")
            continue
        if entry.msgid_plural is None:
            expected = set(PLACEHOLDER.findall(entry.msgid))
            allowed = expected
        else:
            expected = set(PLACEHOLDER.findall(entry.msgid_plural))
            allowed = expected | set(PLACEHOLDER.findall(entry.msgid))
        for index, text in sorted(entry.msgstr.items()):
            used = set(PLACEHOLDER.findall(text))
            unknown = used - allowed
            # A singular form may spell the number out ("One dealer"); with one form only, it is every form.
            lost = expected - used if entry.msgid_plural is None or index > 0 or nplurals == 1 else set()
            if unknown or lost:
                detail = ", ".join(
                    [f"unknown %({n})" for n in sorted(unknown)] + [f"missing %({n})" for n in sorted(lost)]
                )
                problems.append(f"placeholders ({detail}) in msgstr[{index}]: {label}")

    if check_mo and not problems:
        problems.extend(_check_mo(po_path, messages))
    return problems


def _check_mo(po_path: Path, messages: list[Entry]) -> list[str]:
    """The compiled .mo must hold exactly the current translations (compilemessages was run after the last edit)."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [f"compiled: {mo_path.relative_to(ROOT) if mo_path.is_relative_to(ROOT) else mo_path} is missing"]
    with mo_path.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # the parsed table is what we compare
    stale = []
    for entry in messages:
        for index, text in entry.msgstr.items():
            if catalog.get(entry.catalog_key(index)) != text:
                stale.append(entry)
                break
    expected = sum(len(e.msgstr) for e in messages) + 1  # + the header
    problems = [f"compiled: out of date for {e.where}: {_short(e.msgid)!r}" for e in stale[:20]]
    if len(stale) > 20:
        problems.append(f"compiled: … and {len(stale) - 20} more out-of-date messages")
    if not stale and len(catalog) != expected:
        problems.append(f"compiled: the .mo holds {len(catalog)} strings, the .po {expected}")
    if problems:
        problems.append("compiled: run `manage.py compilemessages` and commit the .mo")
    return problems


def run_makemessages(locale: str) -> None:
    """Extract the project's strings into the catalog, keeping existing translations."""
    command = [sys.executable, "manage.py", "makemessages", "-l", locale]
    command += [f"--ignore={name}" for name in MAKEMESSAGES_IGNORES]
    subprocess.run(command, cwd=ROOT, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locale", default=DEFAULT_LOCALE, help=f"locale directory name (default {DEFAULT_LOCALE})")
    parser.add_argument("--po", type=Path, help="explicit .po path (overrides --locale)")
    parser.add_argument("--update", action="store_true", help="run makemessages for the locale before checking")
    parser.add_argument("--no-mo", action="store_true", help="do not check that the .mo matches the .po")
    args = parser.parse_args(argv)

    if args.update:
        run_makemessages(args.locale)
    po_path = args.po or ROOT / "locale" / args.locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        problems = check(po_path, check_mo=not args.no_mo)
    except (OSError, ValueError, SyntaxError) as exc:
        print(f"i18n_check: cannot read {po_path}: {exc}", file=sys.stderr)
        return 2
    if problems:
        print(f"i18n_check: {po_path}: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    entries = [e for e in parse_po(po_path) if not e.is_header and not e.obsolete]
    print(f"i18n_check: {po_path}: {len(entries)} messages, all translated and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
