"""The persistent model: people, places, templates, initiatives, plans and history."""

from engine.models.initiatives import (
    Decision,
    Document,
    Event,
    Initiative,
    Invitation,
    Membership,
    StagePlan,
    Step,
    Vote,
)
from engine.models.outbox import OutboxMessage, PasswordReset
from engine.models.people import District, Neighbourhood, Person
from engine.models.support import Association, SupportRequest
from engine.models.workflows import WorkflowVersion

__all__ = [
    "Association",
    "Decision",
    "District",
    "Document",
    "Event",
    "Initiative",
    "Invitation",
    "Membership",
    "Neighbourhood",
    "OutboxMessage",
    "PasswordReset",
    "Person",
    "StagePlan",
    "Step",
    "SupportRequest",
    "Vote",
    "WorkflowVersion",
]
