"""``itscm serve``: the live preview serves the site and rebuilds it when a YAML file changes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .site_helpers import fixture_repo

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test server
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, text: str, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text in page:
            return True
        time.sleep(0.5)
    return False


def test_serve_rebuilds_on_change(tmp_path: Path) -> None:
    repo = fixture_repo(tmp_path)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "itscm_compiler", "serve", "--root", str(repo), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(f"{base}/services/web-shop.html", "Web Shop"), "the site was never served"
        catalogue = repo / "services" / "catalogue.yaml"
        catalogue.write_text(catalogue.read_text().replace("name: Web Shop\n", "name: Web Store\n"))
        assert wait_for(f"{base}/services/web-shop.html", "Web Store"), "the change was never rebuilt"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert "Traceback" not in output, output
    assert server.returncode == 0, output  # Ctrl-C is how a preview ends, as with mkdocs serve


def test_a_port_in_use_is_said_at_once(tmp_path: Path) -> None:
    # Before the first build, which takes minutes on a large estate.
    repo = fixture_repo(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "itscm_compiler", "serve", "--root", str(repo), "--port", str(port)],
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"itscm serve: cannot listen on 127.0.0.1:{port}: Address already in use; choose another --port" in proc.stderr
    assert "pages rebuilt" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "itscm_compiler", "serve", "--root", str(repo), "--port", "99999"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2 and "'--port': 99999 is not in the range 0<=x<=65535" in proc.stderr, proc.stderr
