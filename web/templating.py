"""Jinja's templates, with two private steps made cheaper.

Every ``{% from "_macros.html" import ... %}`` of an included template asks Jinja for the
imported template's module (``Template._get_default_module``), and Jinja first works out which
globals the importing template has that the imported one lacks: ``set - ChainMap.keys()``,
which tests each key against the chain of dictionaries in Python, a dozen times per initiative
page. ``set.difference`` walks the chain once, in C, and gives the same keys; the rest is
Jinja's own code, unchanged.

Every ``{{ value }}`` of an autoescaped template calls ``escape``, well over a thousand times
on a member's initiative page. MarkupSafe's ``escape`` wraps its C escaping in two Python calls
(``escape``, then ``Markup.__new__``), and escapes once more what is already ``Markup`` (the
rows and forms made in Python) through ``__html__``. ``escape`` below gives the same string for
every value, a plain ``str`` in one Python call and a ``Markup`` as it is (tests/web/
test_templating.py); the template modules use it instead of MarkupSafe's.
"""

from __future__ import annotations

from typing import Any

import jinja2
import markupsafe
from markupsafe import Markup

from web.i18n import _finalize

try:  # MarkupSafe's escaping of a plain string: C, or its pure-Python fallback
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - a build of MarkupSafe without its C part
    from markupsafe._native import _escape_inner

_new_str = str.__new__
#: a plain ``str`` escaped, as a plain ``str`` (what ``escape`` wraps in ``Markup``)
escape_str = _escape_inner


def escape(value: Any, /) -> Markup:
    """``markupsafe.escape(value)``, cheaper for the two kinds a page writes most."""
    kind = type(value)
    if kind is str:
        # what Markup(_escape_inner(value)) makes, without Markup.__new__'s Python frame
        return _new_str(Markup, _escape_inner(value))
    if kind is Markup:
        return value  # already safe: markupsafe.escape gives an equal Markup
    return markupsafe.escape(value)


def out(value: Any, /) -> str:
    """What ``{{ value }}`` writes in an autoescaped template (the environment's ``finalize``,
    then escaped), as plain text to put into markup made in Python (web/initiatives/ui.py,
    web/fields.py, web/plan/checklist.py: some 650 values of a member's initiative page)."""
    value = _finalize(value)
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:
        return str(value)
    return str(markupsafe.escape(value))


class Template(jinja2.Template):
    def _get_default_module(self, ctx: Any = None) -> Any:
        if ctx is not None and not self.environment.is_async:
            keys = ctx.globals_keys.difference(self.globals)
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
            ctx = None  # nothing new: Jinja's cached module serves
        return super()._get_default_module(ctx)

    @classmethod
    def _from_namespace(cls, environment: Any, namespace: Any, globals: Any) -> Any:
        # the compiled module imported jinja2.runtime's escape (MarkupSafe's); its render
        # functions look ``escape`` up in this namespace when they run
        if "escape" in namespace:
            namespace["escape"] = escape
        return super()._from_namespace(environment, namespace, globals)


def install(app: Any) -> None:
    """Before any template is loaded: the loaders build templates of this class."""
    app.jinja_env.template_class = Template
