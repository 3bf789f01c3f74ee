"""The ranges a value a person types may take, in one place.

Ids are PostgreSQL ``integer`` columns; dates outside this range overflow reminder planning and
recurrence (``date.max + timedelta`` raises), and no neighbourhood process plans a century ahead.
The web layer's input parsing and the engine's checks both read these.
"""

from __future__ import annotations

from datetime import date

#: the largest value an id column holds (PostgreSQL ``integer``, SQLite agrees by our choice)
MAX_ID = 2**31 - 1
#: the largest count, number of days or position a form may carry
MAX_SMALL_NUMBER = 100_000
#: the earliest and latest date a person may enter (a due date, a start date, a target date)
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
