"""Dev API keys: hashed in var/api-keys.json, plain in var/devstack.json, kept across runs."""

import json
from pathlib import Path

from shared.api.auth import dev_key_specs, write_key_file


def dev_keys(var: Path) -> dict[str, str]:
    """The plain dev keys; created (with the hashed key file) when either file is missing."""
    key_file = var / "api-keys.json"
    state_file = var / "devstack.json"
    if key_file.exists() and state_file.exists():
        keys = json.loads(state_file.read_text()).get("api_keys")
        if isinstance(keys, dict) and keys:
            return {str(name): str(key) for name, key in keys.items()}
    return write_key_file(key_file, dev_key_specs())
