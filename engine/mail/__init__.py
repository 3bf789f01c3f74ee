"""Mail: composed from templates, queued in the outbox, delivered by SMTP after commit."""

from engine.mail.compose import compose
from engine.mail.delivery import DeliveryReport, deliver_due
from engine.mail.mailer import Mailer
from engine.mail.outbox import queue_message
from engine.mail.smtp import SmtpTransport

__all__ = ["DeliveryReport", "Mailer", "SmtpTransport", "compose", "deliver_due", "queue_message"]
