"""Small tables the database keeps at every change, so city-wide figures read a few rows
(created by migration 0025, kept by its triggers; never written from Python), and the indexes
the city-wide pages walk (that migration's, 0033's, 0034's).

* ``stage_counts``: how many initiatives stand in each stage, per neighbourhood and template
  version (the coach overview's table of initiatives per stage and stadsdeel);
* ``stage_stays``: how many finished stays in a stage lasted how long, in tenths of a day, per
  template version (the overview's days in each stage: median and quartiles). A stay ends at
  a ``transition`` event; history is never changed or deleted, so neither is a stay.
* ``answer_tallies`` (migration 0031, triggers on ``support_requests``): per neighbourhood, the
  support requests answered on time (``on_time``) and late (``late``), counted under the date
  :data:`ANSWERED`, and the requests still waiting (``waiting``) per respond-by date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.initiatives import Initiative
from engine.models.reminders import CalendarEntry


class StageCount(Base):
    __tablename__ = "stage_counts"

    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), primary_key=True)
    workflow_version_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_versions.id"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    initiatives: Mapped[int] = mapped_column(default=0)


class StageStay(Base):
    __tablename__ = "stage_stays"

    workflow_version_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_versions.id"), primary_key=True
    )
    stage_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: the stay's length in tenths of a day (rounded)
    tenths: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stays: Mapped[int] = mapped_column(default=0)


#: the respond-by date answered requests are counted under in ``answer_tallies``
ANSWERED = date(9999, 12, 31)


class AnswerTally(Base):
    __tablename__ = "answer_tallies"

    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), primary_key=True)
    respond_by_date: Mapped[date] = mapped_column(Date, primary_key=True)
    #: on_time, late or waiting
    outcome: Mapped[str] = mapped_column(String(10), primary_key=True)
    requests: Mapped[int] = mapped_column(default=0)


_I = Initiative.__table__.c
# the caseload's sorts by stage, by days in the stage and by the kept request figures
Index("ix_initiatives_state_id", _I.state, _I.id)
Index("ix_initiatives_stage_entered_id", _I.stage_entered_dt, _I.id)
Index("ix_initiatives_waiting_id", _I.waiting_requests, _I.id)
Index("ix_initiatives_respond_by_id", _I.earliest_respond_by, _I.id)
# and by place: the kept names of its stadsdeel and wijk (migration 0034)
Index("ix_initiatives_place_id", _I.place_district, _I.place_neighbourhood, _I.id)
# a calendar feed walks its window by date
_CE = CalendarEntry.__table__.c
Index("ix_calendar_entries_date_id", _CE.entry_date, _CE.id)
# and a district coach's feed its stadsdeel's window (migration 0033)
Index("ix_calendar_entries_district_date_id", _CE.district_id, _CE.entry_date, _CE.id)
