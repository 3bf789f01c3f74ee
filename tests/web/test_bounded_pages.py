"""The city-wide pages stay bounded: the same statements and rows with 50 initiatives or 500.

A city of its own (its own database of each kind): a coach of stadsdeel West with a calendar
feed, a resident group with steps, and bare initiatives with history and calendar entries (one
inside the feed's window each, more than a feed holds; the rest far off). Each page is read at
50 initiatives, the city grows to 500, and each page is read again.
"""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from engine.coach import caseload as caseload_module
from engine.coach import caseload_sql
from engine.db import make_session_factory, utcnow
from engine.models import CoachAssignment, District, Event, Person, SupportRequest
from engine.models.reminders import CalendarEntry
from engine.operations import add_step
from engine.reminders import calendar as calendar_module
from engine.reminders import feed_scope
from engine.reminders.calendar import make_feed
from engine.timeutil import local_date
from tests import factories
from tests.conftest import DB_KINDS, prepared_database
from tests.support import counted, login
from tests.web.conftest import make_app
from web.feed_cache import feed_cache

DAY = timedelta(days=1)
SIZES = (50, 500)


@pytest.fixture(scope="module", params=DB_KINDS)
def city(request, tmp_path_factory, smtp_sink):
    tmp = tmp_path_factory.mktemp("bounded")
    engine = prepared_database(request.param, tmp, "bounded")
    url = engine.url.render_as_string(hide_password=False)
    now = utcnow()
    with make_session_factory(engine)() as session:
        coach = factories.staff(session, now, name="Sanne Visser")
        west = session.scalar(select(District.id).where(District.name == "West"))
        session.add(CoachAssignment(coach_id=coach.id, district_id=west, created_dt=now))
        item = factories.initiative(session, now - 40 * DAY, members=3, title="Aaa eigen plan")
        anna = item.memberships[0].person
        for n in range(5):
            add_step(
                session, anna, item.id, stage_key="proposal", title=f"Stap {n}", now=now,
                due_date=local_date(now) + (n - 2) * DAY,
            )  # fmt: skip
        coach_feed = make_feed(session, coach, now).token
        anna_feed = make_feed(session, anna, now).token
        session.commit()
        ids = {"coach": coach.email, "anna": anna.email, "item": item.id}
        ids |= {"coach_feed": coach_feed, "anna_feed": anna_feed}
    engine.dispose()
    app = make_app(url, tmp / "instance", smtp_sink.url)
    # every feed request builds its body here: what is bounded is the building (a poll of an
    # unchanged feed sent from the process's copy: tests/web/reminders/test_feed_cache.py)
    feed_cache(app).limit = 0
    grow(app, SIZES[0] - 1, now)
    yield app, ids, now
    app.extensions["verbinding"].close()


def grow(app, count: int, now) -> None:
    """``count`` more initiatives, each moved once, with deadlines outside a feed's window."""
    session = app.extensions["verbinding"].sessions()
    try:
        ids = factories.bulk_initiatives(session, now - 60 * DAY, count, title=f"Buurtplan {count}")
        today = local_date(now)
        session.execute(
            insert(Event),
            [
                {
                    "initiative_id": i, "actor_id": None, "created_dt": now - (i % 30) * DAY,
                    "kind": "transition", "from_stage": "proposal", "to_stage": "visioning",
                    "data": {"trigger": "start"},
                }
                for i in ids
            ],
        )  # fmt: skip
        session.execute(
            insert(CalendarEntry),
            [
                {
                    "key": f"bulk:{i}:{when}", "source": "bulk", "initiative_id": i,
                    "kind": "stage_target", "title": {"nl": "Doel", "en": "Target"},
                    "link": f"/initiatives/{i}", "entry_date": today + when * DAY,
                    "sequence": 0, "is_cancelled": False, "created_dt": now, "updated_dt": now,
                }
                for i in ids
                for when in (-400, 10, 800)
            ],
        )  # fmt: skip
        # a support request each: waiting (in time or late), answered on time or late, or
        # withdrawn (the overview's "answered on time" reads kept tallies, not these)
        asker = session.scalar(select(Person.id).order_by(Person.id).limit(1))
        session.execute(insert(SupportRequest), [_request(i, asker, now) for i in ids])
        session.commit()
    finally:
        session.close()


