"""FastAPI dependencies shared by the services: authentication and scope checks."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from shared.api.auth import ApiKeyStore, Principal

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The API key.")


# Both dependencies are coroutines: they do not block, and a plain function would be run in the
# thread pool, a hand-over to another thread and back on every request.
async def authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key_header)],
) -> Principal:
    """The caller, from `Authorization: Bearer <key>` or `X-API-Key`; 401 otherwise."""
    plain = bearer.credentials if bearer is not None else api_key
    challenge = {"WWW-Authenticate": 'Bearer realm="kundencockpit"'}
    if not plain:
        raise HTTPException(401, "an API key is required", headers=challenge)
    store: ApiKeyStore = request.app.state.key_store
    principal = store.authenticate(plain)
    if principal is None:
        raise HTTPException(401, "the API key is not valid", headers=challenge)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require(*scopes: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the caller through only with every one of `scopes`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        missing = [scope for scope in scopes if not principal.has(scope)]
        if missing:
            raise HTTPException(403, f"the API key lacks the scope {', '.join(missing)}")
        return principal

    return check


CustomerIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Canonical customer id.",
    ),
]
