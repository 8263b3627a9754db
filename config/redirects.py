"""Where a form sends the user back to: the one rule for `next`."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request, fallback: str) -> str:
    """The `next` the form posted, when it is a path on this site; `fallback` otherwise.

    Only a path ("/actions/?group=overdue") is taken: a value such as "0" or ":" passes Django's host
    check as a relative URL, and redirect() would then read it as a view name and fail."""
    value = request.POST.get("next", "")
    if (
        value.startswith("/")
        and not value.startswith("//")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return fallback