def _request(i: int, asker: int, now) -> dict:
    status = ("submitted", "acknowledged", "accepted", "declined", "withdrawn")[i % 5]
    answered = now - (i % 7) * DAY if status in ("accepted", "declined") else None
    return {
        "initiative_id": i, "kind": "works", "description": "Asfalt weghalen.",
        "status": status, "requested_by_id": asker, "created_dt": now - 20 * DAY,
        "respond_by_date": local_date(now) + ((i % 9) - 4) * DAY, "answered_dt": answered,
        "answered_on": local_date(answered) if answered else None, "version": 1,
    }  # fmt: skip


def _client(app, email: str | None):
    client = app.test_client()
    client.get("/language/en")
    if email:
        login(client, email, factories.PASSWORD)
    return client


#: page → (who reads it, what counts as one row of it)
PAGES = {
    "/": (None, r'<li class="vb-card">'),
    "/?per_page=12&fase=proposal": (None, r'<li class="vb-card">'),
    "/?q=Buurtplan&per_page=48": ("anna", r'<li class="vb-card">'),
    "/coach/?per_page=25": ("coach", r'href="/coach/initiatives/\d+"'),
    "/coach/?sort=overdue&direction=desc": ("coach", r'href="/coach/initiatives/\d+"'),
    "/coach/?status=stalled": ("coach", r'href="/coach/initiatives/\d+"'),
    "/coach/?sort=stage": ("coach", r'href="/coach/initiatives/\d+"'),
    "/coach/?sort=days_in_stage&direction=desc": ("coach", r'href="/coach/initiatives/\d+"'),
    "/coach/?sort=waiting&direction=desc": ("coach", r'href="/coach/initiatives/\d+"'),
    "/coach/?sort=respond_by": ("coach", r'href="/coach/initiatives/\d+"'),
    "/coach/?sort=respond_by&direction=desc": ("coach", r'href="/coach/initiatives/\d+"'),
    "/coach/overview": ("coach", r"<tr"),
    "/calendar/{coach_feed}.ics": (None, r"BEGIN:VEVENT"),
    "/calendar/{anna_feed}.ics": (None, r"BEGIN:VEVENT"),
    "/initiatives/{item}": ("anna", r'class="vb-step'),
}


def _read(app, ids) -> dict[str, tuple[int, int]]:
    clients = {who: _client(app, ids.get(who)) for who in (None, "anna", "coach")}
    found = {}
    for path, (who, row) in PAGES.items():
        url = path.format(**ids)
        clients[who].get(url)  # warm: caches of templates and definitions
        with counted(app) as statements:
            response = clients[who].get(url)
            body = response.get_data(as_text=True)
        assert response.status_code == 200, (url, response.status_code)
        found[path] = (len(statements), len(re.findall(row, body)))
    return found


#: pages whose statements must read a page of rows, not the city: the caseload's default order,
#: its other sorts (by indexes and kept figures) and the stalled filter, the coach overview
#: (from kept counts) and the district coach's feed (a capped walk of its window)
WORK_PAGES = (
    "/coach/?per_page=25",
    "/coach/?sort=overdue&direction=desc",
    "/coach/?status=stalled",
    "/coach/?sort=stage",
    "/coach/?sort=days_in_stage&direction=desc",
    "/coach/?sort=waiting&direction=desc",
    "/coach/?sort=respond_by",
    "/coach/?sort=respond_by&direction=desc",
    "/coach/overview",
    "/calendar/{coach_feed}.ics",
)

#: the feed's limits in this test: the coach's window holds more than this (one entry per
#: initiative, 10 days ahead)
FEED_UPCOMING, FEED_PAST = 20, 5


@contextlib.contextmanager
def small_feed_cap():
    before = feed_scope.MAX_UPCOMING, feed_scope.MAX_PAST
    feed_scope.MAX_UPCOMING, feed_scope.MAX_PAST = FEED_UPCOMING, FEED_PAST
    calendar_module.MAX_UPCOMING = FEED_UPCOMING  # type: ignore[attr-defined]
    try:
        yield
    finally:
        feed_scope.MAX_UPCOMING, feed_scope.MAX_PAST = before
        calendar_module.MAX_UPCOMING = before[0]  # type: ignore[attr-defined]


