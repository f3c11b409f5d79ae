"""`manage.py ingest_articles`: the JSON Lines bulk door into ingest."""

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from claims.models import Article, Claim
from tests.local_site import serving_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
JOBS = "The unemployment rate fell to 3.9 percent in March, the statistics office said on Friday."
BUDGET = (
    "<html><body><article><p>The deficit rose to $1.8 trillion in 2024, the Treasury said.</p></article></body></html>"
)
FETCHED = "Wheat exports grew by 12 percent last year, the farm ministry said on Monday."


@pytest.fixture
def news_site():
    with serving_page(f"<html><body><article><p>{FETCHED}</p></article></body></html>", path="/wheat") as url:
        yield url


def _write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _json_line(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_every_good_line_is_stored_and_every_bad_one_reported_by_number(tmp_path, news_site):
    path = _write_lines(
        tmp_path / "articles.jsonl",
        [
            _json_line(text=JOBS, title="Jobs", outlet="Wire", published_at="2025-04-04"),  # 1
            _json_line(html=BUDGET, url="https://news.example/budget"),  # 2
            _json_line(url=news_site, fetch=True, author="A. Reporter"),  # 3
            _json_line(text=JOBS, title="Jobs again"),  # 4: same content as line 1
            b"",  # blank lines are skipped, but still counted
            b'{"text": "unterminated',  # 6
            b'["a list"]',  # 7
            _json_line(text="   "),  # 8
            '{"text": "caf\xe9 prices rose 5 percent"}'.encode("latin-1"),  # 9
            _json_line(text="Prices rose 5 percent.", published_at="12/05/2025"),  # 10
            _json_line(title="no body at all"),  # 11
            _json_line(text="<script>alert(1)</script>", html="<script>alert(1)</script>"),  # 12
        ],
    )
    out, err = StringIO(), StringIO()
    with override_settings(INGEST_FETCH_ALLOWED_PRIVATE_HOSTS=["127.0.0.1"]):
        with pytest.raises(CommandError, match=r"7 of the lines .* were refused; the others were ingested"):
            call_command("ingest_articles", str(path), "--format", "json", stdout=out, stderr=err)

    report = json.loads(out.getvalue())
    assert (report["created"], report["existing"], report["refused"]) == (3, 1, 7)
    errors = {error["line"]: error["error"] for error in report["errors"]}
    assert sorted(errors) == [6, 7, 8, 9, 10, 11, 12]
    assert errors[6].startswith("not JSON")
    assert errors[7] == "expected a JSON object"
    assert errors[9] == "not UTF-8 text"
    assert errors[10].startswith("published_at:")
    assert "text, as HTML, or as a url with fetch=true" in errors[11]
    assert "line 9: not UTF-8 text" in err.getvalue()

    articles = {article.title or article.url: article for article in Article.objects.all()}
    assert len(articles) == 3
    assert articles["Jobs"].outlet == "Wire" and articles["Jobs"].published_at.date().isoformat() == "2025-04-04"
    assert "$1.8 trillion" in articles["https://news.example/budget"].body
    fetched = Article.objects.get(url=news_site)
    assert fetched.author == "A. Reporter" and FETCHED in fetched.body
    # The repeated article was not stored again: its line points at the first one.
    assert report["article_ids"].count(articles["Jobs"].pk) == 2
    assert report["queued_claims"] == Claim.objects.filter(status="new").count() > 0


def test_running_the_same_file_twice_stores_nothing_new(tmp_path):
    path = _write_lines(tmp_path / "a.jsonl", [_json_line(text=JOBS), _json_line(html=BUDGET)])
    call_command("ingest_articles", str(path), stdout=StringIO())
    claims = Claim.objects.count()
    out = StringIO()
    call_command("ingest_articles", str(path), stdout=out)

    assert out.getvalue().strip() == (
        "0 articles stored, 2 already stored, 0 claims queued, 0 articles queued for extraction; 0 lines refused."
    )
    assert Article.objects.count() == 2 and Claim.objects.count() == claims


def test_a_missing_file_is_explained(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("ingest_articles", str(tmp_path / "nope.jsonl"))


def test_it_shows_a_progress_bar_on_a_terminal(tmp_path):
    path = _write_lines(tmp_path / "a.jsonl", [_json_line(text=JOBS), _json_line(html=BUDGET), b"not json"])
    # The embedded default: a SQLite file of its own, jobs run in-process.
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bulk.sqlite3'}"
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, capture_output=True, timeout=300)

    # stderr is a terminal (a pseudo-terminal here); stdout stays a pipe for the summary.
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    process = subprocess.Popen(
        [*manage, "ingest_articles", str(path)], env=env, stdout=subprocess.PIPE, stderr=terminal
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closes when the command exits
            break
        if not chunk:
            break
        shown += chunk
    summary = process.stdout.read().decode()
    process.stdout.close()
    assert process.wait(timeout=300) == 1
    os.close(controller)

    screen = shown.decode(errors="replace")
    assert "articles: 100%" in screen and "3/3" in screen
    assert "line 3: not JSON" in screen
    assert summary.strip() == (
        "2 articles stored, 0 already stored, 2 claims queued, 0 articles queued for extraction; 1 lines refused."
    )
