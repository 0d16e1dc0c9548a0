"""Profiles' HTTP entry points: they parse, delegate and translate; no rules here."""

from collections import Counter
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from services.profiles.ingestion import Ingestion
from services.profiles.merge_api import merges_router
from services.profiles.repository import CustomerRepository
from services.profiles.schemas import CustomerPage, CustomerView360, IngestResponse
from services.profiles.view import customer_summary, customer_view
from services.profiles.view_repository import CustomerFilter, ViewRepository
from shared.api.app import create_app
from shared.api.auth import Principal
from shared.api.deps import CustomerIdPath, require
from shared.api.problems import PROBLEM_CONTENT_TYPE, Problem
from shared.events.inbound import InboundEvent
from shared.events.segments import LifecycleStage, PotentialTier, ValueTier
from shared.events.steering import Thrust
from shared.json_codec import dumps, loads
from shared.logs import request_id_var
from shared.runtime import Runtime

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/ndjson")

EVENTS_BODY = {
    "requestBody": {
        "required": True,
        "description": "A JSON array of events, or one event per line as NDJSON.",
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": InboundEvent.model_json_schema()}
            },
            "application/x-ndjson": {"schema": InboundEvent.model_json_schema()},
        },
    }
}


JSON_NUL = b"\\u0000"


def parse_events(body: bytes, content_type: str, limit: int) -> list[Any]:
    """The posted items; 400 for malformed JSON, 422 for a non-array, 413 past the limit."""
    try:
        if content_type.split(";", maxsplit=1)[0].strip() in NDJSON_TYPES:
            lines = [line for line in body.decode().splitlines() if line.strip()]
            items = [loads(line) for line in lines]
        else:
            items = loads(body)
    except (ValueError, RecursionError) as error:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors; so are integers longer than
        # Python parses, and absurd nesting is a RecursionError: all malformed input.
        raise HTTPException(400, f"body is not valid JSON: {str(error)[:200]}") from None
    if not isinstance(items, list):
        raise HTTPException(422, "expected a JSON array of events (or NDJSON lines)")
    if not items:
        raise HTTPException(422, "the request holds no events")
    if len(items) > limit:
        raise HTTPException(413, f"{len(items)} events in one request; at most {limit}")
    return items


def events_router(ingestion: Ingestion, max_batch: int) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["ingestion"])

    @router.post(
        "/events",
        response_model=IngestResponse,
        openapi_extra=EVENTS_BODY,
        responses={422: {"model": IngestResponse, "description": "Every event rejected."}},
    )
    async def post_events(
        request: Request, _: Annotated[Principal, Depends(require("events:write"))]
    ) -> Response:
        """Ingest a batch of source-system events; each gets its own outcome."""
        raw = await request.body()
        items = parse_events(raw, request.headers.get("content-type", ""), max_batch)
        # JSON can only write a NUL character as the escape \u0000 (raw control characters
        # are refused by the parser): without one in the body, no item holds a NUL.
        nul_free = JSON_NUL not in raw
        results = await run_in_threadpool(ingestion.ingest, items, len(raw), nul_free)
        # Built as plain data: the outcomes are already validated, and a thousand model
        # instances per request would cost more than storing the events.
        counts = Counter(r.status for r in results)
        body = {
            "accepted": counts["accepted"],
            "duplicates": counts["duplicate"],
            "rejected": counts["rejected"],
            "results": results,  # dataclasses, which orjson writes as objects
        }
        status = 422 if counts["rejected"] == len(results) else 200
        return Response(dumps(body), status_code=status, media_type="application/json")

    return router


GONE_RESPONSES: dict[int | str, dict[str, Any]] = {
    410: {
        "model": Problem,
        "content": {PROBLEM_CONTENT_TYPE: {}},
        "description": "The customer was merged into another one, named in `merged_into`.",
    }
}


LIST_PARAMETERS = frozenset(
    (
        "rep",
        "region",
        "kind",
        "consent",
        "provisional",
        "segment",
        "lifecycle_stage",
        "thrust",
        "value_tier",
        "potential_tier",
        "churn_risk_above",
        "cursor",
        "limit",
    )
)


def gone(request: Request, customer_id: str, survivor_id: str) -> JSONResponse:
    """410 for a customer a merge absorbed, naming the survivor (an RFC 9457 extension)."""
    problem = Problem(
        title="Gone",
        status=410,
        detail=f"customer {customer_id} was merged into {survivor_id}",
        instance=request.url.path,
        request_id=request_id_var.get(),
    )
    return JSONResponse(
        {**problem.model_dump(exclude_none=True), "merged_into": survivor_id},
        status_code=410,
        media_type=PROBLEM_CONTENT_TYPE,
    )


def view_response(view: CustomerView360) -> Response:
    """The view as JSON, serialised once: it was validated as it was built, and the default
    response handling would validate and encode it again (a third of a view's time)."""
    return Response(view.model_dump_json(), media_type="application/json")


