"""Decisions: a fixed electorate per decision, a quorum and a closing moment for majority votes.

Existing decisions get their electorate from the group as it stands today: the resident members
(the initiators, for the ``initiators`` rule) who had joined by the time the decision opened,
and whoever voted on it and has left the group since (a vote cast stands). Someone who joined
after a decision opened is not in its electorate, and a vote they cast does not count.

An open majority vote had no closing moment: it gets the default, seven days after it opened.

Revision ID: 0007
Revises: 0005
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)
#: the default closing moment of a majority vote (engine.workflows.definitions.DECISION_DAYS)
MAJORITY_DAYS = 7
RESIDENT_ROLES = ("initiator", "member", "partner")

_decisions = sa.table(
    "decisions",
    sa.column("id", sa.Integer),
    sa.column("initiative_id", sa.Integer),
    sa.column("rule", sa.String),
    sa.column("status", sa.String),
    sa.column("opened_dt", UTC),
    sa.column("closes_dt", UTC),
)
_memberships = sa.table(
    "memberships",
    sa.column("initiative_id", sa.Integer),
    sa.column("person_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("joined_dt", UTC),
)
_votes = sa.table("votes", sa.column("decision_id", sa.Integer), sa.column("person_id", sa.Integer))
_electors = sa.table(
    "electors", sa.column("decision_id", sa.Integer), sa.column("person_id", sa.Integer)
)


def upgrade() -> None:
    op.create_table(
        "electors",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("dropped_dt", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_electors_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_electors_person_id_people")
        ),
        sa.PrimaryKeyConstraint("decision_id", "person_id", name=op.f("pk_electors")),
    )
    with op.batch_alter_table("electors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_electors_person_id"), ["person_id"], unique=False)
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quorum", sa.Integer(), nullable=True))
    _fill_electorates(op.get_bind())


def _fill_electorates(bind) -> None:
    groups: dict[int, dict[int, tuple[str, object]]] = {}
    for m in bind.execute(sa.select(_memberships)).mappings():
        groups.setdefault(m["initiative_id"], {})[m["person_id"]] = (m["role"], m["joined_dt"])
    voters: dict[int, set[int]] = {}
    for v in bind.execute(sa.select(_votes)).mappings():
        voters.setdefault(v["decision_id"], set()).add(v["person_id"])
    rows = []
    for d in bind.execute(sa.select(_decisions).order_by(_decisions.c.id)).mappings():
        group = groups.get(d["initiative_id"], {})
        roles = ("initiator",) if d["rule"] == "initiators" else RESIDENT_ROLES
        asked = {
            p for p, (role, joined) in group.items() if role in roles and joined <= d["opened_dt"]
        }
        asked |= {p for p in voters.get(d["id"], ()) if p not in group}
        rows += [{"decision_id": d["id"], "person_id": p} for p in sorted(asked)]
        if d["status"] == "open" and d["rule"] == "majority" and d["closes_dt"] is None:
            bind.execute(
                sa.update(_decisions)
                .where(_decisions.c.id == d["id"])
                .values(closes_dt=d["opened_dt"] + timedelta(days=MAJORITY_DAYS))
            )
    if rows:
        bind.execute(sa.insert(_electors), rows)


def downgrade() -> None:
    # before this revision a majority vote had no closing moment (it closed by hand)
    op.execute(sa.update(_decisions).where(_decisions.c.rule == "majority").values(closes_dt=None))
    if op.get_bind().dialect.name == "sqlite":
        # not in batch mode: that copies the table, and votes refer to it (SQLite >= 3.35)
        op.execute("ALTER TABLE decisions DROP COLUMN quorum")
    else:
        op.drop_column("decisions", "quorum")
    with op.batch_alter_table("electors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_electors_person_id"))
    op.drop_table("electors")
