import sys

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults, i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config.errors import NotFound


@login_required
def home(request):
    return redirect("actions:my")


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not answering"
        return False, exc.__class__.__name__
    return True, "ok"


def _redis_ok() -> tuple[bool, str]:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        return False, exc.__class__.__name__
    return True, "ok"


@require_POST
def set_language(request):
    """Django's language switch, plus remembering the choice on the account (e-mails follow it)."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when the database and Redis answer, 503 otherwise."""
    db_ok, db_detail = _database_ok()
    redis_ok, redis_detail = _redis_ok()
    healthy = db_ok and redis_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": db_detail,
        "redis": redis_detail,
    }
    return JsonResponse(body, status=200 if healthy else 503)


def page_not_found(request, exception):
    """The 404 page, with the reason when the view gave one meant for the user (config.errors.NotFound)."""
    message = str(exception.args[0]) if isinstance(exception, NotFound) and exception.args else ""
    return render(request, "404.html", {"message": message}, status=404)


def _database_unreachable(exc) -> bool:
    """Whether an error, or one it was raised from, says the database refused or dropped the connection."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _wants_json(request) -> bool:
    """Scripts (the minutes editor's fetch and htmx calls) read JSON; the editor page itself is HTML."""
    if request.headers.get("X-Requested-With") or request.headers.get("HX-Request"):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    # The editor's endpoints: its own, and those of the action items in it (owners, deadline preview).
    editor_modules = ("meetings.views.editor", "actions.views.minutes")
    return match.func.__module__ in editor_modules and match.url_name not in (
        "editor",
        "editor_relogin",
    )


def server_error(request):
    """The 500 page, or 503 while the database cannot be reached: a JSON message the editor's script
    reads (it keeps the edits and retries), or a page saying to try again shortly. Django calls this
    from inside its handler for the error, so the error is at hand. Nothing here reads the database."""
    if not _database_unreachable(sys.exc_info()[1]):
        return defaults.server_error(request)
    # The language middleware may have failed before choosing (it reads the user from the database).
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = cookie if cookie in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        message = _("数据库暂时无法连接,请稍后重试。")
        headers = {"Retry-After": "5", "Cache-Control": "no-store"}
        if _wants_json(request):
            return JsonResponse({"error": message, "retry": True}, status=503, headers=headers)
        html = loader.get_template("503.html").render({"message": message})
        return HttpResponse(html, status=503, headers=headers)


def login_locked_out(request, original_response=None, credentials=None):
    """What django-axes answers when a login name and address have failed too often
    (settings.AXES_LOCKOUT_CALLABLE): the login page with the reason, status 429. The password is
    not checked while the lock lasts, so even the right one is refused."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    cooloff_minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": form,
        "locked_out": True,
        "cooloff_minutes": cooloff_minutes,
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)