def customers_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["customers"])

    # Declared before /customers/{customer_id}, which would otherwise take "lookup" for an id.
    @router.get("/customers/lookup", response_model=CustomerView360)
    def lookup_customer(
        system: Annotated[
            str, Query(min_length=1, max_length=64, description="Source system, e.g. crm.")
        ],
        external_id: Annotated[
            str,
            Query(
                alias="id", min_length=1, max_length=200, description="Customer id in that system."
            ),
        ],
        principal: Annotated[Principal, Depends(require("customers:read"))],
    ) -> Response:
        """The customer a source system's id belongs to (the survivor, if it was merged)."""
        with runtime.read_session_factory() as session:
            found = CustomerRepository(session).by_reference((system, external_id))
            rows = ViewRepository(session).customer(found.customer_id) if found else None
            if rows is None:
                raise HTTPException(404, f"no customer has the {system} id {external_id}")
            return view_response(customer_view(session, rows, principal))

    @router.get("/customers", response_model=CustomerPage)
    def list_customers(
        *,
        request: Request,
        principal: Annotated[Principal, Depends(require("customers:read"))],
        rep: Annotated[
            str | None, Query(max_length=100, description="Responsible sales rep (owner_rep).")
        ] = None,
        region: Annotated[str | None, Query(max_length=100, description="Sales region.")] = None,
        kind: Annotated[
            Literal["person", "organization"] | None, Query(description="Kind of customer.")
        ] = None,
        consent: Annotated[
            Literal["email", "phone", "post", "messaging"] | None,
            Query(description="Only customers who granted consent on this channel."),
        ] = None,
        provisional: Annotated[
            bool | None, Query(description="Only provisional (true) or confirmed (false).")
        ] = None,
        segment: Annotated[
            str | None,
            Query(
                max_length=100,
                pattern=r"^[A-Za-z0-9._-]+$",
                description="Strategic segment the customer is assigned to.",
            ),
        ] = None,
        lifecycle_stage: Annotated[
            LifecycleStage | None, Query(description="Lifecycle stage.")
        ] = None,
        thrust: Annotated[Thrust | None, Query(description="Thrust of the segment.")] = None,
        value_tier: Annotated[ValueTier | None, Query(description="Value tier.")] = None,
        potential_tier: Annotated[
            PotentialTier | None, Query(description="Potential tier.")
        ] = None,
        churn_risk_above: Annotated[
            float | None,
            Query(ge=0, le=1, description="Only customers whose churn risk is above this."),
        ] = None,
        cursor: Annotated[
            str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="Customers per page.")] = 50,
    ) -> CustomerPage:
        """Customers by id (time-ordered, so stable across pages), filtered and paged.

        The segment filters (segment, lifecycle stage, thrust, tiers, churn risk) match the
        latest assignment segmentation published; customers it has not assigned yet match
        none of them. Unknown parameters are refused (422) rather than ignored. A person's
        name is null without `pii:read`.
        """
        unknown = sorted(set(request.query_params) - LIST_PARAMETERS)
        if unknown:
            raise HTTPException(422, f"unsupported query parameter: {', '.join(unknown)}")
        where = CustomerFilter(
            rep=rep,
            region=region,
            kind=kind,
            consent=consent,
            provisional=provisional,
            segment=segment,
            lifecycle_stage=lifecycle_stage,
            thrust=thrust,
            value_tier=value_tier,
            potential_tier=potential_tier,
            churn_risk_above=churn_risk_above,
        )
        with runtime.read_session_factory() as session:
            rows = ViewRepository(session).customers(where, cursor, limit + 1)
        page = [customer_summary(row, principal) for row in rows[:limit]]
        next_cursor = page[-1].customer_id if len(rows) > limit else None
        return CustomerPage(items=page, next_cursor=next_cursor)

    @router.get(
        "/customers/{customer_id}", response_model=CustomerView360, responses=GONE_RESPONSES
    )
    def get_customer(
        request: Request,
        customer_id: CustomerIdPath,
        principal: Annotated[Principal, Depends(require("customers:read"))],
    ) -> Response:
        """The 360° view of one customer; 410 once merged into another.

        Identity, attributes and consents, the value from its orders and returns, and the
        segment, strategy, experience and next best actions parts, each with the event it
        reflects (`as_of`) and marked `pending` until the owning service has delivered it.
        Personal data is null without `pii:read`, financial figures without
        `financials:read` (listed in `value.masked`).
        """
        with runtime.read_session_factory() as session:
            rows = ViewRepository(session).customer(customer_id)
            if rows is None:
                raise HTTPException(404, f"customer {customer_id} is not known")
            if rows.customer["merged_into"] is not None:
                return gone(request, customer_id, rows.customer["merged_into"])
            return view_response(customer_view(session, rows, principal))

    return router


def build_app(runtime: Runtime, ingestion: Ingestion) -> FastAPI:
    return create_app(
        runtime.settings,
        title="Kundencockpit profiles",
        description="Ingestion of CRM, shop and POS events, identity resolution and the "
        "customer view every department reads.",
        routers=[
            events_router(ingestion, runtime.settings.max_batch_events),
            customers_router(runtime),
            merges_router(runtime),
        ],
        readiness=runtime.readiness(),
        key_store=runtime.key_store(),
    )
