"""Customer shapes: v1 (package as a name) and v2 (package as ``{id, name}``), one per use."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from api.queries import ListedCustomer
from api.schemas.common import Id, UtcTime
from billing.enums import BillingType, ServiceType
from billing.models import Customer

V1_CREATE_EXAMPLE: dict[str, JsonValue] = {
    "name": "Rafiq Ahmed", "email": "rafiq@example.com", "phone": "01712345678",
                     "package_id": 5, "address": "House 12, Road 7, Dhanmondi, Dhaka",
                     "connection_type": "pppoe"}
V2_CREATE_EXAMPLE: dict[str, JsonValue] = {
    "name": "Fatima Begum", "email": "fatima@example.com", "phone": "01898765432",
                     "package_id": 12, "address": "Apt 4B, Gulshan Tower, Dhaka", "connection_type": "fiber",
                     "onu_mac": "AA:BB:CC:DD:EE:FF"}


class CustomerCreateIn(BaseModel):
    """A new customer (v1 and v2 take the same fields; v2 adds ONU and service details)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [V2_CREATE_EXAMPLE]})

    name: str = Field(min_length=1, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    package_id: Id
    address: str | None = None
    connection_type: ServiceType = ServiceType.PPPOE
    billing_type: BillingType = BillingType.POSTPAID
    operator_id: Id | None = None
    username: str | None = Field(None, max_length=64)
    onu_mac: str | None = Field(None, max_length=17)
    onu_serial: str | None = Field(None, max_length=32)


class V1CustomerCreateIn(CustomerCreateIn):
    """A new customer, v1 style."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [V1_CREATE_EXAMPLE]})


class CustomerUpdateIn(BaseModel):
    """The fields to change; anything left out stays as it is."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"package_id": 15, "address": "Suite 6A, Banani Heights, Dhaka"}]})

    name: str | None = Field(None, min_length=1, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    package_id: Id | None = None
    address: str | None = None
    connection_type: ServiceType | None = None
    onu_mac: str | None = Field(None, max_length=17)
    onu_serial: str | None = Field(None, max_length=32)


class V1CustomerRead(BaseModel):
    """A customer in v1: the package by name."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 1042, "name": "Rafiq Ahmed", "email": "rafiq@example.com", "phone": "01712345678",
        "package": "Premium 50 Mbps", "status": "active", "created_at": "2026-04-10T08:15:00Z"}]})

    id: int
    name: str
    email: str | None
    phone: str | None
    package: str
    status: str
    created_at: UtcTime

    @classmethod
    def of(cls, c: Customer | ListedCustomer) -> V1CustomerRead:
        return cls(id=c.id, name=c.name, email=c.email, phone=c.phone, package=c.package.name,
                   status=c.status.value, created_at=c.created_at)


class PackageRef(BaseModel):
    """A package by id and name."""

    id: int
    name: str


class CustomerRead(BaseModel):
    """A customer in v2: the package as ``{id, name}``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 2087, "name": "Fatima Begum", "email": "fatima@example.com", "phone": "01898765432",
        "package": {"id": 12, "name": "Fiber 100 Mbps"}, "connection_type": "fiber", "status": "active",
        "created_at": "2026-04-12T14:22:00Z", "updated_at": "2026-04-12T14:22:00Z"}]})

    id: int
    name: str
    email: str | None
    phone: str | None
    package: PackageRef
    connection_type: str
    status: str
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, c: Customer | ListedCustomer) -> CustomerRead:
        return cls(id=c.id, name=c.name, email=c.email, phone=c.phone,
                   package=PackageRef(id=c.package.id, name=c.package.name),
                   connection_type=c.connection_type.value, status=c.status.value,
                   created_at=c.created_at, updated_at=c.updated_at)


class CustomerUpdatedRead(BaseModel):
    """What an update answers (v2)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 2087, "name": "Fatima Begum", "package": {"id": 15, "name": "Fiber 200 Mbps"},
        "address": "Suite 6A, Banani Heights, Dhaka", "status": "active",
        "updated_at": "2026-04-13T09:05:00Z"}]})

    id: int
    name: str
    package: PackageRef
    address: str | None
    status: str
    updated_at: UtcTime

    @classmethod
    def of(cls, c: Customer) -> CustomerUpdatedRead:
        return cls(id=c.id, name=c.name, package=PackageRef(id=c.package.id, name=c.package.name),
                   address=c.address, status=c.status.value, updated_at=c.updated_at)


class CustomerActionIn(BaseModel):
    """An action on a customer (v1)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "suspend", "reason": "manual"}]})

    action: str = Field(pattern="^(suspend|activate|disable|extend)$")
    reason: str | None = Field(None, max_length=64)
