"""The database refuses connections for 10 s while the minute-taker types: nothing typed is lost.

The app runs as its own process (gunicorn), so the outage is real rather than mocked:

- PostgreSQL: the server's DATABASE_URL points at a TCP proxy started here in front of 127.0.0.1:5432.
  The cut closes every proxied connection and the proxy's listening socket (new connections are refused),
  then listens again on the same port.
- SQLite: the server uses a copy of the test database. The cut moves the file (with its -wal and -shm)
  aside and puts a directory in its place, so every new connection fails with "unable to open database
  file" instead of creating an empty database; the test checks that before typing.

While cut, text is typed into several fields and a speaker report is added; the badge must say that
saving is failing. After the restore, what the database holds is compared character by character with
what was typed. The figures are printed; nothing is timed against a limit.
"""

import difflib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from meetings.models import Attendance
from tests.factories import AgendaItemFactory, DecisionFactory, DepartmentFactory, MeetingFactory, UserFactory

pytestmark = [pytest.mark.faults, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CUT_SECONDS = 10
FAILING = "保存失败,内容已保存在本浏览器,恢复后自动重试"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CuttableProxy:
    """A TCP proxy to PostgreSQL that can refuse connections for a while."""

    def __init__(self, upstream=("127.0.0.1", 5432)):
        self.upstream = upstream
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener = None
        self.is_cut = False
        self.listen()

    def listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # closed by cut() or close()
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                self._drop(sock)

    def _drop(self, sock):
        with self.lock:
            self.sockets.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def cut(self):
        """Refuse new connections and break every open one."""
        self.is_cut = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked on it
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            open_sockets = list(self.sockets)
        for sock in open_sockets:
            self._drop(sock)

    def restore(self):
        if self.is_cut:
            self.is_cut = False
            self.listen()

    def close(self):
        self.cut()


class MovableSqlite:
    """The server's copy of the SQLite test database, which can be made unreachable."""

    SUFFIXES = ("", "-wal", "-shm")

    def __init__(self, folder: Path):
        self.path = folder / "server.sqlite3"
        self.aside = folder / "aside"
        self.aside.mkdir()
        self.is_cut = False
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(self.path)
        source.backup(target)  # committed rows, WAL included
        source.close()
        target.close()

    def cut(self):
        for suffix in self.SUFFIXES:
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.rename(self.aside / part.name)
        self.path.mkdir()  # in the way: SQLite cannot create an empty database here
        self.is_cut = True

    def restore(self):
        if not self.is_cut:
            return
        self.path.rmdir()
        for part in self.aside.iterdir():
            part.rename(self.path.parent / part.name)
        self.is_cut = False

    def close(self):
        self.restore()


def really_unreachable(database) -> bool:
    """True when a new connection to the cut database fails (rather than quietly creating a new one)."""
    try:
        if isinstance(database, MovableSqlite):
            probe = sqlite3.connect(database.path)
            probe.execute("SELECT count(*) FROM django_session").fetchone()
            probe.close()
        else:
            socket.create_connection(("127.0.0.1", database.port), timeout=2).close()
    except (OSError, sqlite3.Error):
        return True
    return False


@pytest.fixture
def database(transactional_db, tmp_path):
    """The database the app server will use: behind the proxy (PostgreSQL) or a movable copy (SQLite)."""
    made = []

    def make():
        db = CuttableProxy() if connection.vendor == "postgresql" else MovableSqlite(tmp_path)
        made.append(db)
        return db

    yield make
    for db in made:
        db.close()


def database_url(db) -> str:
    if isinstance(db, MovableSqlite):
        return f"sqlite:///{db.path}"
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    auth = f"{user}:{settings['PASSWORD']}" if settings["PASSWORD"] else user
    return f"postgres://{auth}@127.0.0.1:{db.port}/{settings['NAME']}"


@pytest.fixture
def app_server(tmp_path):
    """Start gunicorn with the given DATABASE_URL; stopped (with its whole process group) at the end."""
    started = []

    def start(url: str) -> str:
        port = free_port()
        log = open(tmp_path / "server.log", "wb")  # closed at teardown
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "false",
            "DJANGO_ENV": "development",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "8",
                "--timeout",
                "60",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append((process, log))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                urllib.request.urlopen(base + "/login/", timeout=2).close()
                return base
            except OSError:
                time.sleep(0.2)
        pytest.fail("the app server did not start:\n" + (tmp_path / "server.log").read_text()[-3000:])

    yield start
    for process, log in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


@pytest.fixture
def minutes(transactional_db):
    department = DepartmentFactory(name="市场部")
    chair = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=department)
    department.head = chair
    department.save()
    recorder = UserFactory(username="chenjing", name="陈静", job_title="市场助理", department=department)
    meeting = MeetingFactory(
        title="市场部第12次周例会", chair=chair, recorder=recorder, department=department
    )
    Attendance.objects.create(meeting=meeting, user=chair, role="chair")
    item = AgendaItemFactory(meeting=meeting, title="渠道推广")
    decision = DecisionFactory(meeting=meeting, agenda_item=item, number=1, text="同意")
    return {"meeting": meeting, "recorder": recorder, "item": item, "decision": decision}


