"""The initiative page, shown by every view of the group's work: fresh, or again after a refusal.

Every form on the page has a key (``step-12``, ``move-start``…). A view that fails hands its
submitted form back under that key: the page shows the initiative as it now is, that form filled
in as it was sent, and the reason right next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import current_app, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from engine.db import utcnow
from engine.errors import (
    Blocked,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Refused,
    VerbindingError,
)
from engine.models import Initiative
from engine.operations.membership import stands_in_for
from engine.pages import InitiativePage, StageView, load_page
from engine.storage import StorageUnavailable
from web.database import db
from web.form_action import ShowAgain, form_action
from web.i18n import text
from web.initiatives.forms import (
    EditInitiativeForm,
    JoinPolicyForm,
    MoveForm,
    OpenDecisionForm,
    PlainForm,
    VisibilityForm,
    VoteForm,
)
from web.initiatives.history import describe
from web.inputs import parse_id
from web.panels import load_panels

if TYPE_CHECKING:
    from web.documents.forms import UploadForm
    from web.members.forms import InviteForm, JoinRequestForm
    from web.plan.forms import (
        InsertStageForm,
        PauseForm,
        ResumeForm,
        SkipStageForm,
        StepForm,
        TargetDateForm,
    )


#: the kinds of form each step has on the page (their keys are ``<kind>-<step id>``)
STEP_FORMS = ("step", "step-done", "step-reopen", "step-move", "step-remove")


def identify(form: FlaskForm, key: str) -> FlaskForm:
    """Give the form's fields ids of their own, so many forms can share one page."""
    for field in form:
        field.id = f"{key}-{field.name}"
    return form


class PageForms:
    """The page's forms: the one that was sent back (filled in), fresh ones for the rest.

    The forms of the plan, members and documents blueprints are imported when first needed:
    those blueprints import this module for their views.
    """

    def __init__(self, page: InitiativePage, submitted: Mapping[str, FlaskForm]) -> None:
        self.page = page
        self.submitted = dict(submitted)
        self._owners: list | None = None

    def owners(self) -> list:
        """The owner choices every step form shares: built once per page."""
        if self._owners is None:
            from web.plan.forms import owner_choices

            self._owners = owner_choices(self.page.members)
        return self._owners

    def _get(self, key: str, make: Callable[[], FlaskForm]) -> Any:
        form = self.submitted.get(key)
        if form is None:
            form = make()
        return identify(form, key)

    def failed_in(self, stage: StageView) -> bool:
        """Whether the form sent back belongs to this stage's checklist."""
        if not self.submitted:
            return False  # a fresh page: asked for every stage, two or three times
        keys = {f"step-new-{stage.key}"}
        for view in stage.steps:
            keys.update(f"{kind}-{view.step.id}" for kind in STEP_FORMS)
        return not keys.isdisjoint(self.submitted)

    def plain(self, key: str) -> PlainForm:
        return self._get(key, lambda: PlainForm(formdata=None))

    def edit(self) -> EditInitiativeForm:
        i = self.page.initiative
        data = {"title": i.title, "description": i.description, "language": i.language}
        return self._get("edit", lambda: EditInitiativeForm(formdata=None, data=data))

    def visibility(self) -> VisibilityForm:
        data = {"visibility": self.page.initiative.visibility}
        return self._get("visibility", lambda: VisibilityForm(formdata=None, data=data))

    def join_policy(self) -> JoinPolicyForm:
        data = {"join_policy": self.page.initiative.join_policy}
        return self._get("join-policy", lambda: JoinPolicyForm(formdata=None, data=data))

    def step_new(self, stage: StageView) -> StepForm:
        from web.plan.forms import StepForm

        key = f"step-new-{stage.key}"
        form = self._get(key, lambda: StepForm(formdata=None, data={"stage_key": stage.key}))
        return form.set_owners(self.owners())

    def step_edit(self, view) -> StepForm:
        from web.plan.forms import StepForm

        step = view.step
        data = {
            "title": step.title,
            "owner": str(step.owner_id) if step.owner_id else "",
            "due_date": step.due_date,
        }
        form = self._get(f"step-{step.id}", lambda: StepForm(formdata=None, data=data))
        return form.set_owners(self.owners())

    def move(self, trigger: str) -> MoveForm:
        return self._get(f"move-{trigger}", lambda: MoveForm(formdata=None))

    def decide(self, trigger: str, question: str) -> OpenDecisionForm:
        data = {"question": question}
        return self._get(f"decide-{trigger}", lambda: OpenDecisionForm(formdata=None, data=data))

    def vote(self, view) -> VoteForm:
        data = {"choice": view.my_choice}
        form = self._get(f"vote-{view.decision.id}", lambda: VoteForm(formdata=None, data=data))
        return form.set_choices(view.choices)

    def target(self, stage: StageView) -> TargetDateForm:
        from web.plan.forms import TargetDateForm

        data = {"target_date": stage.target_date}
        form = self._get(f"target-{stage.key}", lambda: TargetDateForm(formdata=None, data=data))
        form.target_date.label.text = _("Target date for %(stage)s", stage=text(stage.title))
        return form

    def skip(self, stage: StageView) -> SkipStageForm:
        from web.plan.forms import SkipStageForm

        return self._get(f"skip-{stage.key}", lambda: SkipStageForm(formdata=None))

    def insert(self, stage: StageView) -> InsertStageForm:
        from web.plan.forms import InsertStageForm

        return self._get(f"insert-{stage.key}", lambda: InsertStageForm(formdata=None))

    def pause(self) -> PauseForm:
        from web.plan.forms import PauseForm

        return self._get("pause", lambda: PauseForm(formdata=None))

    def resume(self) -> ResumeForm:
        from web.plan.forms import ResumeForm

        return self._get("resume", lambda: ResumeForm(formdata=None, data={"shift_dates": True}))

    def invite(self, stands_in: bool = False) -> InviteForm:
        """The coach standing in for residents invites them as initiators too."""
        from web.members.forms import InviteForm

        form = self._get("invite", lambda: InviteForm(formdata=None))
        return form.for_role("initiator" if stands_in else self.page.role)

    def ask(self) -> JoinRequestForm:
        from web.members.forms import JoinRequestForm

        return self._get("ask", lambda: JoinRequestForm(formdata=None))

    def upload(self) -> UploadForm:
        from web.documents.forms import UploadForm

        form = self._get("upload", lambda: UploadForm(formdata=None))
        return form.set_stages(self.page.stages)


