"""While the database cannot be reached every page answers 503, with Retry-After and a page in
the reader's language, never a 500; a logged-in visitor gets it too."""

from __future__ import annotations

import socket
import threading

import pytest
from sqlalchemy import make_url
from sqlalchemy.orm import Session, sessionmaker

from engine.db import make_engine, make_session_factory
from tests import factories
from tests.conftest import PG_PROBLEM, prepared_database
from tests.support import csrf_token, free_port, login
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
    # alive, but not ready: a load balancer takes it out of service without restarting it
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
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
        answer = client.get(
            "/api/v1/initiatives",
            headers={"Accept-Language": language, "Authorization": "Bearer vb_x"},
        )
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
        assert answer.mimetype == "application/problem+json"
        body = answer.get_json()
        assert body["status"] == 503 and body["title"] == title
        assert body["instance"] == "/api/v1/initiatives"
    app.extensions["verbinding"].close()


class Cable:
    """A TCP forwarder between the app and the real PostgreSQL that a test can cut (every
    connection closed, new ones refused) and mend again, on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()

    def mend(self) -> Cable:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        with self.lock:
            found, self.sockets = self.sockets, []
            listener, self.listener = self.listener, None
        for s in [*found, *([listener] if listener else [])]:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.mark.postgres
def test_the_real_postgresql_cut_off_gives_503_and_back_gives_pages(tmp_path, smtp):
    if PG_PROBLEM:
        pytest.skip(f"PostgreSQL not reachable: {PG_PROBLEM}")
    prepared = prepared_database("postgres", tmp_path, "cable")
    url = make_url(prepared.url)
    prepared.dispose()
    cable = Cable(url.host or "127.0.0.1", url.port or 5432).mend()
    through = url.set(host="127.0.0.1", port=cable.port).render_as_string(hide_password=False)
    app = make_app(through, tmp_path / "instance", smtp.url)
    client = app.test_client()
    try:
        assert client.get("/").status_code == 200
        cable.cut()  # the database's connections break, and no new one can be made
        for path in ("/", "/initiatives/1", "/api/v1/initiatives"):
            answer = client.get(path)
            assert answer.status_code == 503 and answer.headers["Retry-After"] == "30", path
        assert client.get("/api/v1/initiatives").mimetype == "application/problem+json"
        cable.mend()
        assert client.get("/").status_code == 200  # back without a restart of the app
    finally:
        cable.cut()
        app.extensions["verbinding"].close()
