"""``_()`` of the templates (web/i18n.py) skips the formatting of a sentence without values
or ``%``: what it gives is still what ``sentence % {}`` gives, for every sentence of the
catalogue, escaped or not."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from web.i18n import _say, translations


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_sentence_without_values_as_formatting_gave_it(web_app, locale):
    with web_app.test_request_context("/", headers={"Accept-Language": locale}):
        catalogue = translations()
        ids = [m for m in getattr(catalogue, "_catalog", {}) if isinstance(m, str) and m]
        ids += ["not in the catalogue", "50%% done", "100%% <b>&amp;</b>", "a < b"]
        for msgid in ids:
            if "%(" in msgid:
                continue  # a sentence with values is always formatted
            said = catalogue.ugettext(msgid)
            for autoescape in (True, False):
                expected = (Markup(said) if autoescape else said) % {}
                got = _say(autoescape, msgid, {})
                assert got == expected and type(got) is type(expected), msgid
