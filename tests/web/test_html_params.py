"""Our html_params gives WTForms' own markup, attribute for attribute (web/html_params.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from web.html_params import ORIGINAL, html_params

KEYS = st.sampled_from(
    ["id", "name", "class_", "for_", "data_count_max", "aria_describedby", "value", "type",
     "checked", "selected", "required", "disabled", "maxlength", "a<b", 'q"uote', "x&y_"]
)  # fmt: skip
VALUES = st.one_of(
    st.booleans(),
    st.integers(),
    st.none(),
    st.text(),
    st.text().map(Markup),
    st.sampled_from(['a"b', "<script>", "&amp;", Markup('raw "quote"'), Markup("<b>x</b>")]),
)


@settings(deadline=None)  # a loaded machine is not a finding
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_the_same_markup_as_wtforms(params):
    ours, theirs = html_params(**params), ORIGINAL(**params)
    assert ours == theirs
    assert isinstance(ours, Markup)


def test_a_rendered_field_is_unchanged(web_app):
    from web.initiatives.forms import EditInitiativeForm

    with web_app.test_request_context("/"):
        form = EditInitiativeForm(formdata=None, data={"title": 'Een "mooi" <plan> & meer'})
        rendered = str(form.title(class_="utrecht-textbox", aria_invalid="true"))
    assert 'value="Een &#34;mooi&#34; &lt;plan&gt; &amp; meer"' in rendered
    assert 'aria-invalid="true"' in rendered and 'class="utrecht-textbox"' in rendered


def test_every_widget_uses_ours(web_app):
    """Input and Button keep html_params as a class attribute: it is ours there too."""
    from wtforms.widgets import Button, Input, TextInput

    assert Input.html_params is html_params
    assert TextInput.html_params is html_params
    assert Button.html_params is html_params
