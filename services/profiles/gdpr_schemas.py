"""Response bodies of profiles' GDPR endpoints."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class ErasureAccepted(BaseModel):
    """An erasure was accepted; follow `status_url` for the other services' progress."""

    erasure_id: str = Field(description="Id of the erasure.")
    customer_id: str = Field(description="Canonical id of the erased customer.")
    requested_at: datetime = Field(description="When the erasure was first requested (UTC).")
    status_url: str = Field(description="Path of the erasure's status (also in Location).")


class ServiceProgress(BaseModel):
    """One service's part of an erasure."""

    service: str = Field(description="profiles, segmentation, experience or steering.")
    status: Literal["pending", "completed"] = Field(description="Whether it has confirmed.")
    completed_at: datetime | None = Field(description="When it completed (UTC); null if pending.")
    deleted: dict[str, int] = Field(description="Rows it deleted, by table.")
    anonymised: dict[str, int] = Field(description="Rows it kept without personal data, by table.")


class ErasureStatus(BaseModel):
    """An erasure and how far every service has got with it."""

    erasure_id: str = Field(description="Id of the erasure.")
    customer_id: str = Field(description="Canonical id of the erased customer.")
    requested_at: datetime = Field(description="When it was requested (UTC).")
    requested_by: str = Field(description="Name of the API key that requested it.")
    status: Literal["pending", "completed"] = Field(
        description="completed once every service has confirmed."
    )
    services: list[ServiceProgress] = Field(description="Progress per service.")


class CustomerExport(BaseModel):
    """Everything profiles holds on a customer (GDPR access request)."""

    customer_id: str = Field(description="Canonical customer id.")
    exported_at: datetime = Field(description="When this export was taken (UTC).")
    customer: dict[str, Any] = Field(description="Every stored field of the customer.")
    merged_customers: list[dict[str, Any]] = Field(
        description="Customers an earlier merge absorbed into this one, every stored field."
    )
    records: dict[str, list[dict[str, Any]]] = Field(
        description="Every row of every other table that names the customer (or one merged "
        "into it), by table: source-system references, e-mail and phone identifiers, linked "
        "web/app visitors, orders, returns, identity conflicts, merges."
    )
    erasure: ErasureStatus | None = Field(
        description="The customer's erasure, if it has been erased."
    )
