"""A tiny real Git repository for tests: write files, commit them on a given date."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from .conftest import write_tree

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


class GitRepo:
    """A Git work tree at ``path`` whose commits carry the dates the test gives."""

    def __init__(self, path: Path, init: bool = True) -> None:
        self.path = path
        if init:
            path.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: dt.date | None = None, cwd: Path | None = None) -> str:
        env = dict(os.environ, **IDENTITY)
        if date is not None:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date.isoformat()}T12:00:00+00:00"
        done = subprocess.run(["git", *args], cwd=cwd or self.path, env=env, capture_output=True, text=True, check=True)
        return done.stdout

    def write(self, files: dict[str, str]) -> None:
        write_tree(self.path, dict(files))

    def commit(self, date: dt.date, subject: str, files: dict[str, str] | None = None) -> str:
        """Write ``files``, commit everything, and return the short hash."""
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", subject, date=date)
        return self.git("rev-parse", "--short", "HEAD").strip()