@contextlib.contextmanager
def small_count_cap():
    """The caseload's count capped at 20: a count reads the rows it counts (up to the cap, at
    any size of the city), so below the test city's size what is left to grow is the page's own
    reading."""
    names = (caseload_sql, caseload_module)
    before = caseload_sql.COUNT_CAP
    for module in names:
        module.COUNT_CAP = 20  # type: ignore[attr-defined]
    caseload_sql.statements.cache_clear()
    try:
        yield
    finally:
        for module in names:
            module.COUNT_CAP = before  # type: ignore[attr-defined]
        caseload_sql.statements.cache_clear()


def _work(app, statements: list[tuple[str, object]]) -> int:
    """The work of the statements, replayed on SQLite: the virtual machine's steps (each row
    visited costs steps; counted per 100)."""
    engine = app.extensions["verbinding"].engine
    total = 0
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        for statement, parameters in statements:
            steps = [0]

            def tick(steps=steps) -> int:
                steps[0] += 1
                return 0

            raw.set_progress_handler(tick, 100)
            raw.execute(statement, parameters).fetchall()
            raw.set_progress_handler(None, 0)
            total += steps[0]
        connection.rollback()
    return total


def _read_work(app, ids) -> dict[str, int]:
    """Each of WORK_PAGES's work, on SQLite. (PostgreSQL chooses its plans by the size of the
    tables: at 500 rows a sort of them all is its cheapest plan, and only a city of real size
    would show which plan it takes there: benchmarks/bench_pages.py measures that.)"""
    if app.extensions["verbinding"].engine.dialect.name != "sqlite":
        return {}
    coach = _client(app, ids["coach"])
    found = {}
    engine = app.extensions["verbinding"].engine
    with small_count_cap():
        for path in WORK_PAGES:
            url = path.format(**ids)
            coach.get(url)
            sent: list[tuple[str, object]] = []

            def note(_conn, _cursor, statement, parameters, *_args, sent=sent) -> None:
                if statement.lstrip().upper().startswith("SELECT"):
                    sent.append((statement, parameters))

            event.listen(engine, "before_cursor_execute", note)
            try:
                assert coach.get(url).status_code == 200
            finally:
                event.remove(engine, "before_cursor_execute", note)
            found[path] = _work(app, sent)
    return found


def test_each_page_reads_the_same_statements_and_rows_at_any_city_size(city):
    app, ids, now = city
    with small_feed_cap():
        small = _read(app, ids)
        small_work = _read_work(app, ids)
        grow(app, SIZES[1] - SIZES[0], now)
        large = _read(app, ids)
        large_work = _read_work(app, ids)
    assert small == large, (small, large)
    # and the caseload's statements read about as many rows with ten times the initiatives
    for url in small_work:
        assert large_work[url] <= 1.5 * small_work[url] + 50, (url, small_work, large_work)
    # the pages show a page, not the city
    assert small["/"][1] == 24 and small["/?q=Buurtplan&per_page=48"][1] == 48
    assert small["/coach/?per_page=25"][1] == 25
    # the coach's feed: the next FEED_UPCOMING (the group's 3 and the city's), the group's 2
    # past ones, and the note that there are more
    assert small["/calendar/{coach_feed}.ics"][1] == FEED_UPCOMING + 2 + 1
    assert small["/calendar/{anna_feed}.ics"][1] == 5  # the group's steps; no note


def test_a_feed_with_more_than_it_holds_says_so(city):
    app, ids, _ = city
    with small_feed_cap():
        body = app.test_client().get(f"/calendar/{ids['coach_feed']}.ics").get_data(as_text=True)
        own = app.test_client().get(f"/calendar/{ids['anna_feed']}.ics").get_data(as_text=True)
    unfolded = body.replace("\r\n ", "")
    description = re.search(r"X-WR-CALDESC:(.*)\r\n", unfolded)
    assert description and str(FEED_UPCOMING) in description.group(1)
    assert "UID:feed-more@" in unfolded
    (event,) = [e for e in unfolded.split("BEGIN:VEVENT") if "UID:feed-more@" in e]
    note = re.search(r"SUMMARY:(.*)\r\n", event)
    assert note and note.group(1).replace("\\", "") == description.group(1).replace("\\", "")
    assert "X-WR-CALDESC" not in own and "UID:feed-more@" not in own


