"""Signed one-click links in reminder e-mails: "标记完成" and "更新进度".

A link is a django.core.signing token bound to one item, one user and one purpose, with a random nonce
so that every e-mail carries its own links. It expires after 14 days and works once: using it records
the SHA-256 digest of the token in UsedLink (unique), in the same transaction as the change it makes.
Only the token's digest is stored, so the table cannot be used to rebuild a working link.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from actions import services
from actions.models import ActionItem, UsedLink

SALT = "actions.links.one-click"
MAX_AGE = datetime.timedelta(days=14)

COMPLETE, PROGRESS = "complete", "progress"
PURPOSES = (COMPLETE, PROGRESS)


class LinkError(Exception):
    """The link cannot be used; the view shows a page for each kind."""

    def __init__(self, action_id: int | None = None):
        super().__init__(action_id)
        self.action_id = action_id


class LinkInvalid(LinkError):
    """Tampered with, cut short, or not one of ours."""


class LinkExpired(LinkError):
    pass


class LinkUsed(LinkError):
    pass


@dataclass(frozen=True)
class LinkIntent:
    """What a valid link asks for: `user_id` wants to do `purpose` to `action_id`."""

    action_id: int
    user_id: int
    purpose: str
    nonce: str
    token: str

    @property
    def digest(self) -> str:
        return token_digest(self.token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(action: ActionItem, user, purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown link purpose: {purpose!r}")
    return signing.dumps([action.pk, user.pk, purpose, secrets.token_urlsafe(9)], salt=SALT)


def make_link(action: ActionItem, user, purpose: str) -> str:
    """The absolute URL of a one-click link for `user` to do `purpose` to `action`."""
    return settings.SITE_URL + reverse("actions:link", args=[make_token(action, user, purpose)])


def _payload(token: str, max_age: datetime.timedelta | None) -> tuple[int, int, str, str]:
    data = signing.loads(token, salt=SALT, max_age=max_age)
    # A valid signature over a payload we never write (another purpose, another shape) is still refused.
    if (
        not isinstance(data, list)
        or len(data) != 4
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in data[:2])
        or data[2] not in PURPOSES
        or not isinstance(data[3], str)
    ):
        raise signing.BadSignature("Unexpected payload")
    return data[0], data[1], data[2], data[3]


def read_link(token: str) -> LinkIntent:
    """Check a token and say what it asks for. Raises LinkInvalid, LinkExpired or LinkUsed."""
    try:
        action_id, user_id, purpose, nonce = _payload(token, MAX_AGE)
    except signing.SignatureExpired:
        # The signature itself is good, so the item can be named on the "expired" page.
        try:
            action_id = _payload(token, None)[0]
        except signing.BadSignature:
            action_id = None
        raise LinkExpired(action_id) from None
    except signing.BadSignature:
        raise LinkInvalid() from None
    intent = LinkIntent(action_id=action_id, user_id=user_id, purpose=purpose, nonce=nonce, token=token)
    if UsedLink.objects.filter(digest=intent.digest).exists():
        raise LinkUsed(action_id)
    return intent


@transaction.atomic
def link_use(*, intent: LinkIntent, action: ActionItem, by, note: str = "", progress: int | None = None):
    """Spend the link and make its change, together: if the change is refused (a ValidationError from
    the service), the link stays unused; if two requests race, the unique digest lets only one through.
    The caller has already checked that `by` is the link's user and may do this to the item."""
    if intent.action_id != action.pk or intent.user_id != by.pk:
        raise LinkInvalid(intent.action_id)
    try:
        with transaction.atomic():
            UsedLink.objects.create(digest=intent.digest)
    except IntegrityError:
        raise LinkUsed(intent.action_id) from None
    if intent.purpose == COMPLETE:
        return services.action_complete(action=action, by=by, note=note)
    return services.action_update_progress(action=action, by=by, progress=progress, note=note)
