"""The demo's Voermanhaven maintains its quay: association, agreement, three tasks, history."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from engine.cli import main
from engine.db import make_engine, make_session_factory
from engine.maintenance.association import members_of
from engine.models import (
    Association,
    Initiative,
    MaintenanceAgreement,
    MaintenanceTask,
    Occurrence,
)
from engine.operations.common import guard_context


def _demo(url, tmp_path):
    env = {"VERBINDING_DATABASE_URL": url, "VERBINDING_INSTANCE_PATH": str(tmp_path)}
    result = CliRunner().invoke(main, ["demo"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_quay_is_in_self_management_and_loads_twice(database_url, tmp_path):
    first = _demo(database_url, tmp_path)
    assert "maintenance: agreement, Plantenbakken water geven" in first
    second = _demo(database_url, tmp_path)
    assert "maintenance: already there" in second
    engine = make_engine(database_url)
    with make_session_factory(engine)() as s:
        quay = s.scalar(select(Initiative).where(Initiative.title == "Groen op de Voermanhaven"))
        assert quay.state == "maintenance"
        association = s.scalar(select(Association).where(Association.initiative_id == quay.id))
        assert (association.name, association.kvk_number) == (
            "Bewonersvereniging Voermanhaven",
            "41012345",
        )
        assert association.contact_person.email == "pieter@example.nl"
        roles = {m.person.email: m.board_role for m in members_of(s, association.id)}
        assert roles == {
            "pieter@example.nl": "chair",
            "anna@example.nl": "treasurer",
            "fatima@example.nl": None,
        }
        assert guard_context(s, quay).association_registered
        assert s.scalar(select(func.count()).select_from(MaintenanceAgreement)) == 1
        rules = dict(s.execute(select(MaintenanceTask.title, MaintenanceTask.rrule)).all())
        assert rules == {
            "Plantenbakken water geven": "FREQ=WEEKLY;BYMONTH=5,6,7,8,9;BYDAY=SA",
            "Afvoerput bij de kade schoonmaken": "FREQ=MONTHLY;BYDAY=1MO",
            "Voorjaarsschoonmaak van de kade": "FREQ=YEARLY;BYMONTH=4;BYDAY=1SA",
        }
        history = dict(
            s.execute(
                select(Occurrence.status, func.count())
                .where(Occurrence.note.is_not(None))
                .group_by(Occurrence.status)
            ).all()
        )
        assert history.get("done", 0) >= 2 and history.get("missed", 0) >= 1
        planned = s.scalar(select(func.count()).where(Occurrence.status == "planned"))
        assert planned >= 3
    engine.dispose()