def test_a_calendar_answers_304_while_nothing_changed(city):
    app, ids, _ = city
    client = app.test_client()
    url = f"/calendar/{ids['coach_feed']}.ics"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert first.is_streamed
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    stale = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and b"BEGIN:VCALENDAR" in stale.get_data()
    assert stale.get_data().endswith(b"END:VCALENDAR\r\n")


def _titles(body: str) -> list[str]:
    card = r'<li class="vb-card">.*?href="/initiatives/\d+"[^>]*>([^<]*)</a>'
    return re.findall(card, body, re.S)


def _link(body: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]*)"', body)
    return found.group(1).replace("&amp;", "&").split("#")[0] if found else None


def test_next_and_previous_pages_walk_the_list_in_title_order(city):
    app, _, _ = city
    client = _client(app, None)
    first = client.get("/?per_page=12&q=Buurtplan").get_data(as_text=True)
    assert _link(first, "prev") is None
    seen = _titles(first)
    second_url = _link(first, "next")
    assert second_url and "na=" in second_url and "q=Buurtplan" in second_url
    second = client.get(second_url).get_data(as_text=True)
    seen_second = _titles(second)
    assert len(seen_second) == 12 and not set(seen) & set(seen_second)
    assert seen + seen_second == sorted(seen + seen_second)
    back = client.get(_link(second, "prev")).get_data(as_text=True)
    assert _titles(back) == seen


@pytest.mark.parametrize(
    "query",
    ["na=abc", "na=99999999999", "voor=-4", "per_page=7", "stadsdeel=x&wijk=0", "fase=" + "x" * 500,
     "q=%25_%5C", "na=1&voor=2", "per_page=99999999999999999999"],
)  # fmt: skip
def test_odd_addresses_show_a_page_never_an_error(city, query):
    app, _, _ = city
    response = _client(app, None).get(f"/?{query}")
    assert response.status_code == 200
    assert "<h1" in response.get_data(as_text=True)


def _compiled_anew(_statement, context) -> bool:
    """A statement SQLAlchemy compiled for this request instead of taking it from its compiled
    cache (built anew in Python, or not cacheable: a multi-row VALUES, say)."""
    return context.compiled is not None and not context._get_cache_stats().startswith("cached")


def test_pages_and_a_move_run_compiled_statements_from_the_cache(city):
    """Compiling a statement costs more than a small page's database work: once warm, every
    page and a move through the site (the form, then the page it leads to) send only
    statements SQLAlchemy has compiled before."""
    app, ids, _ = city
    clients = {who: _client(app, ids.get(who)) for who in (None, "anna", "coach")}
    for path, (who, _row) in PAGES.items():
        url = path.format(**ids)
        for _ in range(2):  # warm (a feed's first poll shapes one statement differently)
            clients[who].get(url)
        with counted(app, _compiled_anew) as compiled:
            assert clients[who].get(url).status_code == 200
        assert compiled == [], (url, compiled)
    session = app.extensions["verbinding"].sessions()
    try:  # groups that may move on (the city's own may not yet), each moved once
        groups = [factories.initiative_with_group(session, utcnow(), members=2) for _ in range(3)]
        session.commit()
        moving = [(f"/initiatives/{item.id}", group[0].email) for item, group in groups]
    finally:
        session.close()
    for number, (page, email) in enumerate(moving):
        member = _client(app, email)
        body = member.get(page).get_data(as_text=True)
        with counted(app, _compiled_anew) as compiled:
            moved = member.post(f"{page}/moves/start", data=_form_fields(body, "start"),
                                follow_redirects=True)  # fmt: skip
        assert moved.status_code == 200 and "Now: Visioning" in moved.get_data(as_text=True)
        if number > 0:  # the first one warmed the cache
            assert compiled == [], compiled


def _form_fields(page: str, trigger: str) -> dict[str, str]:
    """What the browser sends with the move's form: its hidden fields and checked choices."""
    form = re.search(rf'<form[^>]*action="[^"]*/moves/{trigger}"[^>]*>(.*?)</form>', page, re.S)
    assert form, f"no form for {trigger}"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form[1]):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and ('type="hidden"' in tag or " checked" in tag):
            fields[name[1]] = value[1] if value else ""
    return fields
