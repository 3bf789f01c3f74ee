"""``_l`` of the forms (web/i18n.py) says what Flask-Babel's lazy_gettext says."""

from __future__ import annotations

import flask_babel
import pytest

from web.i18n import lazy_gettext, reader_changed


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_same_as_flask_babels(web_app, locale):
    with web_app.test_request_context("/", headers={"Accept-Language": locale}):
        for string, variables in [
            ("Who takes it on", {}),
            ("Give the step a title.", {}),
            ("At most %(max)d characters.", {"max": 80}),
            ("not in the catalogue", {}),
        ]:
            ours = lazy_gettext(string, **variables)
            theirs = flask_babel.lazy_gettext(string, **variables)
            assert str(ours) == str(theirs)
            assert ours.__html__() == theirs.__html__()
        if locale == "nl":
            assert str(lazy_gettext("Who takes it on")) != "Who takes it on"


def test_said_in_the_language_of_the_moment(web_app):
    label = lazy_gettext("Who takes it on")
    with web_app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert str(label) == "Who takes it on"
    with web_app.test_request_context("/", headers={"Accept-Language": "nl"}):
        dutch = str(label)
        reader_changed()
        assert str(label) == dutch != "Who takes it on"
