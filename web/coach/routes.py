"""The coach's screens: the caseload, its CSV, and the city overview.

The coach's view of one initiative, notes, concerns and assignments are in ``web.coach.initiative``.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from engine.coach.caseload import PAGE_SIZES, Filters, caseload, iter_caseload
from engine.coach.export import caseload_csv
from engine.coach.health import STATUS_LABELS, STATUSES
from engine.coach.overview import city_overview
from engine.coach.queries import coaches
from engine.coach.stages import load_versions
from engine.db import utcnow
from engine.i18n import Msg
from engine.listing import places
from web import access
from web.coach.charts import bar_chart, box_chart
from web.database import db, runtime
from web.i18n import day, render_msg, text
from web.inputs import query_count, query_id

bp = Blueprint("coach", __name__, url_prefix="/coach")


# --- helpers the templates use ------------------------------------------------------------------


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a few around the current (None = a gap)."""
    shown = {1, pages, *range(max(1, page - around), min(pages, page + around) + 1)}
    window: list[int | None] = []
    for number in sorted(shown):
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window


def label(value) -> str:
    """A title that is either a template text (nl/en) or an engine message."""
    return render_msg(value) if isinstance(value, Msg) else text(value)


def days(value: float) -> str:
    return format_decimal(round(value, 1), format="#,##0.#")


bp.add_app_template_global(page_window, "page_window")
bp.add_app_template_filter(label, "vb_label")
bp.add_app_template_filter(days, "vb_days")
# a moment shown as its calendar day in the city's time zone
bp.add_app_template_filter(day, "vb_day")
bp.add_app_template_filter(lambda v: "—" if v is None else format_percent(v), "vb_percent")
bp.add_app_template_filter(lambda s: render_msg(STATUS_LABELS.get(s)), "coach_status")


# --- the caseload ---------------------------------------------------------------------------------


def _filters() -> tuple[Filters, dict]:
    """The caseload filters from the query string, and the query arguments that keep them."""
    args = request.args
    coach = args.get("coach", "")
    coach_id = current_user.person.id if coach == "me" else query_id("coach")
    # a stage of one template comes as "template:stage"; a stage alone counts in every template
    workflow, _, stage = (args.get("stage") or "").rpartition(":")
    filters = Filters(
        district_id=query_id("stadsdeel"),
        neighbourhood_id=query_id("wijk"),
        workflow=workflow or args.get("template") or None,
        stage=stage or None,
        status=args.get("status") or None,
        coach_id=coach_id,
        search=args.get("q", ""),
        sort=args.get("sort", "last_activity"),
        direction=args.get("dir", "asc"),
        page=query_count("page", 1),
        per_page=query_count("per_page", 25),
    ).cleaned()
    keep = {
        "q": filters.search,
        "stadsdeel": filters.district_id,
        "wijk": filters.neighbourhood_id,
        "template": filters.workflow,
        "stage": filters.stage,
        "status": filters.status,
        "coach": coach if coach == "me" else filters.coach_id,
        "sort": filters.sort,
        "dir": filters.direction,
        "per_page": filters.per_page,
    }
    return filters, {k: v for k, v in keep.items() if v not in (None, "")}


@bp.get("/", endpoint="caseload")
@access.staff
def caseload_page():
    filters, args = _filters()
    config = runtime().config
    result = caseload(db(), filters, now=utcnow())
    versions = load_versions(db())
    return render_template(
        "coach/caseload.html",
        result=result,
        filters=result.filters,
        args=args,
        places=places(db()),
        coaches=coaches(db()),
        workflows=versions.workflows(),
        stages=versions.stages(),
        stage_groups=versions.stages_by_template(),
        statuses=STATUSES,
        page_sizes=PAGE_SIZES,
        stalled_days=config.stalled_days,
        coach_arg=request.args.get("coach", ""),
    )


@bp.get("/caseload.csv")
@access.staff
def caseload_export():
    filters, _ = _filters()
    config = runtime().config
    session = db()
    workflows = dict(load_versions(session).workflows())
    # The same query runs once for its first page before the headers go out: a failure is then
    # this request's error page (a 503 when the database is away), not a cut-off file behind a
    # 200. The rows themselves stream from a cursor of their own after the request's teardown.
    caseload(session, filters, now=utcnow())
    rows = iter_caseload(session, filters, now=utcnow())
    lines = caseload_csv(
        rows, render=render_msg, title=label, tz=config.timezone, workflows=workflows
    )

    def body():
        # The request's own teardown has already closed the session when the body streams; the
        # rows reopen it, so it is closed here, or its connection stays out of the pool.
        try:
            yield from lines
        finally:
            session.close()

    stamp = utcnow().strftime("%Y-%m-%d")
    return Response(
        stream_with_context(body()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="caseload-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/overview")
@access.staff
def overview():
    data = city_overview(db(), now=utcnow())
    stage_chart = bar_chart(
        [(label(t), data.stage_total(k), str(data.stage_total(k)), "plain") for k, t in data.stages]
    )
    spread_chart = box_chart(
        [
            (
                label(s.title),
                (s.minimum, s.q1, s.median, s.q3, s.maximum),
                _("median %(median)s (%(q1)s–%(q3)s)", median=days(s.median), q1=days(s.q1),
                  q3=days(s.q3)),
            )
            for s in data.spreads
        ]
    )  # fmt: skip
    t = data.on_time
    on_time_chart = bar_chart(
        [
            (_("Answered on time"), t.answered_on_time, str(t.answered_on_time), "ok"),
            (_("Answered late"), t.answered_late, str(t.answered_late), "bad"),
            (_("Waiting, within time"), t.waiting_in_time, str(t.waiting_in_time), "plain"),
            (_("Waiting, past the date"), t.waiting_late, str(t.waiting_late), "warn"),
        ]
    )
    return render_template(
        "coach/overview.html",
        data=data,
        stage_chart=stage_chart,
        spread_chart=spread_chart,
        on_time_chart=on_time_chart,
    )


from web.coach import history as _history  # noqa: E402, F401  (history describers)
from web.coach import initiative as _initiative  # noqa: E402, F401  (registers its routes)
