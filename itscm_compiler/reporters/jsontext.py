"""JSON text for the machine formats: pretty at the top, one line per item below.

``json.dumps(indent=2)`` runs the pure-Python encoder, which took 0.42 s
for the 7,000 diagnostics of a 10,000-service estate; without an indent the
C encoder writes the same in 0.11 s. So the outer levels are
laid out here and everything from ``expand`` levels down is one compact line:
one diagnostic per line, which also suits grep and diff. ASCII only, so the
output survives any terminal or pipe encoding (JSON escapes the rest).
"""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any, expand: int, _depth: int = 0) -> str:
    """``value`` as JSON, containers indented down to ``expand`` levels, deeper ones on one line."""
    if _depth >= expand or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=True)
    pad = "  " * (_depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=True)}: {dumps(v, expand, _depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * _depth + "}"
    items = [pad + dumps(v, expand, _depth + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + "  " * _depth + "]"
