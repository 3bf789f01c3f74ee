"""The date as three boxes: what is typed is a real date in range, or it comes back with a
message; "15032027" never becomes another date."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from engine.bounds import EARLIEST_DATE, LATEST_DATE
from web.plan.forms import TargetDateForm


def _form(web_app, **data) -> TargetDateForm:
    with web_app.test_request_context("/", method="POST"):
        form = TargetDateForm(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return form


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("15", "3", "2027", date(2027, 3, 15)),
        ("01", "12", "2099", date(2099, 12, 31).replace(day=1)),
    ],
)
def test_a_real_date_is_read(web_app, day, month, year, expected):
    form = _form(
        web_app, **{"target_date-day": day, "target_date-month": month, "target_date-year": year}
    )
    assert form.target_date.data == expected and not form.target_date.errors


@pytest.mark.parametrize(
    ("parts", "says"),
    [
        (("15032027", "", ""), "een dag, een maand en een jaar"),
        (("15032027", "3", "2027"), "moet een bestaande datum zijn"),
        (("31", "2", "2027"), "moet een bestaande datum zijn"),
        (("15", "3", "27"), "Het jaar heeft 4 cijfers"),
        (("15", "3", "1999"), "moet tussen"),
        (("15", "3", "2100"), "moet tussen"),
        (("vijftien", "maart", "2027"), "moet een bestaande datum zijn"),
    ],
)
def test_what_is_not_a_date_comes_back_with_a_message(web_app, parts, says):
    """In Dutch, the site's default language."""
    day, month, year = parts
    form = _form(
        web_app, **{"target_date-day": day, "target_date-month": month, "target_date-year": year}
    )
    assert form.target_date.data is None
    assert any(says in str(e) for e in form.target_date.errors), form.target_date.errors


@pytest.mark.parametrize("raw", ["15032027", "2027-3-15", "03/15/2027"])
def test_a_single_value_is_read_only_as_year_month_day(web_app, raw):
    form = _form(web_app, target_date=raw)
    assert form.target_date.data is None and form.target_date.errors
    assert _form(web_app, target_date="2027-03-15").target_date.data == date(2027, 3, 15)


def test_empty_is_no_date_where_the_date_is_optional(web_app):
    form = _form(
        web_app, **{"target_date-day": "", "target_date-month": "", "target_date-year": ""}
    )
    assert form.target_date.data is None and not form.target_date.errors


# --- any three boxes (hypothesis) ------------------------------------------------------------


_box = st.one_of(
    st.integers(min_value=-5, max_value=10_000).map(str),
    st.text(alphabet="0123456789 ", max_size=12),
    st.text(max_size=12),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=_box, month=_box, year=_box)
def test_three_boxes_give_the_date_they_say_or_a_message(web_app, day, month, year):
    """Whatever is typed in the boxes, the field either holds exactly the date the boxes say
    (in range) and no error, or holds no date and says what to fix; what was typed is shown
    again as it was (cut at 10 characters)."""
    form = _form(
        web_app, **{"target_date-day": day, "target_date-month": month, "target_date-year": year}
    )
    field = form.target_date
    if field.data is not None:
        assert not field.errors
        assert EARLIEST_DATE <= field.data <= LATEST_DATE
        assert field.data == date(int(year.strip()), int(month.strip()), int(day.strip()))
    elif day.strip() or month.strip() or year.strip():
        assert field.errors, (day, month, year)
    assert field.parts == {"day": day[:10], "month": month[:10], "year": year[:10]}
