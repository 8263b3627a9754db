"""Department and organisation lists, bulk actions and exports. (Being written.)"""

from django.http import Http404


def department_actions(request):
    raise Http404


def all_actions(request):
    raise Http404


def export(request, fmt):
    raise Http404


def bulk(request):
    raise Http404
