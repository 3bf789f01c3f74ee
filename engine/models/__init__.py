"""The persistent model: people, places, templates, initiatives, plans and history."""

# modules whose tables are registered on import; import their classes from the module itself
from engine.models import city_counts as _city_counts  # noqa: E402, F401
from engine.models import consultations as _consultations  # noqa: E402, F401
from engine.models import heartbeats as _heartbeats  # noqa: E402, F401
from engine.models import maintenance as _maintenance  # noqa: E402, F401
from engine.models import meetings as _meetings  # noqa: E402, F401
from engine.models import notifications as _notifications  # noqa: E402, F401
from engine.models import page_indexes as _page_indexes  # noqa: E402, F401
from engine.models import reminders as _reminders  # noqa: E402, F401
from engine.models import surveys as _surveys  # noqa: E402, F401
from engine.models.discussions import Message, MessageReport
from engine.models.initiatives import (
    Decision,
    Document,
    Elector,
    Event,
    Initiative,
    Invitation,
    JoinRequest,
    Membership,
    StagePlan,
    Step,
    Vote,
)
from engine.models.maintenance import (
    AssociationMember,
    MaintenanceAgreement,
    MaintenanceTask,
    Occurrence,
    RotaMember,
    SwapProposal,
)
from engine.models.outbox import OutboxBody, OutboxMessage, PasswordReset
from engine.models.people import District, Neighbourhood, Person
from engine.models.security import LoginSession, RateLimit
from engine.models.support import (
    Association,
    CoachAssignment,
    CoachNote,
    Concern,
    SupportRequest,
)
from engine.models.tokens import ApiToken
from engine.models.workflows import WorkflowVersion

__all__ = [
    "ApiToken",
    "Association",
    "AssociationMember",
    "CoachAssignment",
    "CoachNote",
    "Concern",
    "Decision",
    "District",
    "Document",
    "Elector",
    "Event",
    "Initiative",
    "Invitation",
    "LoginSession",
    "JoinRequest",
    "MaintenanceAgreement",
    "MaintenanceTask",
    "Membership",
    "Message",
    "MessageReport",
    "Neighbourhood",
    "Occurrence",
    "OutboxBody",
    "OutboxMessage",
    "PasswordReset",
    "RateLimit",
    "Person",
    "RotaMember",
    "StagePlan",
    "Step",
    "SupportRequest",
    "SwapProposal",
    "Vote",
    "WorkflowVersion",
]
