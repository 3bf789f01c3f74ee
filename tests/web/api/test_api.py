"""The API as a client uses it: tokens, reading, moving, steps, conflicts, errors, open data."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from engine.api_tokens import create_token
from engine.db import utcnow
from engine.models import ApiToken
from tests import factories
from tests.web.api.conftest import auth

PROBLEM = "application/problem+json"


@pytest.fixture
def group(web_app, db_session):
    """A public proefproces initiative: an initiator and one member, each with a write token."""
    now = utcnow()
    item, people = factories.initiative_with_group(db_session, now, members=1)
    tokens = [create_token(db_session, p, name="t", scope="write", now=now)[1] for p in people]
    db_session.commit()
    return item.id, tokens


def test_reading_an_initiative_shows_stages_moves_with_reasons_members_and_history(client, group):
    iid, (initiator, _member) = group
    response = client.get(f"/api/v1/initiatives/{iid}", headers=auth(initiator))
    assert response.status_code == 200
    body = response.get_json()
    assert body["stage"] == "proposal" and body["my_role"] == "initiator"
    assert [s["key"] for s in body["stages"]][:2] == ["proposal", "visioning"]
    assert {m["role"] for m in body["members"]} == {"initiator", "member"}
    assert body["history"], "the history says how it started"
    assert response.headers["ETag"].startswith(f'"{body["version"]}.')
    again = client.get(
        f"/api/v1/initiatives/{iid}",
        headers={**auth(initiator), "If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_a_move_fires_and_a_stale_version_is_a_conflict(client, group):
    iid, (initiator, member) = group
    seen = client.get(f"/api/v1/initiatives/{iid}", headers=auth(member))
    etag = seen.headers["ETag"]
    start = next(m for m in seen.get_json()["moves"] if m["trigger"] == "start")
    assert start["allowed"], start["reasons"]
    moved = client.post(
        f"/api/v1/initiatives/{iid}/moves/start",
        json={"note": "We zijn met genoeg"},
        headers={**auth(member), "If-Match": etag},
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert moved.get_json()["to_stage"] == "visioning"
    stale = client.post(
        f"/api/v1/initiatives/{iid}/pause",
        json={"reason": "Zomervakantie"},
        headers={**auth(initiator), "If-Match": etag},
    )
    assert stale.status_code == 409
    assert stale.content_type == PROBLEM
    assert stale.get_json()["type"].endswith("#problem-stale")


def test_a_blocked_move_says_why(client, db_session):
    now = utcnow()
    item, people = factories.initiative_with_group(db_session, now, members=0)
    token = create_token(db_session, people[0], name="t", scope="write", now=now)[1]
    db_session.commit()
    response = client.post(
        f"/api/v1/initiatives/{item.id}/moves/start", json={}, headers=auth(token)
    )
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["type"].endswith("#problem-blocked")
    assert problem["reasons"] and all(r["message"] for r in problem["reasons"])


def test_steps_are_added_changed_completed_and_removed(client, group):
    iid, (_initiator, member) = group
    made = client.post(
        f"/api/v1/initiatives/{iid}/steps",
        json={"stage": "proposal", "title": "Buren uitnodigen", "due_date": "2027-01-15"},
        headers=auth(member),
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    step = made.get_json()
    url = f"/api/v1/initiatives/{iid}/steps/{step['id']}"
    changed = client.put(
        url, json={"title": "Alle buren uitnodigen", "expected_version": step["version"]},
        headers=auth(member),
    )  # fmt: skip
    assert changed.status_code == 200 and changed.get_json()["title"] == "Alle buren uitnodigen"
    stale = client.post(url + "/done", json={"expected_version": step["version"]},
                        headers=auth(member))  # fmt: skip
    assert stale.status_code == 409
    done = client.post(url + "/done", json={}, headers=auth(member))
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    other = client.post(f"/api/v1/initiatives/{iid}/steps", json={"stage": "proposal",
                        "title": "Flyers"}, headers=auth(member)).get_json()  # fmt: skip
    gone = client.delete(f"/api/v1/initiatives/{iid}/steps/{other['id']}", headers=auth(member))
    assert gone.status_code == 204
    page = client.get(f"/api/v1/initiatives/{iid}", headers=auth(member)).get_json()
    assert [s["title"] for s in page["stages"][0]["steps"]] == ["Alle buren uitnodigen"]


def test_bad_input_names_the_field_and_changes_nothing(client, group):
    iid, (_initiator, member) = group
    response = client.post(
        f"/api/v1/initiatives/{iid}/steps",
        json={"stage": "proposal", "title": "", "due_date": "1800-01-01"},
        headers=auth(member),
    )
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert {"title", "due_date"} <= set(response.get_json()["errors"])
    page = client.get(f"/api/v1/initiatives/{iid}", headers=auth(member)).get_json()
    assert not [s for stage in page["stages"] for s in stage["steps"]]


def test_a_read_token_only_reads_and_a_revoked_token_opens_nothing(client, db_session, group):
    iid, _tokens = group
    now = utcnow()
    someone = factories.person(db_session, now)
    reader = create_token(db_session, someone, name="dashboard", scope="read", now=now)[1]
    db_session.commit()
    assert client.get("/api/v1/me/preferences", headers=auth(reader)).status_code == 200
    refused = client.post(
        "/api/v1/initiatives", json={"template": "proefproces", "wijk_id": 1, "title": "Nieuw"},
        headers=auth(reader),
    )  # fmt: skip
    assert refused.status_code == 403
    assert refused.get_json()["type"].endswith("#problem-read-only")
    # this person's token only: the session's shared world (api_world) keeps its tokens
    db_session.execute(
        text("UPDATE api_tokens SET revoked_dt = created_dt WHERE person_id = :pid"),
        {"pid": someone.id},
    )
    db_session.commit()
    gone = client.get("/api/v1/me/preferences", headers=auth(reader))
    assert gone.status_code == 401 and gone.content_type == PROBLEM
    assert "Bearer" in gone.headers["WWW-Authenticate"]


def test_a_hidden_initiative_is_not_there_for_outsiders(client, api_world):
    url = f"/api/v1/initiatives/{api_world.hidden_id}"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=auth(api_world.tokens["outsider"])).status_code == 404
    assert client.get(url, headers=auth(api_world.tokens["member"])).status_code == 200
    listed = client.get("/api/v1/initiatives?per_page=96").get_json()["items"]
    assert api_world.hidden_id not in {row["id"] for row in listed}


def test_residents_do_not_see_the_caseload_and_coaches_do(client, api_world):
    resident = client.get("/api/v1/coach/caseload", headers=auth(api_world.tokens["member"]))
    assert resident.status_code == 403
    coach = client.get("/api/v1/coach/caseload", headers=auth(api_world.tokens["coach"]))
    assert coach.status_code == 200 and coach.get_json()["total"] >= 2
    overview = client.get("/api/v1/coach/overview", headers=auth(api_world.tokens["admin"]))
    assert overview.status_code == 200 and overview.get_json()["total"] >= 2


def test_residents_file_a_support_request_and_a_coach_answers(client, group, api_world):
    iid, (_initiator, member) = group
    filed = client.post(
        f"/api/v1/initiatives/{iid}/support-requests",
        json={"kind": "advice", "description": "Welke bomen passen op de kade?"},
        headers=auth(member),
    )
    assert filed.status_code == 201, filed.get_data(as_text=True)
    rid = filed.get_json()["id"]
    url = f"/api/v1/initiatives/{iid}/support-requests/{rid}/answer"
    body = {"action": "accept", "note": "De stadsecoloog komt langs."}
    assert client.post(url, json=body, headers=auth(member)).status_code == 403
    answered = client.post(url, json=body, headers=auth(api_world.tokens["coach"]))
    assert answered.status_code == 200 and answered.get_json()["status"] == "accepted"


def test_unknown_api_addresses_answer_with_a_problem(client):
    response = client.get("/api/v1/nergens")
    assert response.status_code == 404 and response.content_type == PROBLEM
    assert response.get_json()["status"] == 404


def test_the_document_is_openapi_3_1_and_the_reference_page_lists_it(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    operations = [m for item in document["paths"].values() for m in item if m != "parameters"]
    assert len(operations) >= 24
    page = client.get("/api/v1/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/api/v1/initiatives/{initiative_id}/moves/{trigger}" in page


def test_open_data_counts_public_initiatives_per_wijk_without_people(client, api_world):
    data = client.get("/api/v1/open-data/initiatives-per-stage").get_json()
    assert data["rows"] and all(r["initiatives"] >= 1 for r in data["rows"])
    text_of = str(data)
    assert "Anna de Vries" not in text_of and "@" not in text_of
    csv = client.get("/api/v1/open-data/initiatives-per-stage.csv")
    body = csv.get_data()
    assert body.startswith("\ufeff".encode()) and b"stadsdeel;wijk;" in body
    plain = client.get("/api/v1/open-data/initiatives-per-stage.csv?dialect=plain").get_data()
    assert plain.startswith(b"stadsdeel,wijk,")


def test_tokens_are_stored_hashed(db_session):
    someone = factories.person(db_session, utcnow())
    _token, secret = create_token(db_session, someone, name="x", scope="read", now=utcnow())
    db_session.commit()
    stored = db_session.scalars(select(ApiToken).where(ApiToken.person_id == someone.id)).one()
    assert secret not in (stored.secret_hash, stored.prefix) and len(stored.secret_hash) == 64


def test_changes_are_rate_limited_like_the_pages(web_app, smtp_sink, tmp_path, db_session):
    from tests.web.conftest import make_app

    app = make_app(web_app.config["VERBINDING"].database_url, tmp_path, smtp_sink.url,
                   VERBINDING_RATE_LIMIT_POST="2/600")  # fmt: skip
    try:
        now = utcnow()
        item, people = factories.initiative_with_group(db_session, now, members=0)
        token = create_token(db_session, people[0], name="t", scope="write", now=now)[1]
        db_session.commit()
        client = app.test_client()
        url = f"/api/v1/initiatives/{item.id}/steps"
        answers = [
            client.post(url, json={"stage": "proposal", "title": f"Stap {n}"}, headers=auth(token))
            for n in range(3)
        ]
        assert [a.status_code for a in answers] == [201, 201, 429]
        assert answers[2].content_type == PROBLEM and int(answers[2].headers["Retry-After"]) > 0
        assert client.get(f"/api/v1/initiatives/{item.id}", headers=auth(token)).status_code == 200
    finally:
        app.extensions["verbinding"].close()