def read_back(db, minutes) -> dict:
    """What the database holds for the typed fields, read with SQL (the SQLite copy is not Django's)."""
    m, i, d = minutes["meeting"].pk, minutes["item"].pk, minutes["decision"].pk
    queries = {
        "location": ("SELECT location FROM meetings_meeting WHERE id = %s", m),
        "summary": ("SELECT summary FROM meetings_meeting WHERE id = %s", m),
        "agenda title": ("SELECT title FROM meetings_agendaitem WHERE id = %s", i),
        "decision": ("SELECT text FROM meetings_decision WHERE id = %s", d),
    }
    reports = "SELECT speaker_name, content FROM meetings_speakerreport WHERE agenda_item_id = %s ORDER BY id"
    if isinstance(db, MovableSqlite):
        conn = sqlite3.connect(db.path)
        try:
            found = {
                k: conn.execute(q.replace("%s", "?"), (p,)).fetchone()[0] for k, (q, p) in queries.items()
            }
            found["reports"] = conn.execute(reports.replace("%s", "?"), (i,)).fetchall()
        finally:
            conn.close()
        return found
    with connection.cursor() as cursor:
        found = {}
        for key, (query, pk) in queries.items():
            cursor.execute(query, [pk])
            found[key] = cursor.fetchone()[0]
        cursor.execute(reports, [i])
        found["reports"] = [tuple(row) for row in cursor.fetchall()]
    return found


def lost_characters(typed: str, saved: str) -> int:
    """Characters of what was typed that are not, in order, in what was saved."""
    matcher = difflib.SequenceMatcher(None, typed, saved, autojunk=False)
    return len(typed) - sum(block.size for block in matcher.get_matching_blocks())


