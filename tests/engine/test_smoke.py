from engine.operations import add_step, complete_step, fire_transition, list_moves
from tests import factories


def test_walk(session, now):
    item = factories.initiative(session, now, members=1)
    initiator = item.memberships[0].person
    moves = list_moves(session, initiator, item)
    assert [m.trigger for m in moves] == ["start"]
    step = add_step(session, initiator, item.id, stage_key="proposal", title="Idee", now=now)
    moves = list_moves(session, initiator, item)
    assert [str(r) for r in moves[0].reasons]
    complete_step(session, initiator, item.id, step.id, now)
    assert list_moves(session, initiator, item)[0].allowed
    fire_transition(session, initiator, item.id, "start", now, note="Op weg")
    assert item.state == "visioning"
