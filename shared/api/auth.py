"""API keys: hashed at rest, compared in constant time, mapped to a principal with scopes."""

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

ALL_DEPARTMENTS = ("sales", "marketing", "service", "finance")
DEPARTMENT_SCOPES: dict[str, tuple[str, ...]] = {
    # Sales management edits the segment profiles the departments then approve.
    "sales": ("customers:read", "pii:read", "financials:read", "approve:sales", "strategy:write"),
    "marketing": ("customers:read", "approve:marketing"),
    "service": ("customers:read", "pii:read", "approve:service"),
    "finance": ("customers:read", "financials:read", "approve:finance"),
}


@dataclass(frozen=True)
class Principal:
    name: str
    department: str
    scopes: frozenset[str] = field(default_factory=frozenset)

    def has(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes


@dataclass(frozen=True)
class _StoredKey:
    key_hash: bytes
    principal: Principal


def hash_key(plain: str) -> str:
    return "sha256:" + hashlib.sha256(plain.encode()).hexdigest()


class ApiKeyStore:
    """Keys from a JSON file; reloaded when the file changes, so keys rotate without restart."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._keys: list[_StoredKey] = []
        self._broken_mtime: float | None = None

    def authenticate(self, plain: str) -> Principal | None:
        candidate = hashlib.sha256(plain.encode()).digest()
        match: Principal | None = None
        # Compare against every key, never stopping early, so timing tells nothing.
        for stored in self._current_keys():
            if hmac.compare_digest(candidate, stored.key_hash):
                match = stored.principal
        return match

    def _current_keys(self) -> list[_StoredKey]:
        try:
            mtime = self._path.stat().st_mtime
        except FileNotFoundError:
            return []
        with self._lock:
            if mtime != self._mtime:
                if mtime == self._broken_mtime:
                    return self._keys
                try:
                    self._keys = load_key_file(self._path)
                except ValueError:
                    self._broken_mtime = mtime
                    # A half-written or broken file must not lock everybody out: keep the
                    # keys that were valid and try the file again on the next request.
                    log.exception(
                        "API key file %s is invalid; keeping the previous keys", self._path
                    )
                    return self._keys
                self._mtime = mtime
            return self._keys


def load_key_file(path: Path) -> list[_StoredKey]:
    """Parse a key file; ValueError naming the entry when anything is wrong."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not readable JSON: {error}") from None
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: needs a 'keys' list in a JSON object")
    return [_parse_entry(index, entry) for index, entry in enumerate(entries)]


def _parse_entry(index: int, entry: object) -> _StoredKey:
    if not isinstance(entry, dict):
        raise ValueError(f"key #{index}: must be an object")
    missing = [f for f in ("name", "department", "key_hash") if not isinstance(entry.get(f), str)]
    if missing:
        raise ValueError(f"key #{index}: missing or not text: {', '.join(missing)}")
    algorithm, _, digest = entry["key_hash"].partition(":")
    try:
        key_hash = bytes.fromhex(digest)
    except ValueError:
        key_hash = b""
    if algorithm != "sha256" or len(key_hash) != 32:
        raise ValueError(f"key {entry['name']!r}: key_hash must be sha256:<64 hex digits>")
    scopes = entry.get("scopes", [])
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ValueError(f"key {entry['name']!r}: scopes must be a list of text")
    principal = Principal(entry["name"], entry["department"], frozenset(scopes))
    return _StoredKey(key_hash, principal)


def dev_key_specs() -> list[Principal]:
    """The keys the dev launcher creates: admin, one per department, one integration."""
    principals = [Principal("admin", "admin", frozenset({"admin"}))]
    for department in ALL_DEPARTMENTS:
        principals.append(
            Principal(department, department, frozenset(DEPARTMENT_SCOPES[department]))
        )
    principals.append(Principal("integration", "integration", frozenset({"events:write"})))
    return principals


def write_key_file(path: Path, principals: list[Principal]) -> dict[str, str]:
    """Create fresh keys for `principals`, store their hashes, return the plain keys once."""
    plain = {p.name: f"kc_{p.name}_{secrets.token_urlsafe(24)}" for p in principals}
    document = {
        "keys": [
            {
                "name": p.name,
                "department": p.department,
                "scopes": sorted(p.scopes),
                "key_hash": hash_key(plain[p.name]),
            }
            for p in principals
        ]
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Created readable by the owner only, never world-readable even for a moment.
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps(document, indent=2) + "\n")
    tmp.replace(path)
    return plain