def status_for(error: VerbindingError) -> int:
    """The HTTP status that fits an engine refusal."""
    if isinstance(error, StorageUnavailable):
        return 503
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Blocked):
        return 422
    if isinstance(error, Conflict | Refused):
        return 409
    if isinstance(error, InvalidInput):
        return 400
    return 400


def render_initiative(
    initiative: Initiative,
    *,
    status: int = 200,
    forms: Mapping[str, FlaskForm] | None = None,
    error: VerbindingError | None = None,
):
    """The initiative page as it now is; a sent-back form filled in, with the reason beside it."""
    person = current_user.person
    page = load_page(db(), initiative, person)
    forms = forms or {}
    context = {
        "initiative": initiative,
        "page": page,
        "panels": load_panels(current_app, db(), page, person, utcnow()),
        "member_role": page.role,
        #: the coach who started it on behalf of residents, while none of them has joined
        "stands_in": stands_in_for(db(), initiative, person),
        "forms": PageForms(page, forms),
        "error": error,
        #: the key of the form the error (or the form's own errors) belongs to
        "failed": next(iter(forms), None),
        "describe": describe,
    }
    return render_template("initiatives/show.html", **context), status


def again_on_page(key: str, form: FlaskForm) -> ShowAgain:
    """The initiative page again, with the form under ``key`` as it was sent."""

    def again(status: int, error: VerbindingError | None) -> ResponseReturnValue:
        return render_initiative(g.initiative, status=status, forms={key: form}, error=error)

    return again


def act(
    key: str,
    form: FlaskForm,
    operation: Callable[..., Any],
    *args: Any,
    done: str | Callable[[Any], str],
    anchor: str | None = None,
    then: Callable[[Any], None] | None = None,
    fields: Mapping[str, str] | None = None,
    status: Callable[[VerbindingError], int] = status_for,
    to: str | None = None,
    **kwargs: Any,
) -> ResponseReturnValue:
    """Run one engine operation for a form of the page: redirect on success, else show why.

    A refusal about one field shows next to that field; any other shows above the form.
    """
    initiative = g.initiative
    return form_action(
        form,
        lambda session: operation(session, *args, **kwargs),
        done=done,
        to=to or url_for("initiatives.show", initiative_id=initiative.id, _anchor=anchor or key),
        again=again_on_page(key, form),
        fields=fields,
        status=status,
        summary=False,
        then=then,
    )


def expected_version(form: FlaskForm) -> int | None:
    """The version of the page the form was filled in on (None when a client sends none)."""
    value = getattr(form, "expected_version", None)
    if value is not None and value.data is not None:
        return value.data
    return parse_id(request.form.get("expected_version", ""))
