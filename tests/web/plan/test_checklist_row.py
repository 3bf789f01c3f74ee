"""The checklist's steps without tools, made in Python (web/plan/checklist.py), write what the
template wrote: plan/_checklist.html as it was (checklist_before.jinja) and as it is, rendered
side by side for the public's view of many steps, in both languages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

from flask import render_template_string
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.workflows.definitions import Text

BEFORE = (Path(__file__).parent / "checklist_before.jinja").read_text()
AFTER = "{% include 'plan/_checklist.html' %}"

TEXTS = st.one_of(
    st.text(max_size=10),
    st.sampled_from(['a"b', "<script>", "&amp;", "[voormalig lid]", "Stap 3 · 50%", ""]),
)
MOMENTS = st.one_of(
    st.none(), st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1))
)


@st.composite
def steps(draw, number):
    done = draw(st.booleans())
    closed_dt = None if done else draw(MOMENTS)
    moment = draw(MOMENTS)
    step = SimpleNamespace(
        id=number,
        title=draw(TEXTS),
        is_done=done,
        is_closed=closed_dt is not None,
        is_open=not done and closed_dt is None,
        closed_dt=closed_dt.replace(tzinfo=UTC) if closed_dt else None,
        done_dt=moment.replace(tzinfo=UTC) if moment else None,
        due_date=draw(st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 1, 1)))),
        carried_from=draw(st.sampled_from([None, "", "proposal", "gone", "own-1"])),
    )
    return SimpleNamespace(step=step, owner_name=draw(st.one_of(st.none(), TEXTS)))


def _page(stage_steps, language):
    stages = {
        "proposal": SimpleNamespace(title=Text("Voorstel", "Proposal")),
        "own-1": SimpleNamespace(title=Text("Eigen <fase>", "Own <stage>")),
    }
    stage = SimpleNamespace(
        key="visioning", title=Text("Samen ontwerpen", "Design together"),
        steps=stage_steps, editable=True, suggestions=[],
    )  # fmt: skip
    page = SimpleNamespace(is_member=False, stage=stages.get)
    return {"page": page, "stage": stage, "initiative": SimpleNamespace(language=language)}


@settings(deadline=None, max_examples=60)  # a loaded machine is not a finding
@given(
    st.lists(st.integers(1, 999), max_size=4, unique=True).flatmap(
        lambda ids: st.tuples(*[steps(i) for i in ids])
    ),
    st.sampled_from(["nl", "en"]),
    st.sampled_from(["nl", "en", None]),
)
def test_the_public_sees_the_same_steps(web_app, stage_steps, reader, language):
    context = _page(list(stage_steps), language)
    with web_app.test_request_context("/", headers={"Accept-Language": reader}):
        before = render_template_string(BEFORE, failed=None, **context)
    with web_app.test_request_context("/", headers={"Accept-Language": reader}):
        after = render_template_string(AFTER, failed=None, **context)
    assert after == before


def test_the_checklist_words_stay_in_the_catalogues():
    """The words moved from the template into Python are still found by extraction (marked with
    ``N_``): unmarked, the next ``verbinding translations update`` would drop them from the
    catalogues and a Dutch page would say "Closed, not done"."""
    from engine.i18n_tools import PARTS, extract
    from web.plan.checklist import WORDS

    found = extract(PARTS["web"])
    assert [w for w in WORDS.values() if found.get(w) is None] == []


EDITABLE_BEFORE = (Path(__file__).parent / "checklist_editable_before.jinja").read_text()
#: the page's pieces, imported as initiatives/show.html imports them for the whole page
WITH_UI = '{% import "initiatives/_ui.html" as ui with context %}'
_OL = re.compile(r'<ol class="vb-checklist".*?</ol>', re.S)
_TOKEN = re.compile(r'(?<=name="csrf_token" value=")[^"]+')


@settings(deadline=None, max_examples=60)  # a loaded machine is not a finding
@given(
    st.lists(st.integers(1, 999), min_size=1, max_size=4, unique=True).flatmap(
        lambda ids: st.tuples(*[steps(i) for i in ids])
    ),
    st.sampled_from(["nl", "en"]),
    st.sampled_from(["nl", "en", None]),
)
def test_the_group_sees_the_same_steps_and_tools(web_app, stage_steps, reader, language):
    """A stage the group may change: every step with its tools (done or reopen, up, down,
    remove) and its link to change it, as the template wrote them (plan/_checklist.html as it
    was, checklist_editable_before.jinja) and as Python writes them (editable_step)."""
    context = _page(list(stage_steps), language)
    context["page"].is_member = True
    context["page"].initiative = SimpleNamespace(id=7, version=3)
    context["initiative"].id = 7
    for view in stage_steps:
        view.step.version = view.step.id % 5
    # the stage's "add a step" form under the list (not compared: the list is)
    from web.plan.forms import StepForm, owner_choices

    context["forms"] = SimpleNamespace(
        step_new=lambda stage: StepForm(formdata=None, data={"stage_key": stage.key}).set_owners(
            owner_choices([])
        )
    )
    written = {}
    for name, template in (("before", EDITABLE_BEFORE), ("after", AFTER)):
        with web_app.test_request_context("/", headers={"Accept-Language": reader}):
            page = render_template_string(WITH_UI + template, failed=None, **context)
        # each request makes its own CSRF token
        written[name] = _TOKEN.sub("TOKEN", _OL.search(page).group(0))
    assert "vb-step__tools" in written["after"] and "/steps/" in written["after"]
    assert written["after"] == written["before"]
