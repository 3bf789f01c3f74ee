"""The caseload as a coach uses it: filters, sorting, search, pages, health reasons, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from engine.coach.caseload import Filters, caseload, caseload_row, iter_caseload
from engine.coach.export import caseload_csv
from engine.operations import (
    add_step,
    assign_coach,
    file_support_request,
    pause_initiative,
    raise_concern,
)
from engine.workflows.definitions import Text
from tests import factories

DAY = timedelta(days=1)


def _make(session, when, title, *, wijk="Paddepoel", workflow="proefproces", members=0):
    item = factories.initiative(session, when, title=title, workflow=workflow, members=members)
    if wijk != "Paddepoel":
        item.neighbourhood_id = factories.neighbourhood(session, wijk).id
        session.flush()
    return item


@pytest.fixture
def city(session, now):
    """Six initiatives, each showing something a coach should notice (or not)."""
    coach = factories.staff(session, now, name="Sanne Visser")
    active = _make(session, now - 2 * DAY, "Speeltuin Helpman", wijk="Helpman")
    overdue = _make(session, now - 10 * DAY, "Bankjes aan de kade")
    add_step(
        session, overdue.memberships[0].person, overdue.id, stage_key="proposal",
        title="Offerte opvragen", due_date=date(2026, 11, 24), now=now - 10 * DAY,
    )  # fmt: skip
    stalled = _make(session, now - 45 * DAY, "Stille tuin")
    paused = _make(session, now - 60 * DAY, "Gepauzeerd plein")
    pause_initiative(
        session, paused.memberships[0].person, paused.id, reason="Zomervakantie",
        now=now - 50 * DAY,
    )  # fmt: skip
    finished = _make(session, now - 5 * DAY, "Klaar: Voermanhaven", workflow="vergroening")
    finished.state = "maintenance"
    late = _make(session, now - 40 * DAY, "Wachten op de gemeente", wijk="Helpman")
    file_support_request(
        session, late.memberships[0].person, late.id, kind="permit",
        description="Vergunning voor een buurtfeest op het plein.", now=now - 20 * DAY,
    )  # fmt: skip
    raise_concern(session, coach, stalled.id, reason="Niemand reageert meer.", now=now)
    assign_coach(session, coach, coach_id=coach.id, initiative_id=active.id, now=now)
    session.flush()
    return {
        "coach": coach, "active": active, "overdue": overdue, "stalled": stalled,
        "paused": paused, "finished": finished, "late": late,
    }  # fmt: skip


def _titles(result) -> list[str]:
    return [row.title for row in result.rows]


def _by_title(result) -> dict:
    return {row.title: row for row in result.rows}


def test_every_initiative_with_stage_pace_and_counts(session, now, city):
    result = caseload(session, Filters(), now=now)
    assert result.total == 6 and result.pages == 1
    rows = _by_title(result)
    bankjes = rows["Bankjes aan de kade"]
    assert bankjes.stage_title == Text("Voorstel", "Proposal")
    assert (bankjes.days_in_stage, bankjes.overdue_steps, bankjes.waiting_requests) == (10, 1, 0)
    assert (bankjes.district, bankjes.neighbourhood, bankjes.workflow) == (
        "West", "Paddepoel", "proefproces",
    )  # fmt: skip
    waiting = rows["Wachten op de gemeente"]
    assert (waiting.waiting_requests, waiting.respond_by) == (1, date(2026, 11, 20))
    assert waiting.last_activity_dt == now - 20 * DAY  # filing the request was activity
    assert rows["Speeltuin Helpman"].coaches == ["Sanne Visser"]
    # the default order: longest without activity first
    assert _titles(result)[0] == "Gepauzeerd plein"


@pytest.mark.parametrize(
    ("status", "titles"),
    [
        ("active", {"Speeltuin Helpman", "Bankjes aan de kade", "Wachten op de gemeente"}),
        ("stalled", {"Stille tuin"}),
        ("paused", {"Gepauzeerd plein"}),
        ("finished", {"Klaar: Voermanhaven"}),
    ],
)
def test_status_filters(session, now, city, status, titles):
    result = caseload(session, Filters(status=status), now=now)
    assert set(_titles(result)) == titles
    assert {row.status for row in result.rows} == {status}
    assert result.total == len(titles)


def test_a_paused_initiative_is_never_stalled(session, now, city):
    row = caseload_row(session, city["paused"].id, now=now)
    assert row.status == "paused"
    assert (now - row.last_activity_dt).days == 50
    assert [s.kind for s in row.signals] == []
    assert caseload_row(session, city["paused"].id, now=now, stalled_days=10).status == "paused"


def test_stalled_is_measured_in_configurable_days(session, now, city):
    assert caseload_row(session, city["overdue"].id, now=now).status == "active"
    assert caseload_row(session, city["overdue"].id, now=now, stalled_days=7).status == "stalled"


def test_each_health_signal_says_why(session, now, city):
    def reasons(name: str) -> list[str]:
        row = caseload_row(session, city[name].id, now=now)
        return [s.reason.render() for s in row.signals]

    assert reasons("active") == []
    assert reasons("overdue") == ["1 open step is past its due date."]
    assert reasons("stalled") == [
        "Concern flagged by Sanne Visser: Niemand reageert meer.",
        "Stalled: no activity for 45 days.",
    ]
    assert reasons("late") == ["A support request is 7 days past its respond-by date."]


def test_a_respond_by_that_comes_near_is_a_signal_before_it_passes(session, now, city):
    item = city["active"]
    member = item.memberships[0].person
    # filed on Monday 16 November: ten working days later is Monday 30 November
    factories.filed_request(session, item, member, now - 11 * DAY)
    row = caseload_row(session, item.id, now=now)
    assert [s.reason.render() for s in row.signals] == [
        "A support request must be answered within 1 working day."
    ]
    assert [s.level for s in row.signals] == ["warn"]


def test_filters_by_place_template_stage_coach_and_search(session, now, city):
    helpman = factories.neighbourhood(session, "Helpman")

    def titles(**kw) -> set[str]:
        return set(_titles(caseload(session, Filters(**kw), now=now)))

    zuid = {"Speeltuin Helpman", "Wachten op de gemeente"}
    assert titles(district_id=helpman.district_id) == zuid
    assert titles(neighbourhood_id=helpman.id) == zuid
    assert titles(workflow="vergroening") == {"Klaar: Voermanhaven"}
    assert titles(stage="maintenance") == {"Klaar: Voermanhaven"}
    assert titles(coach_id=city["coach"].id) == {"Speeltuin Helpman"}
    assert titles(search="TUIN") == {"Stille tuin", "Speeltuin Helpman"}
    assert titles(search="tuin", district_id=helpman.district_id) == {"Speeltuin Helpman"}
    assert titles(workflow="no-such-template") == set()


def test_a_district_assignment_puts_its_initiatives_in_the_coachs_caseload(session, now, city):
    colleague = factories.staff(session, now)
    west = factories.neighbourhood(session, "Paddepoel").district_id
    assign_coach(session, colleague, coach_id=colleague.id, district_id=west, now=now)
    result = caseload(session, Filters(coach_id=colleague.id), now=now)
    assert result.total == 4 and "Speeltuin Helpman" not in _titles(result)


def test_search_treats_wildcards_as_text(session, now, city):
    _make(session, now, "100% groen")
    assert _titles(caseload(session, Filters(search="%"), now=now)) == ["100% groen"]
    assert _titles(caseload(session, Filters(search="_"), now=now)) == []


@pytest.mark.parametrize(
    ("sort", "direction", "first"),
    [
        ("title", "asc", "Bankjes aan de kade"),
        ("title", "desc", "Wachten op de gemeente"),
        ("days_in_stage", "desc", "Gepauzeerd plein"),
        ("days_in_stage", "asc", "Speeltuin Helpman"),
        ("last_activity", "desc", "Speeltuin Helpman"),
        ("overdue", "desc", "Bankjes aan de kade"),
        ("respond_by", "asc", "Wachten op de gemeente"),
        ("place", "desc", "Wachten op de gemeente"),
    ],
)
def test_sorting(session, now, city, sort, direction, first):
    result = caseload(session, Filters(sort=sort, direction=direction), now=now)
    assert _titles(result)[0] == first
    assert result.total == 6


@pytest.mark.parametrize(
    ("sort", "direction"),
    [("title", "asc"), ("overdue", "desc"), ("place", "desc"), ("respond_by", "asc"),
     ("last_activity", "asc")],
)  # fmt: skip
def test_pages_cover_every_row_once_in_order(session, now, city, sort, direction):
    factories.bulk_initiatives(session, now, 30, title="Buurtactie")
    seen = []
    for page in (1, 2, 3, 4):
        result = caseload(
            session, Filters(sort=sort, direction=direction, page=page, per_page=10), now=now
        )
        assert result.total == 36 and result.pages == 4
        seen += _titles(result)
    assert len(seen) == len(set(seen)) == 36
    whole = caseload(session, Filters(sort=sort, direction=direction, per_page=50), now=now)
    assert _titles(whole) == seen


def test_a_page_past_the_end_shows_the_last_page(session, now, city):
    factories.bulk_initiatives(session, now, 30, title="Buurtactie")
    past_the_end = caseload(session, Filters(sort="title", page=99, per_page=10), now=now)
    assert (past_the_end.total, past_the_end.filters.page, len(past_the_end.rows)) == (36, 4, 6)
    nothing = caseload(session, Filters(search="bestaat niet", page=3), now=now)
    assert (nothing.total, nothing.filters.page, nothing.rows) == (0, 1, [])


def test_unknown_filter_values_fall_back_to_the_defaults(session, now, city):
    result = caseload(
        session, Filters(status="sleeping", sort="colour", direction="up", per_page=7, page=-3),
        now=now,
    )  # fmt: skip
    assert (result.filters.status, result.filters.sort, result.filters.direction) == (
        None, "last_activity", "asc",
    )  # fmt: skip
    assert (result.filters.per_page, result.filters.page, result.total) == (25, 1, 6)


def _csv_rows(rows) -> list[list[str]]:
    text = "".join(caseload_csv(rows, render=lambda m: m.render(), title=lambda t: t.en))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_holds_exactly_the_filtered_rows_in_order(session, now, city):
    factories.bulk_initiatives(session, now - 40 * DAY, 12, title="Stil project")
    filters = Filters(status="stalled", sort="title", per_page=10)
    pages = [caseload(session, Filters(**{**filters.__dict__, "page": p}), now=now) for p in (1, 2)]
    on_pages = [row.id for page in pages for row in page.rows]
    header, *lines = _csv_rows(iter_caseload(session, filters, now=now, chunk=5))
    assert header[:3] == ["Number", "Initiative", "District"]
    assert [int(line[0]) for line in lines] == on_pages and len(lines) == 13
    stille = next(line for line in lines if line[1] == "Stille tuin")
    assert stille[5:8] == ["Proposal", "Stalled", "45"]
    assert "Concern flagged by Sanne Visser" in stille[-1]


def test_the_csv_does_not_let_a_title_become_a_spreadsheet_formula(session, now, city):
    _make(session, now, '=HYPERLINK("http://evil.example")')
    _, *lines = _csv_rows(iter_caseload(session, Filters(search="HYPERLINK"), now=now))
    assert lines[0][1] == '\'=HYPERLINK("http://evil.example")'


@pytest.mark.parametrize(
    "title, shown",
    [
        ("Tuin;=cmd|' /C calc'!A0", "Tuin;'=cmd|' /C calc'!A0"),
        ("Kade; +1+1", "Kade; '+1+1"),
        ("Plein|@SUM(A1)", "Plein|'@SUM(A1)"),
        ("-2 bomen", "'-2 bomen"),
        ("Gewoon een tuin, met bankjes", "Gewoon een tuin, met bankjes"),
    ],
)
def test_no_piece_of_a_field_becomes_a_formula_in_a_dutch_spreadsheet(
    session, now, city, title, shown
):
    _make(session, now, title)
    _, *lines = _csv_rows(iter_caseload(session, Filters(search=title[:4]), now=now))
    line = next(line for line in lines if line[1].startswith(shown[:4]))
    assert line[1] == shown
    for cell in line:  # whatever splits the cell again, no piece starts a formula
        for piece in re.split(r"[;,\n|]", cell):
            assert not piece.lstrip().startswith(("=", "+", "-", "@")), cell


@pytest.fixture
def crowded(session, now, city):
    """Enough initiatives for a page of 50, each with steps, requests, concerns and coaches."""
    coach = city["coach"]
    ids = factories.bulk_initiatives(session, now - 5 * DAY, 60, title="Drukte")
    for iid in ids[:55]:
        assign_coach(session, coach, coach_id=coach.id, initiative_id=iid, now=now)
    for iid in ids[:5]:
        raise_concern(session, coach, iid, reason="Kijk even mee.", now=now)
    return ids


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 1),  # the rows, each carrying the count
        ({"status": "active", "search": "Drukte", "sort": "overdue"}, 2),  # + final stages
    ],
)
def test_the_number_of_statements_per_page_does_not_grow_with_the_page_size(
    session, now, crowded, city, filters, expected
):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = session.get_bind().engine
    filters = {**filters, "coach_id": city["coach"].id} if filters else filters
    caseload(session, Filters(per_page=10, **filters), now=now)  # warm: template facts cached
    event.listen(engine, "before_cursor_execute", count)
    try:
        sizes = {}
        for per_page in (10, 50):
            statements.clear()
            result = caseload(session, Filters(per_page=per_page, **filters), now=now)
            assert len(result.rows) == per_page
            sizes[per_page] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sizes[10] == sizes[50] == expected, statements


def test_a_caseload_beyond_the_cap_says_more_than_and_keeps_paging(session, now, monkeypatch):
    import engine.coach.caseload as caseload_module
    import engine.coach.caseload_sql as sql_module

    monkeypatch.setattr(sql_module, "COUNT_CAP", 12)
    monkeypatch.setattr(caseload_module, "COUNT_CAP", 12)
    sql_module.statements.cache_clear()
    try:
        for n in range(15):
            _make(session, now - n * DAY, f"Initiatief {n}")
        first = caseload(session, Filters(per_page=10), now=now)
        assert first.capped and first.total == 13  # counted one past the cap, then it stops
        assert first.pages == 2 and len(first.rows) == 10
        second = caseload(session, Filters(per_page=10, page=2), now=now)
        assert len(second.rows) == 5  # the rows themselves are all there
        beyond = caseload(session, Filters(per_page=10, page=9), now=now)
        assert beyond.filters.page == 2 and len(beyond.rows) == 5
        small = caseload(session, Filters(per_page=10, search="Initiatief 3"), now=now)
        assert not small.capped and small.total == 1
    finally:
        sql_module.statements.cache_clear()
