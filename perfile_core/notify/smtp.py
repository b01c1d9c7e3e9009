"""Sending over SMTP with smtplib, configured from Settings (host, port, TLS, credentials)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from perfile_core.config import Settings


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def send(self, messages: list[EmailMessage]) -> list[str | None]:
        """Send on one connection; per message None (sent) or the error text."""
        s = self.settings
        results: list[str | None] = []
        context = ssl.create_default_context()
        smtp_class = smtplib.SMTP_SSL if s.smtp_ssl else smtplib.SMTP
        kwargs = {"context": context} if s.smtp_ssl else {}
        with smtp_class(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, **kwargs) as smtp:
            if s.smtp_starttls and not s.smtp_ssl:
                smtp.starttls(context=context)
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
            for message in messages:
                try:
                    refused = smtp.send_message(message)
                except smtplib.SMTPException as exc:
                    results.append(f"{type(exc).__name__}: {exc}"[:500])
                else:
                    results.append(f"refused recipients: {', '.join(refused)}" if refused else None)
        return results
