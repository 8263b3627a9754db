"""Errors whose message is written for the person who meets them."""

from django.http import Http404


class NotFound(Http404):
    """A 404 whose message (already in the user's language) the 404 page shows, such as
    "部门不存在,或不在您的查看范围内。". A plain Http404, or one from get_object_or_404, keeps the generic
    page: its message is for developers."""
