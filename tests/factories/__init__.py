"""Small factories that build realistic objects in one call, one module per domain.

Each thing has one name: ``person`` (any account; ``staff`` for a coach or an admin),
``initiative`` (``initiative_with_group`` with its residents, ``initiative_for_roles`` for the
people of :func:`people_in_every_role`), ``filed_request`` for a support request.
"""

from tests.factories.history import event_count, events_of, stored_state
from tests.factories.initiatives import (
    bulk_initiatives,
    initiative,
    initiative_for_roles,
    initiative_with_group,
    neighbourhood,
    newcomer,
)
from tests.factories.mail import failed_mail
from tests.factories.maintenance import (
    MaintenanceGroup,
    complete_association,
    maintenance_group,
    maintenance_state,
    recurring_task,
)
from tests.factories.people import (
    PASSWORD,
    ROLE_PEOPLE,
    password_reset_token,
    people_in_every_role,
    person,
    staff,
)
from tests.factories.support import PDF_BYTES, document, filed_request
from tests.factories.web import browse_as, submit

__all__ = [
    "PASSWORD",
    "PDF_BYTES",
    "MaintenanceGroup",
    "ROLE_PEOPLE",
    "browse_as",
    "bulk_initiatives",
    "complete_association",
    "document",
    "event_count",
    "events_of",
    "failed_mail",
    "filed_request",
    "initiative",
    "initiative_for_roles",
    "initiative_with_group",
    "maintenance_group",
    "maintenance_state",
    "neighbourhood",
    "newcomer",
    "password_reset_token",
    "people_in_every_role",
    "person",
    "recurring_task",
    "staff",
    "stored_state",
    "submit",
]
