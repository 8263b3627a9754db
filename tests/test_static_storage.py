"""Production's static files (config/storage.py): collectstatic hashes the minutes editor's ES modules
and rewrites their imports to the hashed names, so the page, its entry module and every module that
one imports come from the same deploy and are served by WhiteNoise with a year's cache."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import reverse

from config.storage import StaticFilesStorage

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "static" / "js" / "editor"
# Static imports and re-exports of a sibling module, as the modules write them.
IMPORT = re.compile(r'^(?:import|export)\b[^;]*?\bfrom\s*"(\.[^"]+)"|^import\s*"(\.[^"]+)"', re.MULTILINE)
HASHED = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{12}\.js$")


def imports(source: str) -> list[str]:
    return [a or b for a, b in IMPORT.findall(source)]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic as deploy.md runs it, with the production settings, into a folder of its own."""
    folder = tmp_path_factory.mktemp("static")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not k.startswith(("SECURE_", "EMAIL_", "LOGIN_", "SESSION_", "CSRF_"))
    }
    env.update(DJANGO_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="minutes.example.cn")
    env["STATIC_ROOT"] = str(folder)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_the_hashed_entry_module_imports_hashed_siblings(static_root):
    paths = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    main = paths["js/editor/main.js"]
    assert HASHED.match(Path(main).name)
    targets = imports((static_root / main).read_text())
    assert targets, "main.js imports the widgets"
    for target in targets:
        match = HASHED.match(target.removeprefix("./"))
        assert match, f"main.js imports {target}, not a hashed name"
        assert paths["js/editor/" + match["stem"] + ".js"] == "js/editor/" + target.removeprefix("./")


@pytest.mark.django_db
def test_the_editor_page_loads_every_module_by_its_hashed_name(static_root, settings, chair, meeting):
    """The page, as production serves it: WhiteNoise from the collected files only."""
    settings.DEBUG = False
    settings.STATIC_ROOT = str(static_root)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"}}
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    client = Client()  # a new handler, so WhiteNoise reads the collected folder
    client.force_login(chair)
    page = client.get(reverse("meetings:editor", args=[meeting.pk])).text
    (entry,) = re.findall(r'<script type="module" src="([^"]+)"></script>', page)
    assert HASHED.match(entry.rsplit("/", 1)[1])

    seen, todo = set(), [entry]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"], url
        assert "javascript" in response.headers["Content-Type"], url
        source = b"".join(response.streaming_content).decode()
        for target in imports(source):
            assert HASHED.match(target.rsplit("/", 1)[1]), f"{url} imports {target}, not a hashed name"
            todo.append(urljoin(url, target))
    reached = {HASHED.match(url.rsplit("/", 1)[1])["stem"] + ".js" for url in seen}
    assert reached == {path.name for path in MODULES.glob("*.js")}


def test_editor_modules_have_no_cycles_and_fit_the_storage_passes():
    """A cycle would never settle in collectstatic; a longer chain than the passes may not either."""
    modules = MODULES.glob("*.js")
    graph = {path.name: [t.removeprefix("./") for t in imports(path.read_text())] for path in modules}
    for name, targets in graph.items():
        for target in targets:
            assert target in graph, f"{name} imports {target}, which is not in static/js/editor/"

    depth: dict[str, int] = {}

    def chain(name: str, path: tuple[str, ...] = ()) -> int:
        assert name not in path, "import cycle: " + " → ".join((*path, name))
        if name not in depth:
            depth[name] = max((1 + chain(target, (*path, name)) for target in graph[name]), default=0)
        return depth[name]

    longest = max(chain(name) for name in graph)
    assert longest <= StaticFilesStorage.max_post_process_passes
