"""Residents look after what they wrote in a consultation, as in a discussion: change an idea,
reaction or reply for 15 minutes after writing it (it then says "edited"), delete it at any
time (its words and photo go, "deleted" stays in its place so its replies keep theirs; its
supports no longer count and its open reports close).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from engine.consultations.moderation import _close_reports
from engine.consultations.operations import get_post
from engine.discussions.operations import EDIT_WINDOW
from engine.discussions.text import MAX_MESSAGE, clean_text
from engine.errors import PermissionDenied, Refused
from engine.i18n import msg
from engine.models import Person
from engine.models.consultations import ConsultationPost
from engine.operations.common import check_row_version
from engine.storage import Storage, on_commit

log = logging.getLogger(__name__)

_CHANGED = msg(
    "Someone changed this post at the same moment. Nothing was saved; look at it as it is now "
    "and try again."
)


def editable(post: ConsultationPost, person: Person | None, now: datetime) -> bool:
    """May ``person`` still change the post (their own, not gone, within the window)?"""
    return (
        person is not None
        and post.author_id == person.id
        and not post.is_gone
        and now - post.created_dt <= EDIT_WINDOW
    )


def _own(session: Session, actor: Person, initiative_id: int, post_id: int) -> ConsultationPost:
    post = get_post(session, initiative_id, post_id)
    if post.author_id != actor.id:
        raise PermissionDenied(msg("Only its author can change or delete a post."))
    if post.deleted_dt is not None:
        raise Refused(msg("This post was deleted."))
    return post


def edit_post(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    post_id: int,
    body: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> ConsultationPost:
    """Change one's own post, within 15 minutes of writing it; the page says it was edited."""
    post = _own(session, actor, initiative_id, post_id)
    if post.hidden_dt is not None:
        raise Refused(msg("This post was hidden; it cannot be changed any more."))
    if now - post.created_dt > EDIT_WINDOW:
        raise Refused(
            msg(
                "A post can be changed for 15 minutes after writing it. Delete it, or write "
                "a new one."
            )
        )
    check_row_version(post, expected_version, _CHANGED)
    text = clean_text(body, field="body", maximum=MAX_MESSAGE)
    if text != post.body:
        post.body, post.edited_dt = text, now
        session.flush()
    log.info("initiative %s: consultation post %s edited by its author", initiative_id, post.id)
    return post


def delete_post(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    post_id: int,
    now: datetime,
    store: Storage | None = None,
    expected_version: int | None = None,
) -> ConsultationPost:
    """Delete one's own post: its words and photo go, "deleted" stays in its place."""
    post = _own(session, actor, initiative_id, post_id)
    check_row_version(post, expected_version, _CHANGED)
    photo = post.photo_name
    post.body, post.deleted_dt = "", now
    post.photo_name = post.photo_type = None
    _close_reports(session, post, actor, now)
    session.flush()
    if photo is not None and store is not None:
        on_commit(session, lambda: store.delete(photo))
    log.info("initiative %s: consultation post %s deleted by its author", initiative_id, post.id)
    return post
