"""Keep the message catalogues in step with the code: extract, update, compile, check.

Two parts have a catalogue each: ``web`` (Python and page templates) and ``engine`` (engine
messages and mail templates). Each has a ``babel.cfg`` in its folder that says which files to
read and which keywords mark a message. Message ids are English; ``nl`` is translated by hand,
``en`` is filled with the message ids by :func:`update`.

Files are only rewritten when their messages changed, so running a step twice changes nothing
in git. Locations are written without line numbers, to keep diffs and merges small.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from configparser import RawConfigParser
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages import frontend
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("nl", "en")
SOURCE_LOCALE = "en"
DOMAIN = "messages"
PROJECT = "Verbinding"
COMMENT_TAGS = ("TRANSLATORS:",)
HEADER = (
    "# {title} for Verbinding.\n"
    "# Message ids are English; see docs/translations.md for the workflow.\n"
    "#"
)
#: header lines that change on every run and say nothing about the messages
_VOLATILE = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date|Generated-By): .*\\n"\n', re.M)


@dataclass(frozen=True)
class Part:
    """One catalogue: the folder it reads, its mapping file and its translations folder."""

    name: str
    source: Path

    @property
    def mapping(self) -> Path:
        return self.source / "babel.cfg"

    @property
    def translations(self) -> Path:
        return self.source / "translations"

    @property
    def pot(self) -> Path:
        return self.translations / f"{DOMAIN}.pot"

    def po(self, locale: str) -> Path:
        return self.translations / locale / "LC_MESSAGES" / f"{DOMAIN}.po"

    def mo(self, locale: str) -> Path:
        return self.translations / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


PARTS = {name: Part(name, ROOT / name) for name in ("web", "engine")}


def shown(path: Path) -> str:
    """A path as the repository names it (or as it is, outside the repository)."""
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class Problem:
    """Something in a catalogue that keeps a reader from seeing a complete, correct text."""

    part: str
    locale: str
    kind: str
    msgid: str
    where: str = ""

    def __str__(self) -> str:
        where = f"  ({self.where})" if self.where else ""
        return f"{self.part}/{self.locale}: {self.kind}: {self.msgid!r}{where}"


# --- extract -------------------------------------------------------------------------------


def _mapping(part: Part) -> tuple[list[tuple[str, str]], dict[str, dict], dict]:
    """The method map, the options and the keywords (from every section) of a babel.cfg."""
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with part.mapping.open(encoding="utf-8") as f:
        method_map, options_map = parse(f, str(part.mapping))
    parser = RawConfigParser()
    parser.read(part.mapping, encoding="utf-8")
    specs: list[str] = []
    for section in parser.sections():
        specs += parser.get(section, "keywords", fallback="").split()
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(frontend.parse_keywords(specs))
    return method_map, options_map, keywords


def extract(part: Part) -> Catalog:
    """Read the part's sources and return the template catalogue (nothing is written)."""
    method_map, options_map, keywords = _mapping(part)
    catalog = Catalog(project=PROJECT, domain=DOMAIN, header_comment=_header("Message template"))
    prefix = shown(part.source)
    found = extract_from_dir(
        part.source,
        method_map,
        options_map,
        keywords=keywords,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            None,
            [(f"{prefix}/{Path(filename).as_posix()}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _header(title: str) -> str:
    return HEADER.format(title=title)


def _serialise(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(
        out, catalog, width=96, ignore_obsolete=True, include_previous=True, include_lineno=False
    )
    return out.getvalue()


def _write_if_changed(path: Path, catalog: Catalog, date_attr: str) -> bool:
    """Write a .po/.pot only when more than its dates would change; return whether it did."""
    new = _serialise(catalog)
    if path.exists() and _VOLATILE.sub(b"", path.read_bytes()) == _VOLATILE.sub(b"", new):
        return False
    setattr(catalog, date_attr, datetime.now(UTC))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_serialise(catalog))
    return True


def write_template(part: Part, catalog: Catalog | None = None) -> bool:
    """Extract (unless given a catalogue) and write ``messages.pot``; True if it changed."""
    return _write_if_changed(part.pot, catalog or extract(part), "creation_date")


# --- update --------------------------------------------------------------------------------


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def fill_source_language(catalog: Catalog) -> int:
    """Make every English text its message id (and plural); return how many changed."""
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        wanted = tuple(message.id) if message.pluralizable else message.id
        if message.string != wanted or message.fuzzy:
            message.string = wanted
            message.flags.discard("fuzzy")
            message.previous_id = []
            changed += 1
    return changed


def update(part: Part, template: Catalog | None = None) -> list[Path]:
    """Extract, write the template, merge it into each locale's catalogue; list what changed."""
    template = template or extract(part)
    changed = [part.pot] if write_template(part, template) else []
    for locale in LOCALES:
        path = part.po(locale)
        if path.exists():
            catalog = read_catalog(path, locale)
        else:
            catalog = Catalog(locale=locale, domain=DOMAIN, project=PROJECT)
        catalog.header_comment = _header(f"{locale} translations")
        catalog.fuzzy = False
        catalog.last_translator = "Verbinding"
        catalog.language_team = {"nl": "Nederlands", "en": "English"}[locale]
        catalog.update(template)
        if locale == SOURCE_LOCALE:
            fill_source_language(catalog)
        if _write_if_changed(path, catalog, "revision_date"):
            changed.append(path)
    return changed


# --- compile -------------------------------------------------------------------------------


def _compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _translations_of(mo: bytes) -> dict:
    """What a compiled catalogue says, without its header (which names the Babel version)."""

    def frozen(value):
        return value if isinstance(value, str) else tuple(value)

    return {(m.context, frozen(m.id)): frozen(m.string) for m in read_mo(io.BytesIO(mo)) if m.id}


def mo_is_current(part: Part, locale: str) -> bool:
    """Whether the committed .mo says exactly what its .po says."""
    mo = part.mo(locale)
    if not mo.exists() or not part.po(locale).exists():
        return False
    expected = _compiled(read_catalog(part.po(locale), locale))
    return _translations_of(mo.read_bytes()) == _translations_of(expected)


def compile_catalogs(part: Part) -> list[Path]:
    """Compile each locale's .po to .mo when its content differs; list what was written."""
    written = []
    for locale in LOCALES:
        if part.po(locale).exists() and not mo_is_current(part, locale):
            part.mo(locale).write_bytes(_compiled(read_catalog(part.po(locale), locale)))
            written.append(part.mo(locale))
    return written


# --- check ---------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>.)?"
)


def placeholders(text: str) -> tuple[set[str], list[str]]:
    """The named placeholders of a %-format string (``name:type``) and any malformed ones."""
    named, bad = set(), []
    for m in _PLACEHOLDER.finditer(text):
        kind = m.group("type")
        if kind == "%" and m.group(0) == "%%":
            continue
        if kind is None or kind not in "diouxXeEfFgGcrsa" or m.group("name") is None:
            bad.append(m.group(0))
        else:
            named.add(f"{m.group('name')}:{'d' if kind in 'diu' else kind}")
    return named, bad


def _forms(value: str | tuple | list | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _format_problems(message: Message) -> Iterator[str]:
    """Placeholders that differ between the message id and its translation."""
    ids = _forms(message.id)
    strings = _forms(message.string)
    is_format = message.python_format or any("%(" in s for s in ids)
    if not is_format:
        for s in strings:
            if re.search(r"%\(\w+\)", s):
                yield f"translation has placeholders the message id lacks: {s!r}"
        return
    want = [placeholders(i)[0] for i in ids]
    allowed = set().union(*want)
    for index, s in enumerate(strings):
        got, bad = placeholders(s)
        if bad:
            yield f"malformed placeholder {bad} in {s!r}"
        if got - allowed:
            yield f"unknown placeholder {sorted(got - allowed)} in {s!r}"
        # a plural's first form may leave the number out ("one step"); others keep everything
        required = want[0] if len(ids) == 1 else (want[-1] if index else set())
        if required - got:
            yield f"missing placeholder {sorted(required - got)} in {s!r}"


def catalog_problems(part: Part, locale: str, template: Catalog) -> list[Problem]:
    """Every message of the template must be translated, not fuzzy, with the same placeholders."""
    path = part.po(locale)
    if not path.exists():
        return [Problem(part.name, locale, "no catalogue", shown(path))]
    catalog = read_catalog(path, locale)
    problems = []

    def add(kind: str, message: Message, where_from: Message) -> None:
        where = ", ".join(sorted({f for f, _ in where_from.locations}))
        ident = message.id if isinstance(message.id, str) else message.id[0]
        problems.append(Problem(part.name, locale, kind, ident, where))

    for wanted in template:
        if not wanted.id:
            continue
        have = catalog.get(wanted.id, context=wanted.context)
        if have is None:
            add("missing (run `verbinding translations update`)", wanted, wanted)
            continue
        if have.fuzzy:
            add("fuzzy", have, wanted)
        if not all(_forms(have.string)) or not _forms(have.string):
            add("untranslated", have, wanted)
            continue
        if locale == SOURCE_LOCALE and _forms(have.string) != _forms(have.id):
            add("English text differs from the message id", have, wanted)
        for detail in _format_problems(have):
            add(detail, have, wanted)
    if not mo_is_current(part, locale):
        problems.append(
            Problem(
                part.name,
                locale,
                "compiled .mo is missing or older than the .po",
                shown(part.mo(locale)),
            )  # fmt: skip
        )
    return problems


def check(parts: Iterable[Part] | None = None) -> list[Problem]:
    """Problems of every catalogue against a fresh extraction of the sources."""
    problems = []
    for part in parts or PARTS.values():
        template = extract(part)
        for locale in LOCALES:
            problems += catalog_problems(part, locale, template)
    return problems


def untranslated(part: Part, locale: str = "nl") -> list[Message]:
    """The messages a translator still has to do (empty or fuzzy), in file order."""
    catalog = read_catalog(part.po(locale), locale)
    return [m for m in catalog if m.id and (m.fuzzy or not all(_forms(m.string)))]
