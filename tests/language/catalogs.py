"""Reading gettext catalogs (.po/.pot) with the standard library: entries with their flags, ids and translations."""
import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LOCALE = ROOT / "locale"
# The catalogs, by folder name (gettext's spelling: pt_BR for the code pt-br).
CATALOG_LANGUAGES = ("de", "fr", "es", "pt_BR", "ar")
# printf-style (%(name)s, %d, %s) and str.format-style ({name}, {}) placeholders; "%%" is a literal percent.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_]?\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: str = ""
    msgstr_plural: dict = field(default_factory=dict)
    flags: set = field(default_factory=set)
    obsolete: bool = False

    @property
    def translations(self) -> list[str]:
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)] if self.msgid_plural else [self.msgstr]


def parse(text: str) -> list[Entry]:
    """The entries of a .po or .pot file, header left out."""
    entries, entry, target = [], Entry(), None

    def finish():
        nonlocal entry, target
        if entry.msgid or entry.msgid_plural:
            entries.append(entry)
        entry, target = Entry(), None

    for line in text.splitlines() + [""]:
        if not line.strip():
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            _append(entry, target, value)
            continue
        value = ast.literal_eval(rest)
        if keyword == "msgid" and (entry.msgid or entry.msgstr or entry.msgstr_plural):
            finish()
        target = keyword
        _append(entry, target, value)
    return entries


def _append(entry, target, value):
    if target == "msgid":
        entry.msgid += value
    elif target == "msgid_plural":
        entry.msgid_plural += value
    elif target == "msgstr":
        entry.msgstr += value
    elif target and target.startswith("msgstr["):
        index = int(target[len("msgstr["):-1])
        entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + value


def catalog(language: str) -> list[Entry]:
    return parse((LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))
