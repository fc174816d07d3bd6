"""The build stamp: the Git commit and commit date the site was built from.

The only varying fact a site carries, so two builds of one commit are
identical. Outside Git the stamp says so instead of inventing a date.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Stamp:
    commit: str | None
    committed: dt.datetime | None
    dirty: bool = False

    @property
    def short(self) -> str:
        return self.commit[:12] if self.commit else ""

    @property
    def date(self) -> dt.date | None:
        return self.committed.date() if self.committed else None

    @property
    def epoch(self) -> int:
        """Seconds since 1970 for SOURCE_DATE_EPOCH (0 outside Git: still reproducible)."""
        return int(self.committed.timestamp()) if self.committed else 0

    def built(self, capital: bool = False) -> str:
        """Where the site came from, as a phrase.

        "built from commit 1a2b... of 2026-11-20 09:30 UTC", or "not built
        from a Git commit (...)"; ``capital`` to begin a sentence with it.
        """
        if self.commit is None or self.committed is None:
            phrase = "not built from a Git commit (no commit or date recorded)"
        else:
            when = self.committed.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            dirty = ", with uncommitted changes" if self.dirty else ""
            phrase = f"built from commit {self.short} of {when}{dirty}"
        return phrase[0].upper() + phrase[1:] if capital else phrase


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_stamp(root: Path, watched: tuple[str, ...] = (".",)) -> Stamp:
    """The HEAD commit of the repository holding ``root``; ``dirty`` when ``watched`` paths changed."""
    head = _git(root, "log", "-1", "--format=%H %ct")
    if not head:
        return Stamp(None, None)
    commit, seconds = head.split()
    committed = dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc)
    status = _git(root, "status", "--porcelain", "--", *watched)
    return Stamp(commit, committed, bool(status))
