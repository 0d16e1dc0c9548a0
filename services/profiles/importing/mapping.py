"""How an export's columns map to the fields of the inbound events, per kind of record.

The default mapping reads files whose columns are named like the fields (`customer_id`,
`order_id`, `net_revenue`, ...). A mapping file (YAML or JSON) names other columns, fixed
values, the delimiter, the date format and the decimal comma of a given CRM or shop export.
"""

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

RecordKind = Literal["customers", "orders", "returns", "touchpoints", "identifications"]
EVENT_TYPES: dict[str, str] = {
    "customers": "customer.upserted",
    "orders": "order.placed",
    "returns": "order.returned",
    "touchpoints": "touchpoint.recorded",
    "identifications": "customer.identified",
}

FIELDS: dict[str, tuple[str, ...]] = {
    "customers": (
        "time", "customer_system", "customer_id", "kind", "name", "email", "phone",
        "customer_number", "street", "postal_code", "city", "region", "country", "industry",
        "size_class", "owner_rep", "consent_email", "consent_phone", "consent_post",
        "consent_messaging",
    ),
    "orders": (
        "time", "order_id", "customer_system", "customer_id", "channel", "currency", "sku",
        "category", "quantity", "net_revenue", "cost_of_goods", "discount", "shipping_cost",
        "other_direct_costs", "sales_rep",
    ),
    "returns": (
        "time", "order_id", "customer_system", "customer_id", "sku", "quantity", "net_revenue",
        "cost_of_goods", "amount", "handling_cost",
    ),
    "touchpoints": (
        "time", "customer_system", "customer_id", "anonymous_id", "channel", "touchpoint_type",
        "journey_stage", "direction", "csat", "nps", "effort", "outcome", "duration_seconds",
        "rep", "cost",
    ),
    "identifications": ("time", "anonymous_id", "customer_system", "customer_id"),
}  # fmt: skip
"""The fields of each kind of record; `customer_system` + `customer_id` form `customer`."""


class ImportMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RecordKind = Field(description="What the file holds.")
    source: str = Field(default="import", description="Sending system the events come from.")
    format: Literal["csv", "jsonl"] = Field(default="csv", description="csv or jsonl.")
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="CSV only.")
    encoding: str = Field(default="utf-8", description="Text encoding of the file.")
    decimal_comma: bool = Field(
        default=False, description="Amounts are written 1.234,56 (German exports)."
    )
    date_format: str | None = Field(
        default=None, description="strptime format of `time`; default ISO 8601 / RFC 3339."
    )
    timezone: str = Field(
        default="UTC", description="Zone of times written without offset, e.g. Europe/Berlin."
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="Field -> column name, where they differ."
    )
    constants: dict[str, str] = Field(
        default_factory=dict, description="Field -> fixed value for every row."
    )
    attribute_prefix: str = Field(
        default="attr_", description="Columns starting with this become free attributes."
    )

    def column(self, field: str) -> str:
        return self.columns.get(field, field)


def load_mapping(path: Path | None, kind: RecordKind, **overrides: str | bool) -> ImportMapping:
    """The mapping in `path` (YAML or JSON), or the default one for `kind`."""
    data: dict[str, object] = {"kind": kind}
    if path is not None:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: a mapping file holds one object")
        data.update(loaded)
    data.update({key: value for key, value in overrides.items() if value is not None})
    mapping = ImportMapping.model_validate(data)
    unknown = sorted((set(mapping.columns) | set(mapping.constants)) - set(FIELDS[mapping.kind]))
    if unknown:
        raise ValueError(f"unknown fields for {mapping.kind}: {', '.join(unknown)}")
    return mapping
