"""Fingerprints ignore positions and wording of whitespace, and change with code, file and key."""

from __future__ import annotations

from itscm_compiler.diagnostics import Diagnostic, Location, Severity
from itscm_compiler.fingerprints import fingerprint


def _diag(line: int = 3, path: str = "plans/a.yaml", code: str = "F001", key: str = "a:review") -> Diagnostic:
    return Diagnostic(code, "x", Severity.ERROR, Location(path, line, 5), "message", key=key)


def test_fingerprint_survives_line_shifts() -> None:
    assert fingerprint(_diag(line=3)) == fingerprint(_diag(line=40))


def test_fingerprint_differs_by_code_path_and_key() -> None:
    base = fingerprint(_diag())
    assert base != fingerprint(_diag(code="F002"))
    assert base != fingerprint(_diag(path="plans/b.yaml"))
    assert base != fingerprint(_diag(key="b:review"))


def test_fingerprint_path_override_follows_renames() -> None:
    assert fingerprint(_diag(path="old/a.yaml"), path="plans/a.yaml") == fingerprint(_diag())


def test_fingerprint_defaults_to_the_message() -> None:
    one = Diagnostic("F001", "x", Severity.ERROR, Location("a.yaml"), "same  words")
    two = Diagnostic("F001", "x", Severity.ERROR, Location("a.yaml", 9), "same words")
    assert fingerprint(one) == fingerprint(two)
    assert len(fingerprint(one)) == 32
