"""The API operations a client strings together: templates with their stage graph, starting an
initiative and finding it again page by page, pausing and resuming, a group decision with
votes, one's own notification choices, and the caseload's filters."""

from __future__ import annotations

import itertools

from engine.api_tokens import create_token
from engine.db import utcnow
from tests import factories
from tests.web.api.conftest import auth

_n = itertools.count(1)


def _group(db_session, members: int = 1):
    now = utcnow()
    item, people = factories.initiative_with_group(db_session, now, members=members)
    tokens = [create_token(db_session, p, name="t", scope="write", now=now)[1] for p in people]
    db_session.commit()
    return item, tokens


def test_templates_carry_their_stage_graph(client):
    templates = client.get("/api/v1/templates").get_json()
    assert templates
    for template in templates:
        keys = {stage["key"] for stage in template["stages"]}
        assert template["initial"] in keys
        for move in template["moves"]:  # every edge joins two stages of the graph
            assert move["dest"] in keys and set(move["sources"]) <= keys
    one = client.get(f"/api/v1/templates/{templates[0]['name']}")
    assert one.status_code == 200 and one.get_json()["name"] == templates[0]["name"]
    assert "ETag" in one.headers
    assert client.get("/api/v1/templates/bestaat-niet").status_code == 404


def test_an_initiative_started_through_the_api_is_found_page_by_page(client, db_session):
    item, (initiator, _member) = _group(db_session)
    mark = f"Sleutel{next(_n)}x{item.id}"
    now = utcnow()
    for n in range(12):
        factories.initiative(db_session, now, title=f"{mark} {n:02d}", members=0)
    db_session.commit()
    made = client.post(
        "/api/v1/initiatives",
        json={"template": "proefproces", "wijk_id": item.neighbourhood_id,
              "title": f"{mark} 99 via de API"},
        headers=auth(initiator),
    )  # fmt: skip
    assert made.status_code == 201, made.get_data(as_text=True)
    new_id = made.get_json()["id"]
    read = client.get(f"/api/v1/initiatives/{new_id}", headers=auth(initiator)).get_json()
    assert read["my_role"] == "initiator" and read["stage"] == "proposal"

    first = client.get(f"/api/v1/initiatives?q={mark}&per_page=12").get_json()
    assert len(first["items"]) == 12 and first["previous_before"] is None
    assert first["next_after"] is not None
    second = client.get(
        f"/api/v1/initiatives?q={mark}&per_page=12&after={first['next_after']}"
    ).get_json()
    assert [row["id"] for row in second["items"]] == [new_id]
    assert second["next_after"] is None
    back = client.get(
        f"/api/v1/initiatives?q={mark}&per_page=12&before={second['previous_before']}"
    ).get_json()
    assert [r["id"] for r in back["items"]] == [r["id"] for r in first["items"]]

    # the filters narrow the same list: stage, wijk, template
    wijk = item.neighbourhood_id
    found = client.get(f"/api/v1/initiatives?q={mark}&per_page=48&wijk={wijk}&stage=proposal"
                       "&template=proefproces").get_json()  # fmt: skip
    assert len(found["items"]) == 13
    other = client.get(f"/api/v1/initiatives?q={mark}&template=vergroening").get_json()
    assert other["items"] == []
    assert client.get(f"/api/v1/initiatives?q={mark}&stage=execution").get_json()["items"] == []
    bad = client.get("/api/v1/initiatives?per_page=13")
    assert bad.status_code == 422 and "per_page" in bad.get_json()["errors"]


def test_a_group_pauses_and_resumes(client, db_session):
    item, (initiator, member) = _group(db_session)
    url = f"/api/v1/initiatives/{item.id}"
    paused = client.post(url + "/pause", json={"reason": "Zomervakantie"}, headers=auth(member))
    assert paused.status_code == 200, paused.get_data(as_text=True)
    seen = client.get(url, headers=auth(initiator))
    assert seen.get_json()["is_paused"] is True
    no_reason = client.post(url + "/pause", json={}, headers=auth(member))
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    again = client.post(url + "/pause", json={"reason": "Nog eens"}, headers=auth(member))
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    assert again.get_json()["type"].endswith("#problem-refused")
    resumed = client.post(
        url + "/resume", json={"shift_dates": True}, headers={**auth(initiator),
                                                             "If-Match": seen.headers["ETag"]},
    )  # fmt: skip
    assert resumed.status_code == 200, resumed.get_data(as_text=True)
    assert client.get(url, headers=auth(member)).get_json()["is_paused"] is False


