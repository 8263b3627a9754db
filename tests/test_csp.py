"""Every response carries the Content Security Policy, and no template needs an exception to it."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse, reverse_lazy

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_pages_carry_the_policy(client_for, owner):
    for response in (
        client_for(owner).get(reverse("actions:my")),
        client_for(owner).get("/no-such-page/"),
    ):
        directives = policy(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
        assert directives["img-src"] == ["'self'", "data:"]
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'self'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_login_page_carries_the_policy(client):
    assert policy(client.get(reverse("login")))["script-src"] == ["'self'"]


def test_no_template_has_inline_script_or_event_handlers():
    """Scripts are files under static/js/; e-mails are not pages and are left out."""
    offences = []
    for path in TEMPLATES.rglob("*.html"):
        if "emails" in path.parts:
            continue
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",  # inline script (type=application/json would be fine, none yet)
            r"\son[a-z]+\s*=",  # onclick=, onchange=, …
            r"\bhx-on",  # htmx would eval it
            r"hx-(vals|vars|headers)=[\"']\s*(js|javascript):",
            r"javascript:",
        ):
            offences += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offences == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse_lazy("meetings:list"), reverse_lazy("actions:my")])
def test_htmx_may_not_eval_or_inject_styles(client_for, owner, url):
    """htmx reads the first htmx-config only, so a page's own keys must go into the same one."""
    page = client_for(owner).get(url).text
    configs = re.findall(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert len(configs) == 1
    config = json.loads(configs[0])
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    if url == reverse("actions:my"):  # its rows come back with errors as 400 and must be swapped in
        assert {"code": "400", "swap": True, "error": False} in config["responseHandling"]
