"""The service catalogue: services, components, suppliers and sites."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag

from .base import Document, Model
from .types import DependableRef, Duration, IsoDate, SiteRef, SupplierRef, TeamRef

Strategy = Literal["hot", "warm", "cold", "manual"]


class Recovery(Model):
    """How a service or component is brought back, and how long that takes."""

    strategy: Strategy
    estimated_time: Duration | None = Field(default=None, description="Estimated time to recover")
    notes: str | None = None


class DependencyRef(Model):
    """A dependency on one service, component or supplier."""

    id: DependableRef
    mode: Literal["hard", "soft"] = Field(
        default="hard", description="hard: needed to recover at all; soft: only degrades the service"
    )
    note: str | None = None


class AnyOf(Model):
    """Redundant alternatives: any one of them is enough."""

    any_of: list[DependableRef] = Field(min_length=1)
    mode: Literal["hard", "soft"] = "hard"
    note: str | None = None


def _dependency(value: Any) -> Any:
    if isinstance(value, str):
        return {"id": value}
    return value


def _dependency_kind(value: Any) -> str:
    if isinstance(value, dict) and "any_of" in value:
        return "any_of"
    if isinstance(value, AnyOf):
        return "any_of"
    return "ref"


# The schema shows the plain-id shorthand too, or editors would flag ``- payments-db``.
Dependency = Annotated[
    Annotated[DependencyRef, Tag("ref")] | Annotated[AnyOf, Tag("any_of")],
    Discriminator(_dependency_kind),
    BeforeValidator(_dependency, json_schema_input_type=DependableRef | DependencyRef | AnyOf),
]


class Service(Document):
    """A business or IT service in the catalogue."""

    kind: Literal["Service"]
    owner: TeamRef
    tier: int = Field(ge=1, le=9, description="1 is the most critical")
    customers: list[str] = Field(default_factory=list, description="Who uses the service")
    depends_on: list[Dependency] = Field(default_factory=list)
    recovery: Recovery | None = None
    lifecycle: Literal["planned", "production", "retiring", "retired"] = "production"
    url: str | None = None


class Instance(Model):
    """One running copy of a component, placed in a site."""

    name: str | None = None
    site: SiteRef
    zone: SiteRef | None = None


class Backup(Model):
    """The backup of a component that holds data."""

    frequency: Duration = Field(description="How often a backup is taken")
    retention: Duration | None = None
    site: SiteRef | None = Field(default=None, description="Where the backups are kept")
    last_restore_test: IsoDate | None = None


class Component(Document):
    """A configuration item a service runs on: database, cluster, queue, link."""

    kind: Literal["Component"]
    owner: TeamRef
    type: str = Field(description="database, cluster, queue, storage, network, ...")
    instances: list[Instance] = Field(default_factory=list)
    supplier: SupplierRef | None = None
    recovery: Recovery | None = None
    backup: Backup | None = None
    depends_on: list[Dependency] = Field(default_factory=list)


class Contact(Model):
    """How to reach someone outside the organisation."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    url: str | None = None


class Contract(Model):
    """The recovery targets a supplier has signed up to."""

    rto: Duration | None = None
    rpo: Duration | None = None
    reference: str | None = None


class Supplier(Document):
    """A third party: a cloud region, a SaaS, an ISP, a vendor."""

    kind: Literal["Supplier"]
    type: str = Field(description="cloud-region, saas, isp, vendor, ...")
    owner: TeamRef | None = None
    contract: Contract | None = None
    contact: Contact | None = None
    last_assessment: IsoDate | None = Field(default=None, description="Last continuity assessment")
    alternatives: list[str] = Field(default_factory=list)
    exit_plan: str | None = None
    sites: list[SiteRef] = Field(default_factory=list, description="Where the supplier runs")
    depends_on: list[Dependency] = Field(default_factory=list)


class Site(Document):
    """A failure domain: data centre, region, zone, office."""

    kind: Literal["Site"]
    type: Literal["data-centre", "region", "zone", "office", "cloud-region", "colocation", "other"]
    parent: SiteRef | None = None
    supplier: SupplierRef | None = None
    address: str | None = None
