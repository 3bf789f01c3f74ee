"""While the database cannot be reached every page answers 503, with Retry-After and a page in
the reader's language, never a 500; a logged-in visitor gets it too."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from engine.db import make_engine, make_session_factory
from tests import factories
from tests.support import csrf_token, login
from tests.web.conftest import make_app

#: a PostgreSQL that is not there: nothing listens on port 1
AWAY = "postgresql+psycopg://postgres@127.0.0.1:1/verbinding"


def test_pages_and_forms_answer_503_with_retry_after_in_the_readers_language(tmp_path, smtp):
    app = make_app(AWAY, tmp_path / "instance", smtp.url)
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    text = page.get_data(as_text=True)
    assert '<html lang="nl">' in text and "De site is even niet beschikbaar" in text
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The site is unavailable for a moment" in english
    assert client.get("/healthz").status_code == 503
    token = csrf_token(client, "/login")  # the login form itself needs no database
    sent = client.post("/login", data={"csrf_token": token, "email": "anna@example.nl",
                                       "password": "wachtwoord-123"})  # fmt: skip
    assert sent.status_code == 503 and "Retry-After" in sent.headers
    app.extensions["verbinding"].close()


def test_a_logged_in_visitor_gets_the_same_page(web_app, client, db_session, now, monkeypatch):
    anna = factories.person(db_session, now, "Anna Bakker")
    db_session.commit()
    login(client, anna.email)
    runtime = web_app.extensions["verbinding"]
    away: sessionmaker[Session] = make_session_factory(make_engine(AWAY), runtime.config)
    monkeypatch.setattr(runtime, "sessions", away)  # the database goes away
    page = client.get("/")
    assert page.status_code == 503 and "Retry-After" in page.headers
    assert 'href="/login"' in page.get_data(as_text=True)  # shown as logged out: no one to ask
    monkeypatch.undo()  # and comes back: the same visitor is logged in again
    back = client.get("/").get_data(as_text=True)
    assert "Anna Bakker" in back and 'href="/login"' not in back
    away.kw["bind"].dispose()


def test_the_api_answers_503_as_a_problem_in_the_readers_language(tmp_path, smtp):
    app = make_app(AWAY, tmp_path / "instance", smtp.url)
    client = app.test_client()
    for language, title in (("nl", "De site is even niet beschikbaar"),
                            ("en", "The site is unavailable for a moment")):  # fmt: skip
        answer = client.get("/api/v1/initiatives", headers={"Accept-Language": language,
                                                            "Authorization": "Bearer vb_x"})
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
        assert answer.mimetype == "application/problem+json"
        body = answer.get_json()
        assert body["status"] == 503 and body["title"] == title
        assert body["instance"] == "/api/v1/initiatives"
    app.extensions["verbinding"].close()
