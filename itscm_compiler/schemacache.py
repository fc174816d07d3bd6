"""The validators of the document kinds, built once per itscm and pydantic version, not once per run.

Pydantic builds a model's validator the first time the model validates
(the models use ``defer_build``): 46 ms for a Service and its parts, about
70 ms for every kind, in every process that validates. On a small repository
that is a sixth of the pre-commit hook's run. What pydantic builds them from,
each model's core schema, is plain data: it is kept in the user's cache
(``$XDG_CACHE_HOME/itscm/schemas-<salt>.pickle``, HMAC-signed with the load
cache's key; the salt covers itscm's source, Python and every installed
distribution, pydantic included), and later runs build the validators from it
with ``pydantic_core.SchemaValidator`` (0.2 ms each), exactly as pydantic does
from the same schema. A test validates every document of the example, a
generated estate and broken variants both ways and compares models and errors.

Anything wrong with the file (missing, cut short, signed with another key,
another salt, another set of kinds) means pydantic builds the validators as
usual and the file is written again. ``ITSCM_NO_CACHE=1`` leaves the file alone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
import time
from typing import TYPE_CHECKING, Any, Callable

from .atomic import remove_stale_temporaries, replace_file

if TYPE_CHECKING:
    from .models import Document

Validate = Callable[[Any], "Document"]
_MAC = 32
KEEP_DAYS = 14  # the files of other versions, unused this long, are removed
MAX_SIZE = 4 << 20  # the file holds about 25 KB: anything far larger is not ours
_validators: dict[type[Document], Validate] = {}


def validator(model: type[Document]) -> Validate:
    """The function that validates data into ``model`` (raises pydantic's ValidationError)."""
    prepare()
    found = _validators.get(model)
    if found is None:  # not one of the kinds: pydantic's own
        found = _validators[model] = model.model_validate
    return found


def prepare() -> None:
    """Build every kind's validator now: before forking, so that worker processes inherit them."""
    if not _validators:
        _validators.update(_build())


def _build() -> dict[type[Document], Validate]:
    from .models import KINDS

    if os.environ.get("ITSCM_NO_CACHE", "").strip() not in ("", "0"):
        return {model: model.model_validate for model in KINDS.values()}  # pydantic's, each built when first used
    path, secret = _place()
    if path is None or secret is None:
        return {model: model.model_validate for model in KINDS.values()}
    built = _from_file(path, secret, KINDS)
    if built is not None:
        return built
    built = _from_pydantic(KINDS)
    _write(path, secret, KINDS)
    return built


def _place() -> tuple[str | None, bytes | None]:
    from .cache import _secret, source_salt, user_cache_dir

    folder = user_cache_dir()
    if folder is None:
        return None, None
    salt = hashlib.blake2b(source_salt(), digest_size=16).hexdigest()
    return os.path.join(folder, f"schemas-{salt}.pickle"), _secret()


def _from_pydantic(kinds: dict[str, type[Document]]) -> dict[type[Document], Validate]:
    built: dict[type[Document], Validate] = {}
    for model in kinds.values():
        model.model_rebuild()  # builds it when deferred; a model already built is left as it is
        built[model] = model.__pydantic_validator__.validate_python
    return built


def _from_file(path: str, secret: bytes, kinds: dict[str, type[Document]]) -> dict[type[Document], Validate] | None:
    from pydantic_core import SchemaValidator

    from .cache import open_cache_file

    try:
        fd = open_cache_file(path)  # a link planted there is not read
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            blob = handle.read(MAX_SIZE + 1)
    except OSError:
        return None
    if len(blob) > MAX_SIZE:
        return None
    mac, payload = blob[:_MAC], blob[_MAC:]
    if len(mac) != _MAC or not hmac.compare_digest(mac, hmac.new(secret, payload, hashlib.sha256).digest()):
        return None
    try:
        schemas = pickle.loads(payload)  # noqa: S301 - signed with the user's own key
        if not isinstance(schemas, dict) or set(schemas) != set(kinds):
            return None
        return {kinds[name]: SchemaValidator(schema, _config(schema)).validate_python for name, schema in schemas.items()}
    except Exception:  # noqa: BLE001 - a file pydantic-core cannot use is simply not a hit
        return None


def _config(schema: Any) -> Any:
    """The core configuration pydantic gives the validator: the one it wrote into the model's schema."""
    model = schema["schema"] if schema.get("type") == "definitions" else schema
    return model.get("config")


def _write(path: str, secret: bytes, kinds: dict[str, type[Document]]) -> None:
    try:
        payload = pickle.dumps(
            {name: _without_metadata(model.__pydantic_core_schema__) for name, model in kinds.items()},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    except Exception:  # noqa: BLE001 - a schema that cannot be kept (a lambda in it): build it every run
        return
    directory = os.path.dirname(path)
    data = hmac.new(secret, payload, hashlib.sha256).digest() + payload
    try:
        os.makedirs(directory, exist_ok=True)
        replace_file(path, lambda handle: handle.write(data))
    except OSError:
        return
    _prune(directory, os.path.basename(path))
    remove_stale_temporaries(directory)  # of runs killed while writing


def _without_metadata(schema: Any) -> Any:
    """The schema without ``metadata`` entries: for JSON Schema generation, never read by pydantic-core."""
    if isinstance(schema, dict):
        return {k: _without_metadata(v) for k, v in schema.items() if k != "metadata"}
    if isinstance(schema, list):
        return [_without_metadata(v) for v in schema]
    return schema


def _prune(directory: str, mine: str) -> None:
    """Remove the schema files of other versions that nothing has written for KEEP_DAYS."""
    cutoff = time.time() - KEEP_DAYS * 86400
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith("schemas-") and name != mine:
            try:
                if os.lstat(os.path.join(directory, name)).st_mtime < cutoff:
                    os.unlink(os.path.join(directory, name))
            except OSError:
                pass
