"""Delivering mail: SMTP through aiosmtplib, or .eml files in the data directory by default."""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib

from domain.model import Mail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "tls" (implicit, usually port 465) or "none" (loopback only)
    username: str | None
    password: str | None
    sender: str
    timeout_s: float = 30


class Transport(Protocol):
    async def deliver(self, mail: Mail) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


class SmtpTransport:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    async def deliver(self, mail: Mail) -> None:
        s = self._settings
        await aiosmtplib.send(
            build_message(mail, s.sender),
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            timeout=s.timeout_s,
        )


class MailDirectoryTransport:
    """The embedded default without SMTP: each mail becomes an .eml file (mode 0600)."""

    def __init__(self, directory: Path, sender: str) -> None:
        self._directory = directory
        self._sender = sender

    async def deliver(self, mail: Mail) -> None:
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Microseconds in the name keep the files in the order they were written.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self._directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        partial = path.with_suffix(".part")
        partial.touch(mode=0o600)
        partial.write_bytes(bytes(build_message(mail, self._sender)))
        partial.replace(path)  # a reader never sees half a mail
        logger.info("no SMTP server configured: mail written to %s", path)
