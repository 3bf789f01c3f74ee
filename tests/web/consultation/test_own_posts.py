"""A neighbour changes their own idea on its page (it then says "edited") and deletes it
("deleted" stays, the reply under it too, the photo is gone); nobody else gets those buttons,
and a change from a page that is out of date is refused and saves nothing."""

from __future__ import annotations

import io
import re

import pytest

from tests.web.consultation.test_pages import PNG, _as, _open, _send, group  # noqa: F401


@pytest.fixture(scope="session")
def web_app(web_app_with_storage):
    """Uploads in a local folder and in an S3 bucket, on each kind of database."""
    return web_app_with_storage


def test_a_neighbour_changes_and_deletes_their_own_idea(web_app, group):  # noqa: F811
    page, cid = _open(web_app, group)
    neighbour, other = _as(web_app, group, "outsider"), _as(web_app, group, "neighbour")
    sent = _send(neighbour, f"/initiatives/{group['item']}/consultation/{cid}/posts",
                 {"kind": "idea", "body": "Meer bankjes", "photo": (io.BytesIO(PNG), "b.png")},
                 page, content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 302
    post_id = int(re.search(r'id="post-(\d+)"', other.get(page).get_data(as_text=True)).group(1))
    base = f"/initiatives/{group['item']}/consultation/posts/{post_id}"
    # the author has Change and Delete on the idea's own page; a neighbour has Report instead
    html = neighbour.get(base).get_data(as_text=True)
    assert f'action="{base}/edit"' in html and f'action="{base}/delete"' in html
    assert "You can change it until" in html
    theirs = other.get(base).get_data(as_text=True)
    assert f'action="{base}/edit"' not in theirs and f'action="{base}/report"' in theirs
    refused = _send(other, f"{base}/edit", {"body": "Van mij", "version": "1"}, page,
                    follow_redirects=True)  # fmt: skip
    assert "Only its author can change or delete a post." in refused.get_data(as_text=True)
    empty = _send(neighbour, f"{base}/edit", {"body": " ", "version": "1"}, page)
    assert empty.status_code == 400 and "Write something first." in empty.get_data(as_text=True)
    assert _send(neighbour, f"{base}/edit", {"body": "Meer bankjes en bomen", "version": "1"},
                 page).status_code == 302  # fmt: skip
    html = other.get(page).get_data(as_text=True)
    assert "Meer bankjes en bomen" in html and "edited" in html
    stale = _send(neighbour, f"{base}/edit", {"body": "Oud", "version": "1"}, page,
                  follow_redirects=True)  # fmt: skip
    assert "Someone changed this post at the same moment" in stale.get_data(as_text=True)
    assert "Meer bankjes en bomen" in other.get(page).get_data(as_text=True)
    # a reply under it stays when the idea is deleted
    member = _as(web_app, group, "member")
    assert _send(member, f"{base}/reply", {"body": "Goed idee!"}, page).status_code == 302
    gone = _send(neighbour, f"{base}/delete", {"version": "2"}, page, follow_redirects=True)
    assert "Your post is deleted." in gone.get_data(as_text=True)
    public = web_app.test_client()
    public.get("/language/en")
    html = public.get(page).get_data(as_text=True)
    assert "This post was deleted by its author." in html and "Meer bankjes" not in html
    html = public.get(base).get_data(as_text=True)
    assert "Goed idee!" in html and "Meer bankjes" not in html
    assert public.get(f"{base}/photo").status_code == 404
    again = _send(neighbour, f"{base}/delete", {"version": "3"}, page, follow_redirects=True)
    assert "This post was deleted." in again.get_data(as_text=True)
