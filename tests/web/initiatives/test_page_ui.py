"""The one-button forms made in Python write what the macros of initiatives/_ui.html wrote
(web/initiatives/ui.py): the macros as they were, rendered side by side for many inputs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from web.initiatives.ui import PageTools

#: the macros of initiatives/_ui.html before they were made in Python
MACROS = (Path(__file__).parent / "ui_macros.jinja").read_text()

TEXTS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(['a"b', "<script>", "&amp;", "[voormalig lid]", "Stap 3", ""]),
    st.sampled_from([Markup("<b>x</b>"), Markup("Klaar &amp; af")]),
)
ROWS = st.one_of(
    st.none(),
    st.just(False),
    st.integers(0, 99).map(lambda v: SimpleNamespace(version=v)),
)
KEYS = st.sampled_from(["step-done-3", "step-remove-3", "edit", 'x"<'])
FIELDS = st.dictionaries(st.sampled_from(["position", "stage_key", "title"]), TEXTS, max_size=3)


def _both(web_app, failed):
    env = web_app.jinja_env
    page = SimpleNamespace(initiative=SimpleNamespace(version=7))
    token = lambda: "tok<en>"  # noqa: E731
    macros = env.from_string(MACROS).make_module(
        {"page": page, "failed": failed, "csrf_token": token}
    )
    return macros, PageTools(page, failed, token)


@settings(deadline=None, max_examples=150)  # a loaded machine is not a finding
@given(KEYS, TEXTS, TEXTS, st.booleans(), FIELDS, ROWS, st.one_of(st.none(), KEYS))
def test_action_and_hidden(web_app, key, label, context, primary, fields, row, failed):
    with web_app.test_request_context("/"):
        old, new = _both(web_app, failed)
        url = "/initiatives/1/steps/3/done?a=1&b=2"
        assert new.hidden(row) == old.hidden(row)
        assert new.hidden() == old.hidden()
        options = {"context": context, "primary": primary, "fields": fields, "row": row}
        assert new.action(url, key, label, **options) == old.action(url, key, label, **options)
        assert new.action(url, key, label) == old.action(url, key, label)


@settings(deadline=None, max_examples=150)
@given(KEYS, TEXTS, TEXTS, TEXTS, TEXTS, ROWS, st.one_of(st.none(), KEYS))
def test_confirm(web_app, key, label, question, yes, context, row, failed):
    with web_app.test_request_context("/"):
        old, new = _both(web_app, failed)
        url = "/initiatives/1/steps/3/remove"
        assert new.confirm(url, key, label, question, yes, context=context, row=row) == (
            old.confirm(url, key, label, question, yes, context=context, row=row)
        )
        assert new.confirm(url, key, label, question, yes) == old.confirm(
            url, key, label, question, yes
        )
