"""``itscm serve``: build into a temporary folder, serve it, rebuild on every change."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import socket
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
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log = logging.getLogger("itscm.serve")
    # Asked before the first build, which takes minutes on a large estate.
    problem = cannot_listen(host, port)
    if problem is not None:
        log.error("%s", problem)
        return 2
    work = Path(tempfile.mkdtemp(prefix="itscm-serve-"))
    out = work / "site"

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
    except OSError as exc:  # taken meanwhile
        log.error("%s", _why(host, port, exc))
        return 2
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def cannot_listen(host: str, port: int) -> str | None:
    """Why the preview could not listen on ``host:port`` (the port is taken, no such address), or None."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself does
            probe.bind(address)
    except OSError as exc:
        return _why(host, port, exc)
    return None


def _why(host: str, port: int, exc: OSError) -> str:
    return f"itscm serve: cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port or --host"
