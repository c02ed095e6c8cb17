"""Mail through a real SMTP server (aiosmtpd on loopback) and the .eml fallback, via arq jobs."""

from dataclasses import replace
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from domain.model import Mail
from runtime import start_runtime
from tests.conftest import drain_queue
from tests.server import free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


async def test_a_mail_job_is_delivered_over_smtp(settings, smtp_server):
    controller, inbox = smtp_server
    smtp = replace(settings, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_security="none")
    runtime = await start_runtime(smtp)
    try:
        await runtime.redis.flushdb()
        await runtime.ports.mailer.send(Mail("nurse@example.org", "Hello", "A link: x"))
        await drain_queue(runtime)
    finally:
        await runtime.stop()

    ((recipients, content),) = inbox.messages
    message = message_from_bytes(content, policy=policy.default)
    assert recipients == ["nurse@example.org"]
    assert message["Subject"] == "Hello" and "A link: x" in message.get_content()


async def test_without_smtp_each_mail_becomes_an_eml_file_and_one_log_line(runtime, caplog):
    caplog.set_level("INFO", logger="workers.mail")

    await runtime.ports.mailer.send(Mail("nurse@example.org", "Hello", "Body"))
    await drain_queue(runtime)

    files = list(runtime.settings.mail_dir.glob("*.eml"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o077 == 0
    assert [r.getMessage() for r in caplog.records] == [
        f"no SMTP server configured: mail written to {files[0]}"
    ]
