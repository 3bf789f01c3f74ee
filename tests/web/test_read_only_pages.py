"""A page (GET) reads outside a transaction; a form (POST) writes inside one.

On PostgreSQL a GET's session is in autocommit (engine.db.read_only, web.database.db): no BEGIN
and ROLLBACK around its reads, and a write in it is refused before it is sent, so nothing is
committed statement by statement. SQLite's driver opens a transaction only before a write, so
the same holds there without help. A view that needs a transaction on a GET says so
(``transaction_on_get``: the confirmation link of a mail, tests/web/auth/test_routes.py and
tests/web/account/test_account.py) and writes as a POST does.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, insert, select

from engine.db import ReadOnlyViolation, read_only, utcnow
from engine.models import Event, Initiative, Step
from engine.operations import add_step
from tests.factories import browse_as, initiative_with_group, submit


def _open_transactions(app, during):
    """Whether the driver had a transaction open after each statement ``during()`` sent."""
    engine = app.extensions["verbinding"].engine
    seen: list[bool] = []

    def after(conn, _cursor, statement, _params, _context, _many):
        raw = conn.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            from psycopg.pq import TransactionStatus

            seen.append(raw.info.transaction_status != TransactionStatus.IDLE)
        else:
            seen.append(raw.in_transaction)

    event.listen(engine, "after_cursor_execute", after)
    try:
        result = during()
    finally:
        event.remove(engine, "after_cursor_execute", after)
    return result, seen


@pytest.fixture
def group_page(web_app, db_session):
    now = utcnow()
    item, group = initiative_with_group(db_session, now, members=2)
    add_step(db_session, group[0], item.id, stage_key="proposal", title="Buren vragen", now=now)
    db_session.commit()
    return item, group


def test_a_page_reads_outside_a_transaction_and_a_form_writes_inside_one(
    web_app, client, db_session, group_page
):
    item, group = group_page
    browse_as(client, group[0])
    url = f"/initiatives/{item.id}"
    page, seen = _open_transactions(web_app, lambda: client.get(url))
    assert page.status_code == 200 and "Buren vragen" in page.get_data(as_text=True)
    assert len(seen) >= 10 and not any(seen)  # the member's page: a dozen reads, no transaction

    done = re.search(r'action="([^"]+/done)"', page.get_data(as_text=True)).group(1)
    sent, seen = _open_transactions(web_app, lambda: submit(client, item.id, done))
    assert sent.status_code == 302
    assert any(seen)  # the step's change: in one transaction, committed as a whole
    db_session.expire_all()
    assert db_session.scalar(select(Step.is_done).where(Step.title == "Buren vragen"))
    after, seen = _open_transactions(web_app, lambda: client.get(sent.headers["Location"]))
    assert after.status_code == 200 and not any(seen)


def test_a_write_in_a_read_only_session_is_refused_and_nothing_is_kept(web_app, db_session):
    now = utcnow()
    item, group = initiative_with_group(db_session, now)
    db_session.commit()
    session = web_app.extensions["verbinding"].sessions()
    try:
        read_only(session)
        assert session.scalar(select(Initiative.title).where(Initiative.id == item.id))
        writes = [
            lambda: session.execute(
                insert(Event).values(initiative_id=item.id, created_dt=now, kind="note")
            ),
            lambda: (
                session.add(
                    Step(
                        initiative_id=item.id,
                        stage_key="proposal",
                        title="Stil",
                        position=9,
                        created_dt=now,
                    )
                ),
                session.flush(),
            ),
            lambda: session.execute(
                select(Initiative).where(Initiative.id == item.id).with_for_update()
            ),
        ]
        for write in writes:
            if session.get_bind().dialect.name == "postgresql":
                with pytest.raises(ReadOnlyViolation):
                    write()
                session.rollback()
                read_only(session)
            else:  # SQLite: left as it is (its driver begins before a write)
                write()
                session.rollback()
    finally:
        session.close()
    db_session.expire_all()
    assert not db_session.scalars(select(Step).where(Step.title == "Stil")).all()
    assert not db_session.scalars(
        select(Event).where(Event.initiative_id == item.id, Event.kind == "note")
    ).all()
