"""Keeps the KPI aggregates current from orders, returns, contacts, assignments and journeys.

Handlers add deltas to the batch (aggregate_batch), which is written before it commits. An
event dated in a closed month counts in the next open month and as a late event there. A
replaced order is taken back where it was counted.
"""

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from services.steering import activity, aggregate_batch, aggregate_store, merge_journal
from services.steering.aggregate_batch import AggregateBatch, load_flags, load_orders
from services.steering.customer_context import Customer, load_customers, rep_segment
from services.steering.domain import contributions as c
from services.steering.domain.periods import enclosing, month_of, open_month
from shared.events.common import field_value
from shared.events.customers import CustomerMerged, CustomerSnapshot, CustomerUnmerged
from shared.events.envelope import CloudEvent
from shared.events.journeys import JourneyStageChanged
from shared.events.orders import OrderPlaced, OrderReturned
from shared.events.segments import SegmentAssigned
from shared.events.touchpoints import TouchpointRecorded

CLOSED = {"converted": "journeys_converted", "abandoned": "journeys_abandoned"}
MOVED_OUT, MOVED_IN = {"contacted_customers": -1}, {"contacted_customers": 1}
PERSONAL_CHANNELS = frozenset({"field_visit", "phone", "email", "chat", "letter", "store"})


