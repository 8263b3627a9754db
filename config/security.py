"""The client address that login throttling counts failures under (settings.AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind LOGIN_TRUSTED_PROXIES proxies the address the outermost of them saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N trusted
    proxies the N-th entry from the right is the client; anything further left was written by the
    client and is ignored.
    """
    proxies = settings.LOGIN_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


# The longest login name worth counting: longer than any real one (User.username holds 150), short
# enough for the failure log's column (255), so a pasted essay is counted, not a database error.
USERNAME_LIMIT = 150


def client_username(request, credentials) -> str | None:
    """The login name failures are counted under (settings.AXES_USERNAME_CALLABLE): the one tried,
    cut to USERNAME_LIMIT characters."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username")
    return None if name is None else str(name)[:USERNAME_LIMIT]
