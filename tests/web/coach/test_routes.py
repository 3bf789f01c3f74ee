"""The coach's screens in the browser's terms: caseload, CSV, overview, notes and concerns."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from engine.db import utcnow
from tests import factories
from tests.support import login, post_form

DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def city(web_app):
    """A coach, a resident group, and a batch of initiatives that share a searchable tag."""
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    tag = f"Kasboek{uuid.uuid4().hex[:6]}"
    try:
        coach = factories.staff(session, now, name="Sanne Visser")
        anna = factories.person(session, now, "Anna de Vries", password=factories.PASSWORD)
        # 40 days on the city's calendar (noon there): 40 × 24 hours back can be 39 local days
        # when a clock change lies between (an evening run in winter)
        city_tz = ZoneInfo("Europe/Amsterdam")
        day = now.astimezone(city_tz).date() - 40 * DAY
        stale = datetime.combine(day, time(12), tzinfo=city_tz).astimezone(UTC)
        item = factories.initiative(session, stale, initiator=anna, title=f"{tag} tuin")
        ids = factories.bulk_initiatives(session, now - 3 * DAY, 55, title=f"{tag} rij")
        session.commit()
        return {"tag": tag, "coach": coach.email, "anna": anna.email, "item": item.id, "ids": ids}
    finally:
        session.close()


def _as(client, email: str):
    login(client, email, factories.PASSWORD)
    client.get("/language/en")
    return client


@pytest.fixture
def coach(client, city):
    return _as(client, city["coach"])


def test_the_caseload_is_for_staff_only(client, city, web_app):
    assert client.get("/coach/").headers["Location"].startswith("/login")
    resident = _as(web_app.test_client(), city["anna"])
    assert resident.get("/coach/").status_code == 403
    assert resident.get("/coach/caseload.csv").status_code == 403
    assert resident.get("/coach/overview").status_code == 403


def test_the_caseload_shows_stage_pace_and_health_in_words(coach, city):
    page = coach.get(f"/coach/?q={city['tag']}&per_page=50").get_data(as_text=True)
    assert "56 initiatives" in page
    assert '<caption class="vb-caption">Initiatives, with stage, pace and health signals' in page
    # the default order: longest without activity first, said by the column header
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a [^>]*>Last activity', page)
    assert "Stalled: no activity for 40 days." in page and "Needs attention soon:" in page
    assert '<nav class="vb-pagination" aria-label="Pages">' in page
    assert 'aria-current="page"><span class="vb-visually-hidden">Page </span>1</a>' in page
    assert page.count("<tr>") == 1 + 50  # the header row and a page of 50


def test_filters_sorting_and_pages_are_kept_in_the_links(coach, city):
    url = f"/coach/?q={city['tag']}&status=active&sort=title&dir=desc&per_page=10&page=2"
    page = coach.get(url).get_data(as_text=True)
    assert "55 initiatives" in page and "page 2 of 6" in page
    assert 'aria-sort="descending"' in page
    titles = re.findall(r'href="/coach/initiatives/\d+"[^>]*>([^<]+)</a>', page)
    assert titles == sorted(titles, reverse=True) and len(titles) == 10
    assert f"{city['tag']} tuin" not in titles  # stalled, not active
    nxt = re.search(r'<a class="utrecht-link" rel="next" href="([^"]+)"', page).group(1)
    assert "status=active" in nxt and "page=3" in nxt and "per_page=10" in nxt


def test_the_csv_holds_the_filtered_rows(coach, city):
    response = coach.get(f"/coach/caseload.csv?q={city['tag']}&sort=title&status=active")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    header, *rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert header[:2] == ["Number", "Initiative"]
    assert header[4:6] == ["Template", "Stage"]
    assert {(r[4], r[5]) for r in rows} == {("Test process", "Proposal")}  # names, not keys
    assert text.splitlines()[1].startswith('"')  # every field quoted
    assert sorted(int(r[0]) for r in rows) == sorted(city["ids"])
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)
    page = coach.get(f"/coach/?q={city['tag']}&sort=title&status=active&per_page=100")
    on_page = re.findall(r'href="/coach/initiatives/(\d+)"', page.get_data(as_text=True))
    assert [int(i) for i in on_page] == [int(r[0]) for r in rows]


def test_the_city_overview_is_a_chart_with_the_same_numbers_in_a_table(coach, city):
    page = coach.get("/coach/overview").get_data(as_text=True)
    assert '<svg class="vb-chart" role="img" aria-labelledby="chart-stages-title"' in page
    assert '<title id="chart-stages-title">Initiatives per stage, whole city</title>' in page
    assert "Initiatives per stage and district</caption>" in page
    assert "Support requests per district</caption>" in page
    desc = re.search(r'<desc id="chart-stages-desc">([^<]+)</desc>', page).group(1)
    assert "Proposal: " in desc


def test_a_coach_writes_a_note_and_flags_a_concern_the_group_reads_both(
    coach, city, web_app, db_session
):
    iid = city["item"]
    url = f"/coach/initiatives/{iid}"
    assert coach.get(url).status_code == 200
    note = post_form(coach, f"{url}/notes", {"body": "Zal ik een keer langskomen?"}, token_from=url)
    assert note.status_code == 302
    concern = post_form(coach, f"{url}/concern", {"reason": "Al weken stil."}, token_from=url)
    assert concern.status_code == 302
    page = coach.get(url).get_data(as_text=True)
    assert "Zal ik een keer langskomen?" in page and "Concern flagged" in page
    listed = coach.get(f"/coach/?q={city['tag']}+tuin").get_data(as_text=True)
    assert "Concern flagged by Sanne Visser: Al weken stil." in listed

    # the group reads the panel on its initiative page; a visitor from outside does not see it
    member_view = _as(web_app.test_client(), city["anna"]).get(f"/initiatives/{iid}")
    member_view = member_view.get_data(as_text=True)
    assert "Zal ik een keer langskomen?" in member_view and "Al weken stil." in member_view
    assert f"/coach/initiatives/{iid}/notes" not in member_view  # only coaches write
    outsider_view = web_app.test_client().get(f"/initiatives/{iid}").get_data(as_text=True)
    assert 'id="coach-notes-heading"' not in outsider_view


def test_an_empty_note_changes_nothing_and_says_why(coach, city, db_session):
    url = f"/coach/initiatives/{city['item']}"
    before = factories.event_count(db_session, city["item"], "coach.note")
    response = post_form(coach, f"{url}/notes", {"body": "  "}, token_from=url)
    assert "Write the note." in coach.get(response.headers["Location"]).get_data(as_text=True)
    db_session.expire_all()
    assert factories.event_count(db_session, city["item"], "coach.note") == before


def test_a_coach_is_assigned_to_a_district_and_filters_on_it(coach, city):
    page = coach.get("/coach/assignments")
    assert page.status_code == 200
    district = re.search(r'<option value="(\d+)">West</option>', page.get_data(as_text=True))
    me = re.search(r'<option selected value="(\d+)">Sanne Visser', page.get_data(as_text=True))
    response = post_form(
        coach,
        "/coach/assignments",
        {"coach": me.group(1), "district": district.group(1)},
        token_from="/coach/assignments",
    )
    assert response.status_code in (302, 400)  # 400: already assigned by an earlier run
    mine = coach.get(f"/coach/?q={city['tag']}&coach=me").get_data(as_text=True)
    assert "56 initiatives" in mine


def test_the_number_of_statements_per_page_does_not_grow_with_the_page_size(coach, web_app):
    engine = web_app.extensions["verbinding"].engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    coach.get("/coach/?per_page=10")  # warm up
    event.listen(engine, "before_cursor_execute", count)
    try:
        sizes = {}
        for per_page in (10, 50):
            statements.clear()
            page = coach.get(f"/coach/?per_page={per_page}").get_data(as_text=True)
            assert page.count('href="/coach/initiatives/') == per_page
            sizes[per_page] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sizes[10] == sizes[50], statements


def test_a_csv_download_gives_its_database_connection_back(web_app, coach, city):
    pool = web_app.extensions["verbinding"].engine.pool
    before = pool.checkedout()
    for _ in range(3):
        response = coach.get(f"/coach/caseload.csv?q={city['tag']}")
        assert len(response.get_data(as_text=True).splitlines()) > 1
        response.close()
    # a streamed body that kept its connection would hold one per download until collected
    assert pool.checkedout() == before
