"""`verbinding init` and `verbinding demo` on a fresh database of each kind."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from engine.cli import main
from engine.db import make_engine, make_session_factory
from engine.models import Event, Initiative, JoinRequest, Neighbourhood, Person


def run(url: str, tmp_path, *args: str):
    env = {"VERBINDING_DATABASE_URL": url, "VERBINDING_INSTANCE_PATH": str(tmp_path)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_init_migrates_and_registers_the_templates(database_url, tmp_path):
    result = run(database_url, tmp_path, "init")
    assert result.exit_code == 0, result.output
    assert "wijkvisie v1" in result.output and "vergroening v1" in result.output
    again = run(database_url, tmp_path, "init")
    assert again.exit_code == 0 and "wijkvisie v1" in again.output  # no new version


def test_demo_loads_groningen_and_four_initiatives_and_is_safe_twice(database_url, tmp_path):
    first = run(database_url, tmp_path, "demo")
    assert first.exit_code == 0, first.output
    assert "meetings and support: a wijkavond" in first.output
    assert "7 supporters of the Voermanhaven plan (5 new)" in first.output
    second = run(database_url, tmp_path, "demo")
    assert second.exit_code == 0 and "initiatives: already there" in second.output
    # the second run reports what is there, not only what it added
    assert second.output.splitlines()[-1] == (
        "meetings and support: Wijkvisie Paddepoel's meetings already there; "
        "7 supporters of the Voermanhaven plan (0 new)"
    )
    engine = make_engine(database_url)
    with make_session_factory(engine)() as s:
        states = dict(s.execute(select(Initiative.title, Initiative.state)).all())
        assert states == {
            "Wijkvisie Paddepoel": "visioning",
            "Toekomstplan Coenderspark": "municipal_support",
            "Groen op de Voermanhaven": "maintenance",
            # started by the coach on behalf of residents, waiting for its first resident
            "Groene speelplek Selwerd": "proposal",
        }
        assert s.scalar(select(func.count()).select_from(Neighbourhood)) == 76
        assert s.scalar(select(func.count()).select_from(Person).where(Person.role == "coach"))
        moves = select(func.count()).select_from(Event).where(Event.kind == "transition")
        history = s.scalar(moves)
        assert history == 7  # 1 + 2 + 4 moves, each with its history
        # the groups formed as groups do: asked and let in, one request still waiting
        waiting = s.execute(
            select(Person.email, Initiative.title)
            .join(JoinRequest, JoinRequest.person_id == Person.id)
            .join(Initiative, Initiative.id == JoinRequest.initiative_id)
            .where(JoinRequest.status == "pending")
        ).all()
        assert waiting == [("henk@example.nl", "Wijkvisie Paddepoel")]
        assert s.scalar(select(func.count()).where(Event.kind == "join.approved")) >= 4
        selwerd = s.scalar(select(Initiative).where(Initiative.title == "Groene speelplek Selwerd"))
        assert selwerd.is_on_behalf and selwerd.memberships == []
        creator = s.get(Person, selwerd.created_by_id)
        assert creator.role == "coach"
    engine.dispose()


def test_init_without_templates_says_where_it_looked_and_fails(tmp_path, monkeypatch):
    empty = tmp_path / "no-templates"
    empty.mkdir()
    monkeypatch.setenv("VERBINDING_WORKFLOWS_DIR", str(empty))
    for command in ("init", "demo"):
        result = run(f"sqlite:///{tmp_path / 'cli.db'}", tmp_path, command)
        assert result.exit_code == 1, result.output
        assert f"error: no process templates (*.yaml) in {empty}" in result.output
        assert "VERBINDING_WORKFLOWS_DIR" in result.output
