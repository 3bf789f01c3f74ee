"""What operations use to send mail: compose in the reader's language, queue in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.config import Config
from engine.mail.compose import compose
from engine.mail.outbox import queue_message
from engine.models import OutboxMessage


@dataclass(frozen=True)
class Mailer:
    base_url: str
    mail_from: str

    @classmethod
    def from_config(cls, config: Config) -> Mailer:
        return cls(base_url=config.base_url, mail_from=config.mail_from)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def queue(
        self,
        session: Session,
        *,
        template: str,
        key: str,
        to_addr: str,
        locale: str,
        now: datetime,
        to_name: str | None = None,
        person_id: int | None = None,
        headers: dict[str, str] | None = None,
        secret: bool = False,
        **context: Any,
    ) -> OutboxMessage:
        """Compose and queue a mail; ``secret``: its body holds a one-time link, wiped once
        the message has gone."""
        subject, text, html = compose(template, locale, **context)
        return queue_message(
            session,
            key=key,
            to_addr=to_addr,
            to_name=to_name,
            person_id=person_id,
            subject=subject,
            body_text=text,
            body_html=html,
            headers=headers,
            now=now,
            mail_from=self.mail_from,
            secret=secret,
        )
