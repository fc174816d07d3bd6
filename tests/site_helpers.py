"""Helpers for the site tests: small Git repositories holding the fixture estate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

FIXTURE = Path(__file__).parent / "data" / "site-estate"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t",
    "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+00:00",
}

# Each payload tries another way to get markup or script into the site.
HOSTILE = {
    "script": "<script>window.__pwned='script'</script>",
    "img": "<img src=x onerror=\"window.__pwned='img'\">",
    "js_link": "[click me](javascript:window.__pwned='link')",
    "autolink": "<javascript:window.__pwned='autolink'>",
    "attr_list": "Step {: onclick=\"window.__pwned='attr'\" }",
    "raw_block": "\n<div onmouseover=\"window.__pwned='div'\">raw</div>\n\n# heading",
    "entity": "&#60;script&#62;window.__pwned='entity'&#60;/script&#62;",
    "close_title": "</title><script>window.__pwned='title'</script>",
    "svg": "<svg onload=\"window.__pwned='svg'\">",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout.strip()


def fixture_repo(base: Path, commit: bool = True) -> Path:
    """A copy of the fixture estate, committed in a fresh Git repository."""
    repo = base / "estate"
    shutil.copytree(FIXTURE, repo)
    if commit:
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "estate")
    return repo


def make_hostile(repo: Path) -> None:
    """Put every payload into names, descriptions, steps, triggers, contacts and links."""
    q = json.dumps
    catalogue = repo / "services" / "catalogue.yaml"
    text = catalogue.read_text()
    text = text.replace("name: Web Shop\n", f"name: {q('Web Shop ' + HOSTILE['close_title'])}\n")
    text = text.replace(
        "description: The public online shop where customers browse and order.",
        "description: " + q(" ".join(HOSTILE.values())) + "\nlinks: [{title: "
        + q(HOSTILE["script"]) + ", url: " + q("javascript:window.__pwned='links'") + "}]"
        + "\nurl: " + q("java\nscript:window.__pwned='url'"),
    )
    catalogue.write_text(text)
    plan = repo / "plans" / "orders-recovery.yaml"
    text = plan.read_text()
    text = text.replace("title: Assess the outage and declare the incident", "title: " + q(HOSTILE["script"]))
    text = text.replace("verify: Incident channel open and roles assigned", "verify: " + q(HOSTILE["img"]))
    text = text.replace("    - Data centre North declared lost", "    - " + q(HOSTILE["js_link"]) + "\n    - " + q(HOSTILE["attr_list"]))
    text = text.replace(
        '"We are aware of problems placing orders and are working on it. Next update in 30 minutes."',
        q(HOSTILE["raw_block"] + HOSTILE["entity"]),
    )
    text = text.replace("alerts: [OrdersApiDown, ShopCheckoutErrors]", "alerts: [OrdersApiDown, " + q(HOSTILE["svg"]) + "]")
    plan.write_text(text)
    people = repo / "plans" / "people.yaml"
    text = people.read_text()
    text = text.replace("name: Dan Weber", "name: " + q("Dan " + HOSTILE["img"]))
    text = text.replace('phones: ["+44 7700 900004"]', "phones: [" + q("+44 7700\"><script>window.__pwned='tel'</script>") + "]")
    people.write_text(text)