def test_a_move_that_needs_a_decision_is_voted_on_and_closed(client, db_session):
    item, (initiator, member) = _group(db_session)
    url = f"/api/v1/initiatives/{item.id}"
    assert client.post(url + "/moves/start", json={}, headers=auth(member)).status_code == 200
    plan = next(m for m in client.get(url, headers=auth(member)).get_json()["moves"]
                if m["trigger"] == "plan")  # fmt: skip
    assert plan["decision_rule"] == "consent"
    direct = client.post(url + "/moves/plan", json={}, headers=auth(member))
    assert direct.status_code == 409  # the group decides first
    opened = client.post(url + "/moves/plan/decision", json={"question": "Gaan we uitvoeren?"},
                         headers=auth(initiator))  # fmt: skip
    assert opened.status_code == 201, opened.get_data(as_text=True)
    decision = opened.get_json()
    assert decision["status"] == "open"
    votes = f"{url}/decisions/{decision['id']}/votes"
    wrong = client.post(votes, json={"choice": "misschien"}, headers=auth(member))
    assert wrong.status_code == 422 and "choice" in wrong.get_json()["errors"]
    for token in (initiator, member):
        cast = client.post(votes, json={"choice": "for", "comment": "Ja"}, headers=auth(token))
        assert cast.status_code == 200, cast.get_data(as_text=True)
    assert cast.get_json()["status"] == "approved"  # everyone consented
    body = client.get(url, headers=auth(member)).get_json()
    assert any(d["id"] == decision["id"] for d in body["decisions"])
    closed = client.post(f"{url}/decisions/{decision['id']}/close", json={},
                         headers=auth(initiator))  # fmt: skip
    assert closed.status_code == 409  # nothing left to close
    moved = client.post(url + "/moves/plan", json={}, headers=auth(member))
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert client.get(url, headers=auth(member)).get_json()["stage"] == "execution"


def test_a_consent_decision_is_not_closed_while_members_may_still_object(client, db_session):
    item, (initiator, member, other) = _group(db_session, members=2)
    url = f"/api/v1/initiatives/{item.id}"
    client.post(url + "/moves/start", json={}, headers=auth(member))
    decision = client.post(url + "/moves/plan/decision", json={},
                           headers=auth(initiator)).get_json()  # fmt: skip
    votes, close = (f"{url}/decisions/{decision['id']}/{w}" for w in ("votes", "close"))
    client.post(votes, json={"choice": "for"}, headers=auth(member))
    early = client.post(close, json={}, headers={**auth(initiator), "Accept-Language": "en"})
    assert early.status_code == 409
    assert "until the end of the consent period" in early.get_json()["detail"]
    objected = client.post(votes, json={"choice": "object", "comment": "Te snel"},
                           headers=auth(other))  # fmt: skip
    assert objected.status_code == 200 and objected.get_json()["status"] != "open"
    assert client.post(url + "/moves/plan", json={}, headers=auth(member)).status_code == 409


def test_my_notification_choices_and_language(client, db_session):
    _item, (initiator, _member) = _group(db_session)
    mine = client.get("/api/v1/me/preferences", headers=auth(initiator))
    assert mine.status_code == 200
    modes = mine.get_json()["modes"]
    kind = sorted(modes)[0]
    changed = client.put("/api/v1/me/preferences", json={"locale": "en", "modes": {kind: "off"}},
                         headers=auth(initiator))  # fmt: skip
    assert changed.status_code == 200, changed.get_data(as_text=True)
    again = client.get("/api/v1/me/preferences", headers=auth(initiator)).get_json()
    assert again["locale"] == "en" and again["modes"][kind] == "off"
    wrong = client.put("/api/v1/me/preferences", json={"modes": {kind: "soms"}},
                       headers=auth(initiator))  # fmt: skip
    assert wrong.status_code == 422
    assert client.get("/api/v1/me/preferences").status_code == 401


def test_the_caseload_filters_as_its_page(client, api_world):
    coach = auth(api_world.tokens["coach"])
    every = client.get("/api/v1/coach/caseload?per_page=100", headers=coach).get_json()
    assert every["total"] >= 2
    template = every["items"][0]["template"]
    narrowed = client.get(f"/api/v1/coach/caseload?template={template}&per_page=100",
                          headers=coach).get_json()  # fmt: skip
    assert 1 <= narrowed["total"] <= every["total"]
    assert {row["template"] for row in narrowed["items"]} == {template}
    nothing = client.get("/api/v1/coach/caseload?q=zzz-bestaat-niet", headers=coach).get_json()
    assert nothing["total"] == 0 and nothing["items"] == []