class AggregateWriter:
    def _batch(self, session: Session) -> AggregateBatch:
        return aggregate_batch.batch_of(session, self._finish)

    def _customer(self, session: Session, customer_id: str) -> Customer:
        known = self._batch(session).customers
        customer = known.get(customer_id)
        if customer is None:
            customer = load_customers(session, known, {customer_id})[customer_id]
        return customer

    def customer(self, session: Session, customer_id: str) -> Customer:
        """The customer as the batch knows it (region, owner rep, assignment)."""
        return self._customer(session, customer_id)

    def prepare(self, session: Session, events: list[tuple[CloudEvent, Any]]) -> None:
        """Load every customer and order a batch mentions, a few queries for all of them."""
        batch = self._batch(session)
        ids = {field_value(p, "customer_id") for _, p in events}
        load_customers(session, batch.customers, {i for i in ids if i})
        keys = {(p.source_system, p.order_id) for _, p in events if field_value(p, "order_id")}
        load_orders(session, batch, keys)
        moments = [moment for _, p in events if (moment := _moment(p)) is not None]
        months = {open_month(month_of(moment), batch.closed) for moment in moments}
        periods = {period for month in months for period in enclosing(month)}
        load_flags(session, batch, {i for i in ids if i}, periods)

    def _month(self, batch: AggregateBatch, moment: datetime) -> tuple[str, dict[str, int]]:
        month = month_of(moment)
        counted = open_month(month, batch.closed)
        return counted, ({"late_events": 1} if counted != month else {})

    def apply_order(self, session: Session, event: CloudEvent, order: OrderPlaced) -> None:
        batch = self._batch(session)
        key = (order.source_system, order.order_id)
        if key not in batch.orders:
            load_orders(session, batch, {key})
        previous = batch.orders[key]
        if previous is not None and event.time < previous["event_time"]:
            return  # an older version of an order already replaced
        customer = self._customer(session, order.customer_id)
        context = customer.context(batch.terms.targets)
        if previous is not None:
            self._take_back(batch, previous)
        amounts = c.OrderAmounts(
            revenue=c.units(order.net_revenue),
            cost_of_goods=c.units(order.cost_of_goods),
            discounts=c.units(order.discount),
            direct_costs=c.units(order.shipping_cost) + c.units(order.other_direct_costs),
        )
        month, late = self._month(batch, order.ordered_at)
        members = customer.members(order.channel, order.sales_rep)
        batch.add(month, members, {**amounts.measures(context), **late})
        day = _day(order.ordered_at)
        known = customer.facts.get("first_order_day") if customer.facts is not None else None
        # History imported after later orders: the older order makes the customer new.
        first = known is None or day < known
        if first:
            customer.update(first_order_day=day)
        wanted = c.ORDERED | (c.UNPROFITABLE_SERVED if context.unprofitable else 0)
        if previous is None:
            batch.count_distinct(
                session, customer.customer_id, members, month, wanted=wanted, first=first
            )
            if known is not None and first:
                self._no_longer_new(session, batch, customer.customer_id, known, month)
        batch.orders[key] = {
            "source_system": order.source_system,
            "order_id": order.order_id,
            "customer_id": order.customer_id,
            "month": month,
            "members": members,
            "figures": {
                **amounts.__dict__,
                "target": context.target_segment,
                "unprofitable": context.unprofitable,
            },
            "event_time": event.time,
            "stored": previous.get("stored", False) if previous is not None else False,
            "dirty": True,
        }

    def _no_longer_new(
        self, session: Session, batch: AggregateBatch, customer_id: str, former_day: int, month: str
    ) -> None:
        """The customer counted as new in the periods of its former first order; an older
        order came: it is new in this order's periods instead, where they differ."""
        former = open_month(
            month_of(datetime.combine(date.fromordinal(former_day), time(), UTC)), batch.closed
        )
        members = _members_in(batch, customer_id, former) or aggregate_store.order_members(
            session, customer_id, former
        )
        if members is None:
            members = self._customer(session, customer_id).members(None, None)
        for then, now in zip(enclosing(former), enclosing(month), strict=True):
            if then != now:
                batch.add_to_period(then, members, {"new_customers": -1})

    def _take_back(self, batch: AggregateBatch, previous: dict[str, Any]) -> None:
        figures = dict(previous["figures"])
        context = c.CustomerContext(
            target_segment=figures.pop("target"),
            value_tier="negative" if figures.pop("unprofitable") else None,
        )
        amounts = c.OrderAmounts(**figures)
        month = open_month(previous["month"], batch.closed)
        late = {"late_events": 1} if month != previous["month"] else {}
        batch.add(month, previous["members"], {**amounts.measures(context, -1), **late})

    def apply_return(self, session: Session, event: CloudEvent, returned: OrderReturned) -> None:
        batch = self._batch(session)
        key = (returned.source_system, returned.order_id)
        if key not in batch.orders:
            load_orders(session, batch, {key})
        order = batch.orders[key]
        customer = self._customer(session, returned.customer_id)
        if returned.lines:
            credited = sum(c.units(line.net_revenue) for line in returned.lines)
            recovered = sum(c.units(line.cost_of_goods) for line in returned.lines)
        else:
            credited, recovered = c.units(returned.amount), 0
        handling = (
            c.units(returned.handling_cost)
            if returned.handling_cost is not None
            else batch.terms.rates.get(c.RETURN_HANDLING, 0)
        )
        context = customer.context(batch.terms.targets)
        measures = c.return_measures(credited, recovered, handling, context)
        month, late = self._month(batch, returned.returned_at)
        channel = order["members"]["channel"] if order is not None else None
        batch.add(month, customer.members(channel, None), {**measures, **late})

    def apply_touchpoint(
        self, session: Session, event: CloudEvent, touchpoint: TouchpointRecorded
    ) -> None:
        if touchpoint.customer_id is None:
            return  # an anonymous visit is attributable to nobody yet
        batch = self._batch(session)
        customer = self._customer(session, touchpoint.customer_id)
        context = customer.context(batch.terms.targets)
        cost = c.contact_cost(
            batch.terms.rates,
            touchpoint.channel,
            touchpoint.touchpoint_type,
            c.units(touchpoint.cost) if touchpoint.cost is not None else None,
        )
        month, late = self._month(batch, touchpoint.occurred_at)
        members = customer.members(touchpoint.channel, touchpoint.rep)
        batch.add(
            month,
            members,
            {**c.contact_measures(cost, touchpoint.csat, touchpoint.nps, context), **late},
        )
        personal = touchpoint.direction == "outbound" or touchpoint.channel in PERSONAL_CHANNELS
        wanted = (c.CONTACTED if personal else 0) | (
            c.UNPROFITABLE_SERVED if context.unprofitable else 0
        )
        if wanted:
            batch.count_distinct(session, customer.customer_id, members, month, wanted=wanted)

    def apply_contact(self, session: Session, customer_id: str, moment: datetime) -> None:
        """A reported action outcome: the customer got the contact its treatment prescribes."""
        batch = self._batch(session)
        customer = self._customer(session, customer_id)
        month, _ = self._month(batch, moment)
        members = customer.members("action", None)
        batch.count_distinct(session, customer_id, members, month, wanted=c.CONTACTED)

    def apply_assignment(
        self, session: Session, event: CloudEvent, assigned: SegmentAssigned
    ) -> None:
        batch = self._batch(session)
        customer = self._customer(session, assigned.customer_id)
        before = customer.context(batch.terms.targets)
        lapse = c.lapse_measures(before, assigned.lifecycle_stage)
        if lapse:
            month, late = self._month(batch, assigned.as_of)
            batch.add(month, customer.members(None, None), {**lapse, **late})
        self._restate(batch, customer, -1)
        previous_segment = customer.members(None, None)["segment"]
        customer.update(
            strategic_segment=assigned.strategic_segment,
            thrust=assigned.thrust,
            value_tier=assigned.value_tier,
            potential_tier=assigned.potential_tier,
            lifecycle_stage=assigned.lifecycle_stage,
            clv=c.units(assigned.clv),
            share_of_wallet_gap=c.units(assigned.share_of_wallet_gap),
            contribution_margin_3_12m=c.units(assigned.contribution_margin_3_12m),
            assigned_at=assigned.as_of,
        )
        self._restate(batch, customer, +1)
        if previous_segment != assigned.strategic_segment:
            self._move_contacts(session, batch, customer, previous_segment, assigned.as_of)

    def _move_contacts(
        self,
        session: Session,
        batch: AggregateBatch,
        customer: Customer,
        previous_segment: str,
        moment: datetime,
    ) -> None:
        """A customer contacted in the running periods counts as contacted in its new
        segment there, so that treatment coverage compares the segment's customers with
        those of them contacted (never more contacted than assigned)."""
        month, _ = self._month(batch, moment)
        segment = customer.members(None, None)["segment"]
        for period in enclosing(month):
            flags = batch.periods.get((customer.customer_id, period))
            if flags is None:
                load_flags(session, batch, {customer.customer_id}, {period})
                flags = batch.periods[(customer.customer_id, period)]
            if flags[1] > 0 and flags[1] & c.CONTACTED:
                batch.add_to_period(period, {"segment": previous_segment}, MOVED_OUT)
                batch.add_to_period(period, {"segment": segment}, MOVED_IN)

    def apply_snapshot(
        self, session: Session, event: CloudEvent, snapshot: CustomerSnapshot
    ) -> None:
        """A customer's region or rep changed: its current state counts under the new ones."""
        batch = self._batch(session)
        customer = self._customer(session, snapshot.customer_id)
        if (customer.region, customer.owner_rep) == (snapshot.region, snapshot.owner_rep):
            return
        self._restate(batch, customer, -1)
        customer.region, customer.owner_rep = snapshot.region, snapshot.owner_rep
        if customer.facts is not None:
            customer.update(region=snapshot.region, owner_rep=snapshot.owner_rep)
        self._restate(batch, customer, +1)

    def _restate(self, batch: AggregateBatch, customer: Customer, sign: int) -> None:
        facts = customer.facts
        if facts is None or facts.get("strategic_segment") is None:
            return
        if sign > 0:
            customer.update(region=customer.region, owner_rep=customer.owner_rep)
            facts = customer.facts
            assert facts is not None
        rep = facts.get("owner_rep") or "unassigned"
        members = {
            "all": "all",
            "segment": facts["strategic_segment"],
            "region": facts.get("region") or "unknown",
            "rep": rep,
            "rep_segment": rep_segment(rep, facts["strategic_segment"]),
        }
        measures = c.state_measures(
            facts["lifecycle_stage"],
            facts["value_tier"],
            clv=int(facts["clv"]),
            gap=int(facts["share_of_wallet_gap"]),
            margin=int(facts["contribution_margin_3_12m"]),
            sign=sign,
        )
        batch.add_state(members, measures)

    def apply_journey(
        self, session: Session, event: CloudEvent, journey: JourneyStageChanged
    ) -> None:
        """A journey counts once as converted or abandoned, when its status becomes so; a
        journey no longer abandoned (reopened, or rebuilt by a late contact) or no longer
        converted takes that count back."""
        if journey.status == journey.previous_status:
            return  # a later stage of a journey already counted (or still open)
        counted = {
            CLOSED[status]: sign
            for status, sign in ((journey.previous_status, -1), (journey.status, 1))
            if status in CLOSED
        }
        if not counted:
            return
        batch = self._batch(session)
        customer = self._customer(session, journey.customer_id)
        month, late = self._month(batch, journey.entered_at)
        batch.add(month, customer.members(journey.channel, None), {**counted, **late})

    def apply_merge(self, session: Session, event: CloudEvent, merged: CustomerMerged) -> None:
        """Write what is pending; the absorbed customers' state and period flags go, their
        orders go to the survivor, and the journal keeps what moved for an unmerge."""
        self.write_pending(session)
        batch = self._batch(session)
        absorbed = sorted(set(merged.absorbed_ids) - {merged.survivor_id})
        load_customers(session, batch.customers, set(absorbed))
        for customer_id in absorbed:
            self._restate(batch, batch.customers.pop(customer_id), -1)
        self.write_pending(session)
        # Out of the state, so the absorbed customers' assignments must not be taken out
        # again when one of them is restored and assigned anew.
        aggregate_store.forget_facts(session, absorbed)
        merge_journal.record(session, merged.merge_id, absorbed, event.time)
        aggregate_store.rekey_periods(session, absorbed, merged.survivor_id)
        activity.rebuild(session, [merged.survivor_id, *absorbed])
        aggregate_store.rekey_orders(session, absorbed, merged.survivor_id)
        batch.customers.pop(merged.survivor_id, None)
        batch.forget_periods({merged.survivor_id, *absorbed})

    def apply_unmerge(
        self, session: Session, event: CloudEvent, unmerged: CustomerUnmerged
    ) -> None:
        """Give the restored customer back the orders and period flags the merge took; its
        state returns with its next segment assignment."""
        self.write_pending(session)
        if merge_journal.give_back(
            session, unmerged.merge_id, unmerged.survivor_id, unmerged.restored_id
        ):
            activity.rebuild(session, [unmerged.restored_id])
        batch = self._batch(session)
        batch.customers.pop(unmerged.restored_id, None)
        batch.customers.pop(unmerged.survivor_id, None)
        batch.forget_periods({unmerged.restored_id, unmerged.survivor_id})

    def forget(self, session: Session, event: CloudEvent, payload: Any) -> None:
        """Before an erasure: take the customer's state out and write what is pending."""
        batch = self._batch(session)
        customer = self._customer(session, payload.customer_id)
        self._restate(batch, customer, -1)
        self.write_pending(session)
        batch.customers.pop(payload.customer_id, None)

    def write_pending(self, session: Session) -> None:
        aggregate_batch.write(session, self._batch(session))

    def _finish(self, session: Session) -> None:
        aggregate_batch.write(session, aggregate_batch.current_batch(session))


def _members_in(batch: AggregateBatch, customer_id: str, month: str) -> dict[str, str] | None:
    """The members of one of the customer's orders counted in `month` this batch."""
    for order in batch.orders.values():
        if order is not None and (order["customer_id"], order["month"]) == (customer_id, month):
            return order["members"]  # type: ignore[no-any-return]
    return None


def _day(moment: datetime) -> int:
    return moment.astimezone(UTC).date().toordinal()


def _moment(payload: Any) -> datetime | None:
    for name in ("ordered_at", "occurred_at", "returned_at", "as_of"):
        if (moment := field_value(payload, name)) is not None:
            return moment  # type: ignore[no-any-return]
    return None
