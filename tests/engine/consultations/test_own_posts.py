"""A resident changes their own idea for 15 minutes and deletes it at any time: the change shows
as "edited", a deletion leaves "deleted" in place (replies stay), its photo goes, it no longer
counts for the consultation gate, and its open reports close. Nobody else changes or deletes it;
a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.consultations.moderation import hide_post, report_post
from engine.consultations.operations import open_consultation, post_idea, reply
from engine.consultations.own import delete_post, edit_post, editable
from engine.errors import Conflict, PermissionDenied, Refused
from engine.models.consultations import ConsultationPost, ConsultationReport
from engine.operations.common import guard_context
from engine.storage import StorageUnavailable
from engine.timeutil import local_date
from tests import factories

MIN = timedelta(minutes=1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def idea(session, now, storage):
    item = factories.initiative(session, now, workflow="wijkvisie", members=2)
    people = [m.person for m in item.memberships]
    item.state = "consultation"
    session.flush()
    found = open_consultation(session, people[0], initiative_id=item.id, question="Wat vind je?",
                              ends_on=local_date(now) + timedelta(days=7), now=now)  # fmt: skip
    buur, ander = (factories.person(session, now, f"Buur {n}") for n in range(2))
    store = storage
    post = post_idea(session, buur, initiative_id=item.id, consultation_id=found.id, kind="idea",
                     body="Meer groen", now=now, photo=("groen.png", PNG), store=store)  # fmt: skip
    session.commit()
    return item, people, buur, ander, post, store


def test_the_author_changes_it_for_15_minutes_and_it_shows_as_edited(session, now, idea):
    item, people, buur, ander, post, _store = idea
    assert editable(post, buur, now + 15 * MIN) and not editable(post, ander, now)
    edit_post(session, buur, initiative_id=item.id, post_id=post.id, body="Meer bomen",
              now=now + 5 * MIN, expected_version=post.version)  # fmt: skip
    assert (post.body, post.edited_dt) == ("Meer bomen", now + 5 * MIN)
    with pytest.raises(PermissionDenied):
        edit_post(session, ander, initiative_id=item.id, post_id=post.id, body="Van mij",
                  now=now + 6 * MIN)  # fmt: skip
    with pytest.raises(Conflict):  # from a page that showed the post before the change
        edit_post(session, buur, initiative_id=item.id, post_id=post.id, body="Oud",
                  now=now + 7 * MIN, expected_version=1)  # fmt: skip
    with pytest.raises(Refused) as late:
        edit_post(session, buur, initiative_id=item.id, post_id=post.id, body="Te laat",
                  now=now + 16 * MIN)  # fmt: skip
    assert "15 minutes" in late.value.message.render()
    assert post.body == "Meer bomen" and not editable(post, buur, now + 16 * MIN)


def test_deleting_leaves_deleted_in_place_and_no_longer_counts(session, now, idea):
    item, people, buur, ander, post, store = idea
    answer = reply(session, people[0], initiative_id=item.id, parent_id=post.id,
                   body="Goed idee", now=now + MIN)  # fmt: skip
    report_post(session, ander, initiative_id=item.id, post_id=post.id, reason="Dubbel",
                now=now + MIN)  # fmt: skip
    photo = post.photo_name
    assert photo and store.exists(photo)
    assert guard_context(session, item).consultation_reactions == 2
    with pytest.raises(PermissionDenied):
        delete_post(session, ander, initiative_id=item.id, post_id=post.id, now=now)
    delete_post(session, buur, initiative_id=item.id, post_id=post.id, now=now + 20 * MIN,
                store=store)  # fmt: skip
    session.commit()
    assert post.is_gone and post.body == "" and post.photo_name is None
    assert not store.exists(photo)  # the photo goes once the deletion is saved
    assert answer.parent_id == post.id and not answer.is_gone  # the reply keeps its place
    assert guard_context(session, item).consultation_reactions == 1
    assert session.query(ConsultationReport).filter_by(closed_dt=None).count() == 0
    with pytest.raises(Refused) as twice:
        delete_post(session, buur, initiative_id=item.id, post_id=post.id, now=now + 21 * MIN)
    assert twice.value.message.render() == "This post was deleted."
    with pytest.raises(Refused):
        edit_post(session, buur, initiative_id=item.id, post_id=post.id, body="Terug",
                  now=now + 21 * MIN)  # fmt: skip


def test_a_hidden_post_cannot_be_changed(session, now, idea):
    item, people, buur, _ander, post, _store = idea
    hide_post(session, people[0], initiative_id=item.id, post_id=post.id, reason="Grof",
              now=now + MIN)  # fmt: skip
    with pytest.raises(Refused) as hidden:
        edit_post(session, buur, initiative_id=item.id, post_id=post.id, body="Netjes",
                  now=now + 2 * MIN)  # fmt: skip
    assert "hidden" in hidden.value.message.render()


def test_pages_by_support_cover_every_post_once(session, now, idea):
    """The "most supported first" keyset walks every idea once, most supported first."""
    from engine.consultations.queries import load_page
    from engine.models.consultations import Consultation, ConsultationSupport

    item, people, buur, ander, first, _store = idea
    found = session.get(Consultation, first.consultation_id)
    posts = [first] + [
        post_idea(
            session,
            buur,
            initiative_id=item.id,
            consultation_id=found.id,
            kind="idea",
            body=f"Idee {n}",
            now=now + n * MIN,
        )  # fmt: skip
        for n in range(1, 8)
    ]
    fans = [factories.person(session, now, f"Fan {n}") for n in range(3)]
    for n, post in enumerate(posts):  # 0, 1, 2, 3, 0, 1, 2, 3 supports
        for fan in fans[: n % 4]:
            session.add(ConsultationSupport(post_id=post.id, person_id=fan.id, created_dt=now))
    session.flush()
    seen, before, supports = [], None, None
    while True:
        page = load_page(session, found, order="support", before=before,
                         before_supports=supports, per_page=3)  # fmt: skip
        seen += [(v.supports, v.post.id) for v in page.posts]
        if page.next_before is None:
            break
        before, supports = page.next_before, page.next_supports
    assert seen == sorted(((n % 4, p.id) for n, p in enumerate(posts)), reverse=True)


def test_a_deleted_idea_takes_no_support_reply_or_report(session, now, idea):
    """From a page that still showed it: each refusal says the author deleted it."""
    from engine.consultations.operations import support

    item, people, buur, ander, post, store = idea
    delete_post(session, buur, initiative_id=item.id, post_id=post.id, now=now + MIN, store=store)
    with pytest.raises(Refused) as refused:
        support(session, ander, initiative_id=item.id, post_id=post.id, now=now + 2 * MIN)
    assert "deleted by its author" in refused.value.message.render()
    with pytest.raises(Refused) as refused:
        reply(session, people[0], initiative_id=item.id, parent_id=post.id, body="Jammer",
              now=now + 2 * MIN)  # fmt: skip
    assert "deleted by its author" in refused.value.message.render()
    with pytest.raises(Refused) as refused:
        report_post(session, ander, initiative_id=item.id, post_id=post.id, reason=None,
                    now=now + 2 * MIN)  # fmt: skip
    assert refused.value.message.render() == "This post was deleted."


def test_a_photo_for_a_bucket_that_does_not_answer_posts_nothing(session, now, s3_server):
    item = factories.initiative(session, now, workflow="wijkvisie", members=2)
    item.state = "consultation"
    session.flush()
    found = open_consultation(session, item.memberships[0].person, initiative_id=item.id,
                              question="Wat vind je?", ends_on=local_date(now) + timedelta(days=7),
                              now=now)  # fmt: skip
    buur = factories.person(session, now, "Buur")
    session.commit()
    missing = s3_server.storage("verbinding-nooit-gemaakt")
    with pytest.raises(StorageUnavailable):
        with session.begin_nested():
            post_idea(session, buur, initiative_id=item.id, consultation_id=found.id,
                      kind="idea", body="Een bankje", now=now, photo=("bank.png", PNG),
                      store=missing)  # fmt: skip
    assert session.scalar(select(ConsultationPost).where(
        ConsultationPost.initiative_id == item.id)) is None  # fmt: skip
