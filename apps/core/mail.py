"""Mail when EMAIL_URL is not set on a shared deployment: nothing is sent and the log says so,
without the message's body. The body of an invitation holds its accept link, and a container
log is no place for a token that makes its reader a member."""

from __future__ import annotations

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)


class MailNotConfiguredBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            logger.warning(
                "Mail is not configured (EMAIL_URL is unset): an email to %d recipient(s) with the subject %r was not sent. "
                "Set EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.com:587) for web and workers.",
                len(message.recipients()), message.subject,
            )
        return 0
