"""Next best actions as the API shows them, and reported outcomes."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["done", "declined", "no_answer", "postponed"]
ActionStatus = Literal["open", "done", "declined", "no_answer", "postponed"]


class ActionRead(BaseModel):
    action_id: str = Field(description="Id of the action.")
    customer_id: str = Field(description="Canonical customer id.")
    action_type: str = Field(
        description="retention_call, retention_offer, cross_sell_offer or move_to_self_service."
    )
    title: str = Field(description="What to do.")
    reason: str = Field(description="Why: segment, stage, value, and any consent fallback.")
    channel: str = Field(description="Channel to act through, as consent permits.")
    owner_rep: str | None = Field(description="Rep expected to act; null for central teams.")
    due_at: datetime = Field(description="By when (UTC).")
    priority: int = Field(description="1 = most urgent.")
    thrust: str | None = Field(description="Thrust of the customer's strategic segment.")
    segment: str | None = Field(description="The customer's strategic segment.")
    status: ActionStatus = Field(
        description="open, or the last outcome reported: done, declined (final), no_answer, "
        "postponed."
    )
    recommended_at: datetime = Field(description="When it was recommended (UTC).")
    outcome_at: datetime | None = Field(description="When the last outcome happened (UTC).")
    outcome_by: str | None = Field(description="API key that reported it.")
    note: str | None = Field(description="Remark reported with the outcome.")


class ActionList(BaseModel):
    items: list[ActionRead] = Field(description="Actions, most urgent and oldest first.")


class OutcomeWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome = Field(
        description="done or declined (the customer was reached: counts for treatment "
        "coverage, final), no_answer or postponed (the action stays to do)."
    )
    occurred_at: datetime | None = Field(
        default=None, description="When it happened (with time zone); default now."
    )
    note: str | None = Field(default=None, max_length=2000, description="Remark kept.")
