"""API keys: hashed at rest, compared in constant time, mapped to a principal with scopes."""

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

ALL_DEPARTMENTS = ("sales", "marketing", "service", "finance")
DEPARTMENT_SCOPES: dict[str, tuple[str, ...]] = {
    "sales": ("customers:read", "pii:read", "financials:read", "approve:sales"),
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
                self._keys = _parse(json.loads(self._path.read_text()))
                self._mtime = mtime
            return self._keys


def _parse(document: dict[str, object]) -> list[_StoredKey]:
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError("API key file needs a 'keys' list")
    keys = []
    for entry in entries:
        algorithm, _, digest = str(entry["key_hash"]).partition(":")
        if algorithm != "sha256" or len(digest) != 64:
            raise ValueError(f"key {entry.get('name')!r}: key_hash must be sha256:<64 hex>")
        principal = Principal(
            name=str(entry["name"]),
            department=str(entry["department"]),
            scopes=frozenset(str(s) for s in entry.get("scopes", [])),
        )
        keys.append(_StoredKey(bytes.fromhex(digest), principal))
    return keys


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
    tmp.write_text(json.dumps(document, indent=2) + "\n")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return plain
