"""What the fuzzer sends: every route of the app (from ``app.url_map``), with path arguments,
query parameters and form fields drawn from what exists, what is plausible and what is hostile."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask import Flask
from hypothesis import strategies as st
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

#: endpoints left out: logging out would end the role's session for the rest of the run
SKIP = {"static", "auth.logout"}
#: every query parameter a view reads (grep request.args in web/)
QUERY_NAMES = (
    "page", "per_page", "q", "stadsdeel", "wijk", "coach", "status", "sort", "dir", "template",
    "stage", "show", "role", "next",
)  # fmt: skip
#: the values that broke something once (issue 13), and their neighbours
HOSTILE = (
    "", "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
    "9223372036854775808", "1" * 30, "²", "٣", "1_000", " 7 ", "1e309", "NaN", "0x10",
    "0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01", "2027-02-29", "2027-13-01",
    "\x00", "a\x00b", "\x1b[2J", "\u202e", "\ud7ff", "\ufeff", "=cmd|' /C calc'!A0", "a;=1+1",
    "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "//evil.example",
    "https://evil.example/", "x" * 5000, "on", "true", "me", "all", "accept", "decline",
    "member", "initiator", "partner", "chair", "coach", "admin", "public", "members", "open",
    "weekly", "monthly", "FREQ=DAILY", "FREQ=YEARLY;BYMONTHDAY=31;BYMONTH=2", "turn-1",
    "person-1", "nl", "en",
)  # fmt: skip


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    data: dict[str, str]

    def __str__(self) -> str:
        return f"{self.method} {self.url} {self.data!r}"


def routes(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIP),
        key=lambda r: (r.rule, sorted(r.methods or ())),
    )


def form_field_names() -> set[str]:
    """Every field of every form class in web/ (a form discovered without its page)."""
    from flask_wtf import FlaskForm

    names: set[str] = set()
    stack = list(FlaskForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        names.update(n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField))
    return names | {"version", "expected_version", "next", "role", "assignment_id"}


def values(known: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        *([st.sampled_from(known)] if known else []),
    )


def _path_value(name: str, known: dict[str, list[str]]) -> st.SearchStrategy[str]:
    ids = known.get(name, [])
    hostile = st.one_of(
        st.sampled_from(["0", "2147483648", "9223372036854775808", "²", "%00", "a%00b", "x"]),
        st.text(alphabet=string.printable, min_size=1, max_size=20).map(
            lambda t: quote(t, safe="")
        ),
    )
    if not ids:
        return hostile
    existing = st.sampled_from(ids)
    return st.one_of(existing, existing, existing, hostile)  # mostly past the 404, into the view


@st.composite
def calls(draw, app_routes: list[Rule], world, all_names: list[str]) -> Call:
    rule = draw(st.sampled_from(app_routes))
    methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    method = draw(st.sampled_from(methods))
    url = rule.rule
    for argument in rule.arguments:
        value = draw(_path_value(argument, world.known))
        url = url.replace(f"<int:{argument}>", value).replace(f"<{argument}>", value)
    anything = values([v for ids in world.known.values() for v in ids])
    query = draw(st.dictionaries(st.sampled_from(QUERY_NAMES), anything, max_size=4))
    if query:
        url += "?" + "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query.items())
    data: dict[str, str] = {}
    if method == "POST":
        page_form = world.forms.get(url.split("?")[0], {})
        if page_form and draw(st.booleans()):
            data.update(page_form)  # as the page sent it, then some fields changed
            names = sorted(page_form)
            changed = draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True))
            for name in changed:
                data[name] = draw(anything)
        else:
            extra = draw(st.dictionaries(st.sampled_from(all_names), anything, max_size=8))
            data.update(extra)
        if draw(st.integers(0, 19)):  # mostly with a good CSRF token: past it is where bugs live
            data["csrf_token"] = world.csrf
    return Call(method, url, data)
