"""Clinician sign-in links sent by email: asking for one, and spending one.

`request` answers the same way whether or not the address belongs to an active clinician
(no account enumeration): it validates, counts the rate limits (for unknown addresses too)
and looks the clinician up every time; only for a known clinician is a token stored and the
email sent, and both ways take `ANSWER_FLOOR` (`chalicelib.auth.even_pace`), so the
answer's timing does not tell them apart either. A provider's refusal to send
(`SendRefused`) is logged with its reason code and answered like a sent link: same answer,
same floor, no address in the log.

Rate limits, so that nobody can use them to lock a clinician out:
- `PER_SOURCE`: one source address asking for many links;
- `PER_ADDRESS_AND_SOURCE`: one source asking for one address again and again;
- `PER_ADDRESS`: a generous ceiling per address, whatever the sources, that bounds how many
  emails strangers can make her receive;
- a browser holding her recent-device cookie (`chalicelib.auth.recent_devices`) skips those
  three for her address and counts only against `PER_DEVICE`: a flood from elsewhere never
  stops her from signing in where she signed in before.

The link points at the web UI's sign-in page with the token in the fragment, so it never
reaches server logs or a Referer header; opening the page changes nothing, its "Continue"
button spends the token (`redeem`). Addresses are never logged: a short hash at most.
"""

from __future__ import annotations

import html
from datetime import timedelta

from chalicelib.auth.even_pace import at_least
from chalicelib.auth.principals import Principal
from chalicelib.auth.rate_limits import Limit, RateLimiter, subject_hash
from chalicelib.auth.recent_devices import RecentDevices
from chalicelib.auth.single_use import issue, spend
from chalicelib.clock import Clock
from chalicelib.errors import ConfigError, Unauthorized
from chalicelib.messaging.contact_points import normalise_email
from chalicelib.messaging.email import EmailContent, EmailSender
from chalicelib.messaging.provider_errors import SendRefused
from chalicelib.observability import logger
from chalicelib.store.models import Clinician

LINK_LIFETIME = timedelta(minutes=15)
PURPOSE = "magic_link"
SIGN_IN_PAGE = "/clinic/sign-in.html"
#: How long asking for a link takes, known address or not: above a usual SES call.
ANSWER_FLOOR = timedelta(milliseconds=500)
PER_SOURCE = Limit(scope="sign-in-ip", hits=20, window=timedelta(minutes=15))
PER_ADDRESS_AND_SOURCE = Limit(scope="sign-in-email-ip", hits=5, window=timedelta(minutes=15))
PER_ADDRESS = Limit(scope="sign-in-email", hits=50, window=timedelta(hours=1))
PER_DEVICE = Limit(scope="sign-in-device", hits=10, window=timedelta(minutes=15))

SUBJECT = "Your Vestibule sign-in link"
TEXT = """Hello,

Open this link to sign in to Vestibule:

{link}

The link works once, within {minutes} minutes. If you did not ask for it, ignore this
email: nobody can sign in without opening the link.
"""
HTML = """<!doctype html><html lang="en"><body>
<p>Hello,</p>
<p><a href="{link}">Sign in to Vestibule</a></p>
<p>The link works once, within {minutes} minutes. If you did not ask for it, ignore this
email: nobody can sign in without opening the link.</p>
</body></html>
"""


class MagicLinks:
    def __init__(
        self,
        *,
        clock: Clock,
        limiter: RateLimiter,
        devices: RecentDevices,
        email_sender: EmailSender | None,
        public_base_url: str | None,
    ) -> None:
        self._clock = clock
        self._limiter = limiter
        self._devices = devices
        self._email = email_sender
        self._base_url = public_base_url

    def request(self, raw_email: str, *, source_ip: str, device_token: str | None = None) -> None:
        """Email a sign-in link if the address is an active clinician's; same work otherwise.

        `device_token` is the browser's recent-device cookie, if it sent one.
        """
        if self._email is None:
            raise ConfigError("VESTIBULE_SENDER_EMAIL is not set: email cannot be sent")
        if not self._base_url:
            raise ConfigError("VESTIBULE_PUBLIC_BASE_URL is not set: links cannot be built")
        email = normalise_email(raw_email).lower()  # clinicians' addresses are kept lower-cased
        with at_least(self._clock, ANSWER_FLOOR):
            self._count(email, source_ip, device_token)
            clinician = _active_clinician(email)
            logger.info(
                "sign-in link requested",
                extra={"email_hash": subject_hash(email), "known": clinician is not None},
            )
            if clinician is None:
                return
            token = issue(
                Principal.of_clinician(clinician.clinician_id, clinician.clinic_id),
                purpose=PURPOSE,
                now=self._clock.now(),
                lifetime=LINK_LIFETIME,
            )
            link = f"{self._base_url}{SIGN_IN_PAGE}#token={token}"
            try:
                self._email.send(clinician.email, email_content(link))
            except SendRefused as refusal:  # answered like a sent link: no account oracle
                logger.warning(
                    "sign-in link not sent",
                    extra={"clinician_id": clinician.clinician_id, "reason": refusal.reason},
                )

    def _count(self, email: str, source_ip: str, device_token: str | None) -> None:
        """Count the request against the limits that apply; `RateLimited` past one."""
        if device_token is not None and self._devices.vouches_for(device_token, email):
            self._limiter.hit(PER_DEVICE, device_token)
            return
        self._limiter.hit(PER_SOURCE, source_ip)
        self._limiter.hit(PER_ADDRESS_AND_SOURCE, f"{email}\n{source_ip}")
        self._limiter.hit(PER_ADDRESS, email)

    def redeem(self, token: str) -> Clinician:
        """Spend a sign-in link's token; the clinician it names, if still active."""
        item = spend(token, purpose=PURPOSE, now=self._clock.now(), what="sign-in link")
        try:
            clinician = Clinician.get(item.clinician_id or "")
        except Clinician.DoesNotExist:
            raise Unauthorized("the sign-in link names no active clinician") from None
        if not clinician.active:
            raise Unauthorized("the sign-in link names no active clinician")
        return clinician


def email_content(link: str) -> EmailContent:
    """The sign-in email (English: clinic-facing texts are not translated yet)."""
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    return EmailContent(
        subject=SUBJECT,
        text=TEXT.format(link=link, minutes=minutes),
        html=HTML.format(link=html.escape(link, quote=True), minutes=minutes),
        language="en",
    )


def _active_clinician(email: str) -> Clinician | None:
    for clinician in Clinician.by_email.query(email):
        if clinician.active:
            return clinician
    return None
