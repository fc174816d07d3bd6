"""Value types shared by the models: durations, dates, ids and references."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import GetCoreSchemaHandler, StringConstraints
from pydantic_core import PydanticCustomError, core_schema

if TYPE_CHECKING:  # pydantic.json_schema is needed only by `itscm schema`: keep lint's imports light
    from pydantic import GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_SHORT_RE = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?\Z")
_ISO_RE = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?\Z")
DURATION_PATTERN = r"^(?:(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?|P(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?)$"
SLUG_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,78}[a-z0-9])?$"
_SLUG_RE = re.compile(SLUG_PATTERN)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


@total_ordering
@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time in whole seconds, written ``30m``, ``4h``, ``2d``, ``1w`` or ``PT4H``."""

    seconds: int

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.seconds < other.seconds

    def __reduce__(self) -> tuple[type[Duration], tuple[int]]:
        # The default for slotted dataclasses is a slow Python-level
        # __setstate__; cached estates unpickle hundreds of thousands of these.
        return (Duration, (self.seconds,))

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.seconds + other.seconds)

    def __str__(self) -> str:
        if self.seconds == 0:
            return "0m"
        parts = []
        rest = self.seconds
        for unit in ("w", "d", "h", "m", "s"):
            size = _UNITS[unit]
            if unit == "w" and rest % size:
                continue  # 10d reads better than 1w3d
            count, rest = divmod(rest, size)
            if count:
                parts.append(f"{count}{unit}")
        return "".join(parts)

    @property
    def hours(self) -> float:
        return self.seconds / 3600

    def after(self, day: dt.date) -> dt.date:
        """``day`` plus this duration; the last date there is when that lies beyond it.

        A review on 9999-06-01 every 52 weeks, or a cadence of a billion
        weeks, is due after the calendar ends: never overdue.
        """
        try:
            return day + dt.timedelta(seconds=self.seconds)
        except OverflowError:
            return dt.date.max

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``30m``, ``4h``, ``1d12h``, ``1w`` or ISO 8601 ``PT4H``; raise ValueError otherwise."""
        text = text.strip()
        match = _SHORT_RE.match(text) if text and not text.startswith("P") else None
        if match and any(match.groups()):
            units = ("w", "d", "h", "m", "s")
            return cls(sum(int(g) * _UNITS[u] for g, u in zip(match.groups(), units) if g))
        match = _ISO_RE.match(text)
        if match and any(match.groups()):
            w, d, h, m, s = (int(g) if g else 0 for g in match.groups())
            return cls(w * 604800 + d * 86400 + h * 3600 + m * 60 + s)
        raise ValueError(text)

    @classmethod
    def _validate(cls, value: Any) -> Duration:
        if isinstance(value, Duration):
            return value
        if isinstance(value, str):
            known = _PARSED.get(value)
            if known is not None:
                return known
            try:
                parsed = cls.parse(value)
            except ValueError:
                pass
            else:
                if len(_PARSED) < _PARSED_MAX:
                    _PARSED[value] = parsed
                return parsed
        hint = " (a number needs a unit)" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
        raise PydanticCustomError(
            "duration",
            "{value} is not a duration{hint}: write 30m, 4h, 2d, 1w or ISO 8601 like PT4H",
            {"value": repr(value), "hint": hint},
        )

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": "A duration: 30m, 4h, 2d, 1w, combinations like 1d12h, or ISO 8601 like PT4H",
            "examples": ["30m", "4h", "2d", "PT4H"],
        }


# An estate writes the same few durations (4h, 30m, 1d) tens of thousands of
# times; parsing each took a quarter of the validators' time. Durations are
# immutable, so one object per text serves them all. Bounded: a hostile file
# of distinct durations only fills it once.
_PARSED: dict[str, Duration] = {}
_PARSED_MAX = 4096


def _validate_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("iso_date", "{value} is not a date: write YYYY-MM-DD, e.g. 2026-03-31", {"value": repr(value)}
    )


def _date_text(value: dt.date) -> str:
    # A named function, not a lambda: the core schema is pickled (schemacache.py).
    return value.isoformat()


class _IsoDate:
    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _validate_date, serialization=core_schema.plain_serializer_function_ser_schema(_date_text)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "examples": ["2026-03-31"]}


IsoDate = Annotated[dt.date, _IsoDate]


def _validate_slug(value: Any) -> str:
    if isinstance(value, str) and _SLUG_RE.match(value):
        return value
    raise PydanticCustomError(
        "slug",
        "{value} is not a valid id: use lower-case letters, digits and hyphens, "
        "starting and ending with a letter or digit (at most 80 characters), e.g. payments-api",
        {"value": repr(value)},
    )


class _Slug:
    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(_validate_slug)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": SLUG_PATTERN}


Slug = Annotated[str, _Slug]


@dataclass(frozen=True, slots=True)
class RefTo:
    """Marks a string field as a reference to a document of one of ``kinds``."""

    kinds: tuple[str, ...]

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        result = handler(schema)
        result["description"] = "id of a " + " or ".join(self.kinds)
        return result


# An id that must name a document of one of the kinds listed. Named aliases
# (rather than a function call in each annotation) keep the models readable
# and checkable by mypy; the engine finds the kinds in the RefTo metadata.
RefId = Annotated[str, StringConstraints(min_length=1)]
PersonRef = Annotated[RefId, RefTo(("Person",))]
TeamRef = Annotated[RefId, RefTo(("Team",))]
PersonOrTeamRef = Annotated[RefId, RefTo(("Person", "Team"))]
ServiceRef = Annotated[RefId, RefTo(("Service",))]
ComponentRef = Annotated[RefId, RefTo(("Component",))]
SupplierRef = Annotated[RefId, RefTo(("Supplier",))]
SiteRef = Annotated[RefId, RefTo(("Site",))]
DependableRef = Annotated[RefId, RefTo(("Service", "Component", "Supplier"))]
ScopeItemRef = Annotated[RefId, RefTo(("Service", "Site", "Component", "Supplier"))]
PlanRef = Annotated[RefId, RefTo(("Plan",))]
ThreatRef = Annotated[RefId, RefTo(("Threat",))]
ThreatCategoryRef = Annotated[RefId, RefTo(("ThreatCategory",))]
RiskCategoryRef = Annotated[RefId, RefTo(("RiskCategory",))]


Text = Annotated[str, StringConstraints(max_length=100_000)]
