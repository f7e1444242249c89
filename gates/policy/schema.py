"""The JSON Schema of ``policy.yaml``, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from gates.policy.model import Policy

SCHEMA_ID = "https://raw.githubusercontent.com/ml-gates/ml-gates/main/docs/policy.schema.json"


def policy_schema() -> dict[str, Any]:
    schema = Policy.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def policy_schema_text() -> str:
    return json.dumps(policy_schema(), indent=2, sort_keys=True) + "\n"


SCHEMA_FILES = ("gates/policy/policy.schema.json", "docs/policy.schema.json")


def main() -> None:
    """Regenerate the committed schema files: ``python -m gates.policy.schema``."""
    from pathlib import Path

    from gates.fsutil import atomic_write_text

    root = Path(__file__).resolve().parents[2]
    for relative in SCHEMA_FILES:
        atomic_write_text(root / relative, policy_schema_text())
        print(f"wrote {relative}")


if __name__ == "__main__":
    main()
