"""Signed one-click links from reminders, and the private calendar feed. (Being written.)"""

from django.http import Http404


def signed_link(request, token):
    raise Http404


def calendar_settings(request):
    raise Http404


def calendar_feed(request, token):
    raise Http404
