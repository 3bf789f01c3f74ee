"""web/templating.py: Jinja's module lookup for ``{% from ... import %}`` and the templates'
``escape``, made cheaper, give what Jinja's and MarkupSafe's own give."""

from __future__ import annotations

import jinja2
import markupsafe
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from engine.i18n import FORMER_MEMBER
from web import create_app
from web.i18n import _finalize
from web.templating import Template, escape, out


def _env(template_class: type[jinja2.Template]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "macros.html": "{% macro hi(n) %}{{ greet }} {{ n }}{% endmacro %}",
                "page.html": '{% from "macros.html" import hi %}{{ hi(name) }}',
                "own.html": '{% from "macros.html" import hi %}{{ hi(name) }}',
            }
        )
    )
    env.template_class = template_class
    env.globals["greet"] = "hallo"
    return env


def test_the_same_output_and_cached_module_as_jinja():
    ours, theirs = _env(Template), _env(jinja2.Template)
    for env in (ours, theirs):
        assert env.get_template("page.html").render(name="Anna") == "hallo Anna"
    module = ours.get_template("macros.html")._module
    ours.get_template("page.html").render(name="Joost")
    assert ours.get_template("macros.html")._module is module  # no new module per import


def test_globals_the_importer_has_and_the_import_lacks_still_reach_the_macros():
    said = []
    for cls in (Template, jinja2.Template):
        env = _env(cls)
        env.loader.mapping["macros.html"] = "{% macro hi(n) %}{{ mood }} {{ n }}{% endmacro %}"
        # a global of the importing template only (``get_template(globals=...)``)
        said.append(env.get_template("own.html", globals={"mood": "blij"}).render(name="Fatima"))
    assert said == ["blij Fatima", "blij Fatima"]


def test_the_app_builds_its_templates_of_this_class():
    app = create_app({"TESTING": True, "VERBINDING_DATABASE_URL": "sqlite://"})
    assert isinstance(app.jinja_env.get_template("_macros.html"), Template)


# -- escape ------------------------------------------------------------------------------------


class _Safe:
    def __html__(self) -> str:
        return "<b>safe</b>"


class _Text:
    def __str__(self) -> str:
        return "<i>&'\"</i>"


class _Str(str):
    """A str subclass (a lazy string's kind): escaped as MarkupSafe does, not taken as safe."""


@given(
    st.one_of(
        st.text(),
        st.text().map(Markup),
        st.text().map(Markup.escape),
        st.text().map(_Str),
        st.integers(),
        st.floats(allow_nan=False),
        st.none(),
        st.booleans(),
        st.just(_Safe()),
        st.just(_Text()),
    )
)
def test_escape_gives_what_markupsafe_gives(value):
    ours, theirs = escape(value), markupsafe.escape(value)
    assert type(ours) is Markup
    assert ours == theirs


def test_the_templates_escape_with_it_and_a_value_is_still_escaped():
    env = _env(Template)
    env.autoescape = True
    env.loader.mapping["x.html"] = "{{ text }}|{{ safe }}|{{ number }}"
    page = env.get_template("x.html")
    assert page.root_render_func.__globals__["escape"] is escape
    said = page.render(text="<script>alert('x')</script>", safe=Markup("<b>ok</b>"), number=3)
    assert said == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;|<b>ok</b>|3"


@given(
    st.one_of(
        st.text(),
        st.text().map(Markup),
        st.text().map(_Str),
        st.integers(),
        st.none(),
        st.just(_Safe()),
        st.just(_Text()),
    )
)
def test_out_writes_what_a_template_writes_as_plain_text(value):
    """``out`` (the markup made in Python) against ``str(escape(finalize(value)))``, what the
    helpers wrote before; plain text, so that adding to it escapes nothing."""
    said = out(value)
    assert type(said) is str
    assert said == str(markupsafe.escape(_finalize(value)))


def test_out_writes_a_deleted_account_in_the_readers_language():
    app = create_app({"TESTING": True, "VERBINDING_DATABASE_URL": "sqlite://"})
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        said = out(f"<b>{FORMER_MEMBER}</b>")
        assert FORMER_MEMBER not in said and said.startswith("&lt;b&gt;")
        assert said == str(markupsafe.escape(_finalize(f"<b>{FORMER_MEMBER}</b>")))
