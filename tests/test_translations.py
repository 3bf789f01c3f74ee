"""Every message in the code is translated, not fuzzy, in nl and en; the .mo files are current.

The test extracts from the sources as they are now, so a string added without running
``verbinding translations update`` (and translating it) fails here, with the list of what is
missing. See docs/translations.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message

from engine.i18n_tools import (
    LOCALES,
    PARTS,
    ROOT,
    Problem,
    catalog_problems,
    extract,
    placeholders,
    read_catalog,
    shown,
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


# --- every message id is visible to extraction ----------------------------------------------
#
# Babel only finds a message when the call that marks it has the text itself as its argument:
# `msg(text, …)` with `text` picked from a dict is never extracted, so the catalogue never gets
# it and Dutch readers see English ("Step “…” was due 36 dagen geleden"). The rule, checked
# below over every Python file and template: the message argument of a marking call is a string
# literal, or a name the same module binds to `N_("literal")` (a marked constant).
#
# A table of messages holds `msg("…")` values (engine.i18n.Msg); callers fill in parameters
# with `Msg.with_params(…)` and show it with `|msg`, `render_msg` or `translate`.
#
# `Msg(…)` built directly is never extracted (Babel only knows msg/nmsg/N_), so it is refused
# outright.
#
# Allowed exceptions — the few functions that translate what others marked, or show a code
# nobody gave words to, by design:
TRANSLATORS = {
    ("engine/i18n.py", "Msg.render"),  # renders a Msg with its own (extracted) msgid
    ("engine/i18n.py", "translate"),  # the CLI's and mail's way of showing a Msg
    ("engine/i18n.py", "msg"),  # builds the Msg that extraction saw at the caller
    ("engine/i18n.py", "nmsg"),  # likewise, with a plural
    ("engine/i18n.py", "_Escaping.gettext"),  # passes a Msg's own (extracted) msgid through
    ("engine/i18n.py", "_Escaping.ngettext"),  # likewise, with a plural
    ("web/i18n.py", "render_msg"),  # the pages' way of showing a Msg (the |msg filter)
    ("engine/wording.py", "role_words"),  # a role without words is shown as its code
    ("engine/reminders/rules.py", "kind_of"),  # so is a kind of reminder nobody registered
}
#: calls that never reach the catalogue, whatever their argument
UNEXTRACTED = {"Msg"}
#: the marking calls, and how many leading arguments are message ids
MARKERS = {
    "_": 1,
    "gettext": 1,
    "lazy_gettext": 1,
    "_l": 1,
    "N_": 1,
    "msg": 1,
    "ngettext": 2,
    "lazy_ngettext": 2,
    "nmsg": 2,
    "pgettext": 2,  # context and message
    "npgettext": 3,
}


def _marked_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to ``N_("…")``."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and _is_literal_call(node.value, "N_"):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _is_literal_call(node: ast.AST | None, name: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == name
        and len(node.args) == 1
        and _is_literal(node.args[0])
    )


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):  # translations.gettext(…), babel.ngettext(…)
        return call.func.attr
    return None


def python_problems(source: str, filename: str) -> list[str]:
    """Marking calls in Python whose message argument extraction cannot read."""
    tree = ast.parse(source, filename)
    constants = _marked_constants(tree)
    problems = []

    def visit(node: ast.AST, scope: tuple[str, ...]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            scope = (*scope, node.name)
        allowed = (filename, ".".join(scope)) in TRANSLATORS
        if isinstance(node, ast.Call) and _called_name(node) in UNEXTRACTED and not allowed:
            problems.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:100]}")
        if isinstance(node, ast.Call) and (name := _called_name(node)) in MARKERS:
            if not allowed:
                for arg in node.args[: MARKERS[name]] or [node]:
                    if not _is_literal(arg) and not (
                        isinstance(arg, ast.Name) and arg.id in constants
                    ):
                        problems.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:100]}")
                        break
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(tree, ())
    return problems


def template_problems(source: str, filename: str) -> list[str]:
    """``_()``/``gettext()``/``ngettext()`` calls in a Jinja template without a literal text."""
    from jinja2 import Environment, nodes

    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    problems = []
    for call in env.parse(source).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in MARKERS:
            wanted = call.args[: MARKERS[call.node.name]]
            if not wanted or not all(
                isinstance(a, nodes.Const) and isinstance(a.value, str) for a in wanted
            ):
                problems.append(f"{filename}:{call.lineno}: {call.node.name}(…) without a text")
    return problems


def _sources(pattern_root: str, suffixes: tuple[str, ...]) -> list[Path]:
    root = ROOT / pattern_root
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in suffixes)


def test_every_marked_message_is_a_literal_that_extraction_sees():
    problems = []
    for path in _sources("engine", (".py",)) + _sources("web", (".py",)):
        problems += python_problems(path.read_text(encoding="utf-8"), shown(path))
    for path in _sources("web/templates", (".html", ".txt")) + _sources(
        "engine/mail/templates", (".html", ".txt")
    ):
        problems += template_problems(path.read_text(encoding="utf-8"), shown(path))
    assert not problems, (
        "these texts never reach the catalogues: write the text in the call, or mark a "
        "constant with N_(…) / keep msg(…) values in the table (see the comment above):\n  "
        + "\n  ".join(problems)
    )


def test_the_literal_rule_catches_what_extraction_would_miss():
    source = (
        "from engine.i18n import N_, msg, nmsg\n"
        "OK = N_('Saved.')\n"
        "TABLE = {'a': 'Step %(title)s'}\n"
        "def f(kind, n, t):\n"
        "    msg('Fine %(x)s', x=1)\n"
        "    _(OK)\n"
        "    msg(TABLE[kind], title=t)\n"
        "    _(t)\n"
        "    nmsg('one', TABLE[kind], n)\n"
        "    gettext(f'Hello {t}')\n"
        "    translations.gettext(t)\n"
        "    Msg('Never extracted')\n"
    )
    found = python_problems(source, "engine/example.py")
    assert [line.split(":")[1] for line in found] == ["7", "8", "9", "10", "11", "12"]
    page = "{{ _('Save') }} {{ _(label) }} {{ ngettext('%(num)d step', plural, n) }} {{ x|msg }}"
    assert len(template_problems(page, "page.html")) == 2
