"""Every message in the code is translated, not fuzzy, in nl and en; the .mo files are current.

The test extracts from the sources as they are now, so a string added without running
``verbinding translations update`` (and translating it) fails here, with the list of what is
missing. See docs/translations.md.
"""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog, Message

from engine.i18n_tools import (
    LOCALES,
    PARTS,
    Problem,
    catalog_problems,
    extract,
    placeholders,
    read_catalog,
)
from web import TRANSLATION_DIRS


@pytest.fixture(scope="module", params=sorted(PARTS))
def part_template(request, tmp_path_factory):
    """A fresh extraction of the part's sources, written to a temporary .pot and read back."""
    part = PARTS[request.param]
    pot = tmp_path_factory.mktemp("pot") / f"{part.name}.pot"
    template = extract(part)
    from babel.messages.pofile import write_po

    with pot.open("wb") as f:
        write_po(f, template)
    return part, read_catalog(pot)


def _report(problems: list[Problem]) -> str:
    lines = [str(p) for p in problems]
    return (
        f"{len(problems)} translation problem(s) — run `verbinding translations update`, "
        "translate the Dutch entries, then `verbinding translations compile` "
        "(docs/translations.md):\n  " + "\n  ".join(lines)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_compiled(part_template, locale):
    part, template = part_template
    assert len(template) > 10, f"extraction of {part.name} found almost nothing: check babel.cfg"
    problems = catalog_problems(part, locale, template)
    assert not problems, _report(problems)


def test_the_app_reads_both_catalogues():
    assert {p.translations for p in PARTS.values()} == set(TRANSLATION_DIRS)


def test_keywords_of_both_parts_are_found():
    """The mapping files really pick up lazy strings, engine messages, plurals and mail texts."""
    web = {m.id if isinstance(m.id, str) else m.id[0]: m for m in extract(PARTS["web"]) if m.id}
    engine = extract(PARTS["engine"])
    assert "Your name" in web  # _l in web/auth/forms.py
    assert any(f.startswith("web/templates/") for m in web.values() for f, _ in m.locations)
    files = {f for m in engine for f, _ in m.locations}
    assert any(f.startswith("engine/mail/templates/") for f in files)
    assert any(m.pluralizable for m in engine)  # nmsg:1,2


def test_check_catches_what_a_reader_would_see():
    """The checker itself: missing, untranslated, fuzzy and broken placeholders are reported."""
    part = PARTS["engine"]
    template = Catalog()
    template.add("A new sentence nobody translated.")
    problems = catalog_problems(part, "nl", template)
    assert [p.kind for p in problems if p.msgid == "A new sentence nobody translated."] == [
        "missing (run `verbinding translations update`)"
    ]
    assert placeholders("Hallo %(name)s, %(num)d stappen, 100%%") == (
        {"name:s", "num:d"},
        [],
    )
    assert placeholders("Hallo %(name)s en %s")[1] == ["%s"]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected"),
    [
        ("Hello %(name)s", "Hallo %(name)s", []),
        ("Hello %(name)s", "Hallo", ["missing"]),
        ("Hello %(name)s", "Hallo %(naam)s", ["unknown", "missing"]),
        ("Hello", "Hallo %(name)s", ["placeholders the message id lacks"]),
        (("One step", "%(num)d steps"), ("Eén stap", "%(num)d stappen"), []),
        (("One step", "%(num)d steps"), ("Eén stap", "stappen"), ["missing"]),
    ],
)
def test_placeholder_rules(msgid, msgstr, expected):
    from engine.i18n_tools import _format_problems

    message = Message(msgid, msgstr)
    found = list(_format_problems(message))
    assert len(found) == len(expected), found
    for want, got in zip(expected, found, strict=True):
        assert want in got


def test_the_workflow_update_translate_compile_check(tmp_path):
    """The tools end to end on a small part: English fills itself in, Dutch waits for a
    translator, a .po edited after compiling is caught, and a second run changes nothing."""
    from babel.messages.pofile import write_po

    from engine.i18n_tools import Part, check, compile_catalogs, update

    source = tmp_path / "mini"
    (source / "templates").mkdir(parents=True)
    (source / "babel.cfg").write_text(
        "[python: **.py]\nkeywords = _l ngettext:1,2\n[jinja2: templates/**.html]\n"
        "extensions = jinja2.ext.i18n\nsilent = false\n"
    )
    (source / "views.py").write_text(
        "from flask_babel import gettext as _, lazy_gettext as _l, ngettext\n"
        "LABEL = _l('Your name')\n"
        "def greet(name, n):\n"
        "    return _('Hello %(name)s', name=name), ngettext('%(num)d step', '%(num)d steps', n)\n"
    )
    (source / "templates" / "page.html").write_text("<p>{{ _('Save') }}</p>\n")
    part = Part("mini", source)

    changed = update(part)
    assert {p.name for p in changed} == {"messages.pot", "messages.po"} and len(changed) == 3
    english = read_catalog(part.po("en"), "en")
    assert english.get("Hello %(name)s").string == "Hello %(name)s"
    assert english.get("%(num)d step").string == ("%(num)d step", "%(num)d steps")
    kinds = {(p.locale, p.kind) for p in check([part])}
    assert ("nl", "untranslated") in kinds and ("en", "untranslated") not in kinds

    dutch = read_catalog(part.po("nl"), "nl")
    dutch.get("Your name").string = "Je naam"
    dutch.get("Hello %(name)s").string = "Hallo %(name)s"
    dutch.get("%(num)d step").string = ("%(num)d stap", "%(num)d stappen")
    dutch.get("Save").string = "Opslaan"
    with part.po("nl").open("wb") as f:
        write_po(f, dutch)
    assert {p.kind for p in check([part])} == {"compiled .mo is missing or older than the .po"}
    compile_catalogs(part)
    assert check([part]) == []

    assert update(part) == [] and compile_catalogs(part) == []  # nothing changes twice

    dutch.get("Save").string = "Bewaren"  # a translator edits the .po, forgets to compile
    with part.po("nl").open("wb") as f:
        write_po(f, dutch)
    stale = check([part])
    assert [(p.locale, p.kind) for p in stale] == [
        ("nl", "compiled .mo is missing or older than the .po")
    ]
