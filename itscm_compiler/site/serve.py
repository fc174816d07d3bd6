"""``itscm serve``: build into a temporary folder, serve it, rebuild on every change."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path

from ..config import CONFIG_FILE, load_config
from ..signals import handled
from .build import BuildError, build_site


def serve(root: Path, host: str, port: int, today: dt.date | None = None) -> int:
    """Serve the site of ``root`` on ``host:port`` until interrupted; return an exit code."""
    from mkdocs.livereload import LiveReloadServer

    from ..gcpause import keep_frozen

    keep_frozen(False)  # every rebuild makes a new estate: the old ones must stay collectable
    root = root.resolve()
    config = load_config(root)
    work = Path(tempfile.mkdtemp(prefix="itscm-serve-"))
    out = work / "site"
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log = logging.getLogger("itscm.serve")

    def rebuild() -> None:
        try:
            result = build_site(root, out, allow_errors=True, today=today)
        except BuildError as exc:
            log.error("itscm: build failed: %s (the last good site is still served)", exc)
            return
        log.info("itscm: %d pages rebuilt, %s", result.pages, result.stamp.built())

    rebuild()
    if not out.is_dir():
        shutil.rmtree(work, ignore_errors=True)
        return 2
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(out))
    for name in (*config.roots, "templates", CONFIG_FILE, "mkdocs.yml"):
        path = root / name
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        handled()  # Ctrl-C is how a preview ends: exit 0, as mkdocs serve does
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return 0
