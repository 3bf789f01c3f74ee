"""The consultation page as people use it: the group opens it, neighbours post ideas (with a
photo), support and reply, the group says what it did with an idea, the initiators hide a post
and nothing of it shows publicly; bad input told at the field; and the page with 5,000
reactions costs as many SQL statements as with a few."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from engine.db import utcnow
from engine.models import Person
from engine.models.consultations import ConsultationPost, ConsultationSupport
from engine.operations import assign_coach
from engine.timeutil import local_date
from tests import factories
from tests.support import counted, csrf_token, login


@pytest.fixture(scope="session")
def web_app(web_app_with_storage):
    """Uploads in a local folder and in an S3 bucket, on each kind of database."""
    return web_app_with_storage


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def group(web_app):
    """A public initiative: initiator, member, partner; its coach; two residents outside."""
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        people = factories.people_in_every_role(session, now)
        people["neighbour"] = factories.person(session, now, "Bram Bakker")
        item = factories.initiative_for_roles(
            session, now, people, title=f"Raadpleging {uuid.uuid4().hex[:6]}"
        )
        assign_coach(session, people["admin"], coach_id=people["coach"].id, now=now,
                     initiative_id=item.id)  # fmt: skip
        session.commit()
        return {"item": item.id, **{k: p.id for k, p in people.items()}}
    finally:
        session.close()


def _as(web_app, group, role: str | None):
    client = web_app.test_client()
    client.get("/language/en")
    if role is not None:
        session = web_app.extensions["verbinding"].sessions()
        email = session.get(Person, group[role]).email
        session.close()
        login(client, email, factories.PASSWORD)
    return client


def _send(client, url: str, data: dict, page: str, **kw):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data}, **kw)


def _open(web_app, group) -> tuple[str, int]:
    page = f"/initiatives/{group['item']}/consultation"
    last = local_date(utcnow()) + timedelta(days=20)
    initiator = _as(web_app, group, "initiator")
    sent = _send(initiator, f"{page}/open", {
        "question": "Wat vinden jullie van de conceptvisie?",
        "ends_on-day": last.day, "ends_on-month": last.month, "ends_on-year": last.year,
    }, page)  # fmt: skip
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    html = initiator.get(page).get_data(as_text=True)
    found = re.search(r"/consultation/(\d+)/posts", html) or re.search(
        r"/consultation/(\d+)/close", html
    )
    assert found
    return page, int(found.group(1))


def test_neighbours_post_support_and_reply_and_the_group_answers(web_app, group):
    page, cid = _open(web_app, group)
    neighbour, other = _as(web_app, group, "outsider"), _as(web_app, group, "neighbour")
    sent = _send(neighbour, f"/initiatives/{group['item']}/consultation/{cid}/posts",
                 {"kind": "idea", "body": "Meer bankjes bij <b>de vijver</b>",
                  "photo": (__import__("io").BytesIO(PNG), "vijver.png")},
                 page, content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    html = other.get(page).get_data(as_text=True)
    assert "Meer bankjes bij &lt;b&gt;de vijver&lt;/b&gt;" in html
    post_id = int(re.search(r'id="post-(\d+)"', html).group(1))
    photo = other.get(f"/initiatives/{group['item']}/consultation/posts/{post_id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert photo.get_data() == PNG
    photo.close()
    base = f"/initiatives/{group['item']}/consultation/posts/{post_id}"
    # someone else supports it, once; its author cannot
    assert _send(other, f"{base}/support", {}, page).status_code == 302
    assert "1 neighbour supports this idea." in other.get(page).get_data(as_text=True)
    again = _send(other, f"{base}/support", {}, page, follow_redirects=True)
    assert "You support this idea already." in again.get_data(as_text=True)
    own = _send(neighbour, f"{base}/support", {}, page, follow_redirects=True)
    assert "This is your own idea" in own.get_data(as_text=True)
    # members of the group do not post ideas; they reply
    member = _as(web_app, group, "member")
    refused = _send(member, f"/initiatives/{group['item']}/consultation/{cid}/posts",
                    {"kind": "idea", "body": "Van ons"}, page, follow_redirects=True)  # fmt: skip
    assert "The group asks its neighbours here" in refused.get_data(as_text=True)
    assert _send(member, f"{base}/reply", {"body": "Goed idee!"}, page).status_code == 302
    # the group says what it did with it; everyone (also anonymous) reads that
    initiator = _as(web_app, group, "initiator")
    html = initiator.get(base).get_data(as_text=True)  # the idea on its own page, with the forms
    version = re.search(rf'action="{base}/mark".*?name="version"[^>]*value="(\d+)"', html, re.S)
    marked = _send(initiator, f"{base}/mark", {"outcome": "not_adopted", "reason": "",
                                               "version": version.group(1)}, page)  # fmt: skip
    assert marked.status_code == 400  # a reason is needed when not taken up
    marked = _send(initiator, f"{base}/mark", {"outcome": "not_adopted",
                                               "reason": "Er is geen plek", "version":
                                               version.group(1)}, page)  # fmt: skip
    assert marked.status_code == 302
    public = web_app.test_client()
    public.get("/language/en")
    html = public.get(page).get_data(as_text=True)
    assert "The group did not take this idea up." in html and "Er is geen plek" in html
    # the list says how many replies an idea has; they are on the idea's own page
    assert f'href="{base}">1 reply' in html and "Goed idee!" not in html
    html = public.get(base).get_data(as_text=True)
    assert "Goed idee!" in html and "On behalf of the group" in html
    # withdrawing a support
    assert _send(other, f"{base}/withdraw", {}, page).status_code == 302
    assert "0 neighbours support this idea." in other.get(page).get_data(as_text=True)


def test_a_hidden_post_shows_nothing_publicly_and_is_in_the_history(web_app, group):
    page, cid = _open(web_app, group)
    neighbour = _as(web_app, group, "outsider")
    _send(neighbour, f"/initiatives/{group['item']}/consultation/{cid}/posts",
          {"kind": "reaction", "body": "Scheldwoorden hier",
           "photo": (__import__("io").BytesIO(PNG), "x.png")},
          page, content_type="multipart/form-data")  # fmt: skip
    html = neighbour.get(page).get_data(as_text=True)
    post_id = int(re.search(r'id="post-(\d+)"', html).group(1))
    base = f"/initiatives/{group['item']}/consultation/posts/{post_id}"
    other = _as(web_app, group, "neighbour")
    assert _send(other, f"{base}/report", {"reason": "Grof"}, page).status_code == 302
    coach = _as(web_app, group, "coach")
    html = coach.get(page).get_data(as_text=True)
    assert "Reported posts" in html and "Grof" in html
    assert "Grof" in coach.get(base).get_data(as_text=True)
    refused = _send(neighbour, f"{base}/hide", {"reason": "nee"}, page, follow_redirects=True)
    assert "Only the initiators and the process coaches" in refused.get_data(as_text=True)
    assert _send(coach, f"{base}/hide", {"reason": "Grof taalgebruik"}, page).status_code == 302
    public = web_app.test_client()
    public.get("/language/en")
    html = public.get(page).get_data(as_text=True)
    assert "Scheldwoorden" not in html and "Kees Buitenstaander" not in html
    assert "Hidden post" in html and "Grof taalgebruik" not in html
    assert public.get(f"{base}/photo").status_code == 404
    assert "Scheldwoorden" not in public.get(base).get_data(as_text=True)
    history = public.get(f"/initiatives/{group['item']}/history").get_data(as_text=True)
    assert "hid a post in the consultation" in history and "Kees" not in history
    initiator = _as(web_app, group, "initiator")
    html = initiator.get(page).get_data(as_text=True)
    assert "Grof taalgebruik" in html and "Reported posts" not in html


def test_bad_input_is_told_at_the_field_and_changes_nothing(web_app, group, db_session):
    page = f"/initiatives/{group['item']}/consultation"
    initiator = _as(web_app, group, "initiator")
    past = local_date(utcnow()) - timedelta(days=1)
    sent = _send(initiator, f"{page}/open", {
        "question": "Vraag", "ends_on-day": past.day, "ends_on-month": past.month,
        "ends_on-year": past.year}, page)  # fmt: skip
    assert sent.status_code == 400
    assert "Choose today or a day after today." in sent.get_data(as_text=True)
    page, cid = _open(web_app, group)
    neighbour = _as(web_app, group, "outsider")
    url = f"/initiatives/{group['item']}/consultation/{cid}/posts"
    empty = _send(neighbour, url, {"kind": "idea", "body": "  "}, page)
    assert empty.status_code == 400 and "Write something first." in empty.get_data(as_text=True)
    pdf = _send(neighbour, url, {"kind": "idea", "body": "Met bijlage",
                                 "photo": (__import__("io").BytesIO(b"%PDF-1.4 x"), "a.pdf")},
                page, content_type="multipart/form-data")  # fmt: skip
    assert pdf.status_code == 400
    assert "Only a photo can be added" in pdf.get_data(as_text=True)
    fake = _send(neighbour, url, {"kind": "idea", "body": "Nep",
                                  "photo": (__import__("io").BytesIO(b"GIF89a"), "a.png")},
                 page, content_type="multipart/form-data")  # fmt: skip
    assert fake.status_code == 400
    assert db_session.query(ConsultationPost).filter_by(consultation_id=cid).count() == 0
    assert neighbour.get(f"{page}?voor=99999999999999").status_code == 200
    assert neighbour.get(f"/initiatives/{group['item']}/consultation/posts/2147483648/photo"
                         ).status_code == 404  # fmt: skip


def test_5000_reactions_cost_as_many_statements_as_a_few(web_app, group):
    page, cid = _open(web_app, group)
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    engine = web_app.extensions["verbinding"].engine
    initiator = _as(web_app, group, "initiator")
    counts = []
    try:
        for batch in (40, 4960):
            rows = [
                {"consultation_id": cid, "initiative_id": group["item"],
                 "kind": "idea" if n % 2 else "reaction", "author_id": group["outsider"],
                 "body": f"Idee {n}", "created_dt": now, "is_from_group": False,
                 "is_from_coach": False, "version": 1,
                 "hidden_dt": now if n % 17 == 0 else None,
                 "outcome": "adopted" if n % 5 == 0 else None}
                for n in range(batch)
            ]  # fmt: skip
            ids = session.scalars(insert(ConsultationPost).returning(ConsultationPost.id), rows)
            ids = list(ids)
            session.execute(insert(ConsultationPost), [
                {"consultation_id": cid, "initiative_id": group["item"], "kind": "reply",
                 "parent_id": i, "author_id": group["member"], "body": "Dank je",
                 "created_dt": now, "is_from_group": True, "is_from_coach": False, "version": 1}
                for i in ids[::3]
            ])  # fmt: skip
            session.execute(insert(ConsultationSupport), [
                {"post_id": i, "person_id": group["neighbour"], "created_dt": now}
                for i in ids[::2]
            ])  # fmt: skip
            session.commit()
            statements: list[str] = []

            def count(_conn, _cursor, statement, *_args, into=statements):
                into.append(statement)

            event.listen(engine, "before_cursor_execute", count)
            try:
                assert initiator.get(page).status_code == 200
                newest = len(statements)
                assert initiator.get(f"{page}?volgorde=steun").status_code == 200
            finally:
                event.remove(engine, "before_cursor_execute", count)
            counts.append((newest, len(statements) - newest))
    finally:
        session.close()
    assert counts[0] == counts[1], counts  # newest first and most supported first
    html = initiator.get(page).get_data(as_text=True)
    assert "Older ideas and reactions" in html
    older = re.search(r'href="([^"]*voor=\d+)"', html).group(1).replace("&amp;", "&")
    assert initiator.get(older).status_code == 200


def test_posting_is_rate_limited_per_account(web_app, group, tmp_path, smtp_sink):
    from tests.web.conftest import make_app

    page, cid = _open(web_app, group)
    config = web_app.config["VERBINDING"]
    strict = make_app(config.database_url, tmp_path / "instance", smtp_sink.url,
                      VERBINDING_RATE_LIMIT_CONSULTATION="2/3600")  # fmt: skip
    try:
        neighbour = _as(strict, group, "neighbour")
        url = f"/initiatives/{group['item']}/consultation/{cid}/posts"
        said = [
            _send(neighbour, url, {"kind": "reaction", "body": f"Reactie {n}"}, page).status_code
            for n in range(3)
        ]
        assert said == [302, 302, 429]
        assert "Reactie 2" not in neighbour.get(page).get_data(as_text=True)
    finally:
        strict.extensions["verbinding"].close()


@pytest.mark.s3_only
def test_a_photo_for_a_bucket_that_does_not_answer_is_kept_from_nothing(web_app, group):
    """The bucket goes away while a neighbour posts an idea with a photo: the form comes back
    with a 503 and a plain message, with what they wrote still in it, and nothing is posted."""
    config = web_app.config["VERBINDING"]
    assert config.storage == "s3"
    page, cid = _open(web_app, group)
    neighbour = _as(web_app, group, "outsider")
    storage = web_app.extensions["verbinding"].storage
    saved = {name: storage.read(name) for name in storage.names()}
    for name in saved:
        storage.delete(name)
    storage.client.delete_bucket(Bucket=config.s3_bucket)
    try:
        sent = _send(neighbour, f"/initiatives/{group['item']}/consultation/{cid}/posts",
                     {"kind": "idea", "body": "Een bankje bij de speeltuin",
                      "photo": (__import__("io").BytesIO(PNG), "bank.png")},
                     page, content_type="multipart/form-data")  # fmt: skip
        html = sent.get_data(as_text=True)
        assert sent.status_code == 503, html[:2000]
        assert "The file store cannot be reached just now. Nothing was saved" in html
        assert "Een bankje bij de speeltuin" in html  # what they wrote is still there
        session = web_app.extensions["verbinding"].sessions()
        try:
            bodies = session.scalars(
                select(ConsultationPost.body).where(ConsultationPost.consultation_id == cid)
            ).all()
        finally:
            session.close()
        assert "Een bankje bij de speeltuin" not in bodies
    finally:
        storage.client.create_bucket(
            Bucket=config.s3_bucket,
            CreateBucketConfiguration={"LocationConstraint": config.s3_region},
        )
        for name, data in saved.items():
            storage.put(name, data)


def test_the_initiative_page_reads_a_consultation_only_when_its_stage_has_one(web_app, group):
    """The page's guard facts count the stage's consultations: with none, the panel asks the
    database nothing more; once one is open, the panel reads it and shows its question."""
    initiator = _as(web_app, group, "initiator")
    url = f"/initiatives/{group['item']}"
    reading = lambda sql, _: sql.lstrip().startswith("SELECT consultations.id")  # noqa: E731

    def read() -> tuple[int, str]:
        with counted(web_app, reading) as sent:
            body = initiator.get(url).get_data(as_text=True)
        return len(sent), body

    count, body = read()
    assert count == 0 and "Open a consultation" in body
    _open(web_app, group)
    count, body = read()
    assert count == 1 and "Wat vinden jullie van de conceptvisie?" in body