def in_own_thread(work, timeout: float):
    """Run the browser in a thread of its own: Playwright's sync API cannot start inside the event loop
    that tests/browser's shared browser keeps running in this thread when both run in one session."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"the browser did not finish within {timeout:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def type_through_the_cut(base: str, session: str, db, ids: dict, shots: Path) -> dict:
    """Type while the database is cut for CUT_SECONDS; returns what was typed and the figures."""
    from playwright.sync_api import sync_playwright

    meeting, item, decision = ids["meeting"], ids["item"], ids["decision"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless"])
        try:
            context = browser.new_context(
                base_url=base, locale="zh-CN", viewport={"width": 1280, "height": 900}
            )
            context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
            page = context.new_page()
            page.set_default_timeout(15_000)
            statuses = []
            page.on(
                "response", lambda r: statuses.append((r.status, r.url, r.headers.get("content-type", "")))
            )
            page.goto(f"/meetings/{meeting}/minutes/")
            page.locator("#save-status").wait_for()
            before = "下周继续推进。"
            page.locator(f"#f-meeting-{meeting}-summary").fill(before)
            page.wait_for_function("() => document.getElementById('save-status').dataset.state === 'saved'")

            db.cut()
            cut_at = time.monotonic()
            assert really_unreachable(db), "the cut database still answers"
            typed = {
                "location": "5楼第一会议室(临时调整)",
                "agenda title": "渠道推广:抖音与小红书投放复盘",
                "decision": "同意追加短视频预算 5 万元,由市场部牵头,三月底前完成。",
            }
            fields = {
                "location": f"#f-meeting-{meeting}-location",
                "agenda title": f"#f-agenda-{item}-title",
                "decision": f"#f-decision-{decision}-text",
            }
            for key, selector in fields.items():
                page.locator(selector).fill("")
                page.locator(selector).press_sequentially(typed[key], delay=20)
            summary_more = "会后发送投放数据周报。"
            page.locator(f"#f-meeting-{meeting}-summary").press("End")
            page.locator(f"#f-meeting-{meeting}-summary").press_sequentially(summary_more, delay=20)
            typed["summary"] = before + summary_more
            page.locator(f"#agenda-{item} details[data-form=report] summary").click()
            typed["speaker"], typed["report"] = "外部顾问陈先生", "建议把预算向短视频倾斜。\n- 抖音渠道占 60%"
            page.locator(f"#add-report-speaker-{item}").press_sequentially(typed["speaker"], delay=20)
            page.locator(f"#add-report-content-{item}").press_sequentially(typed["report"], delay=20)
            page.locator(f"#add-report-content-{item}").press("Control+Enter")
            page.locator(f"#reports-{item} [data-pending-add]").wait_for()

            page.wait_for_function(
                "t => document.getElementById('save-status').textContent === t", arg=FAILING, timeout=40_000
            )
            page.locator(".editor-bar").screenshot(path=str(shots / "editor-database-cut.png"))
            failing_after = time.monotonic() - cut_at
            time.sleep(max(0.0, CUT_SECONDS - (time.monotonic() - cut_at)))
            db.restore()
            restored_at = time.monotonic()

            page.wait_for_function(
                "() => document.getElementById('save-status').dataset.state === 'saved'"
                " && Object.keys(window.minutesEditor.pending()).length === 0",
                timeout=90_000,
            )
            return {
                "typed": typed,
                "statuses": statuses,
                "cut_for": restored_at - cut_at,
                "failing_after": failing_after,
                "saved_after": time.monotonic() - restored_at,
            }
        finally:
            db.restore()
            browser.close()


def test_ten_seconds_without_the_database_lose_no_text(database, app_server, minutes, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package.")
    client = Client()
    client.force_login(minutes["recorder"])  # the app server reads this session row
    db = database()
    base = app_server(database_url(db))
    ids = {key: minutes[key].pk for key in ("meeting", "item", "decision")}
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    run = in_own_thread(
        lambda: type_through_the_cut(base, client.cookies["sessionid"].value, db, ids, shots), 240
    )

    found = read_back(db, minutes)
    typed = run["typed"]
    saved = {key: found[key] for key in ("location", "agenda title", "decision", "summary")}
    speaker, content = found["reports"][0] if found["reports"] else ("", "")
    saved.update(speaker=speaker, report=content)
    lost = {key: lost_characters(text, saved[key]) for key, text in typed.items()}
    typed_total = sum(map(len, typed.values()))
    saved_total = typed_total - sum(lost.values())
    during_cut = [s for s in run["statuses"] if "/minutes/" in s[1] and s[0] >= 500]
    print(
        f"\n[{connection.vendor}] database cut for {run['cut_for']:.1f} s; the badge said saving fails after "
        f"{run['failing_after']:.1f} s; characters typed {typed_total}, saved {saved_total}, "
        f"lost {sum(lost.values())}; everything saved {run['saved_after']:.1f} s after the restore; "
        f"{len(during_cut)} answers 5xx during the cut ({sorted({s[0] for s in during_cut})})"
    )
    assert lost == dict.fromkeys(lost, 0), (lost, found)
    assert saved == typed
    assert len(found["reports"]) == 1, found["reports"]  # added once, not once per attempt
    # The server said what happened: a 503 with a JSON message, never its 500 page.
    assert during_cut, run["statuses"]
    assert all(s[0] == 503 and s[2].startswith("application/json") for s in during_cut), during_cut
