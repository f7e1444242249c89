"""Links into ml-gates' own repository, at the tag of the installed version.

A help link or a schema URL on ``main`` drifts from the code that printed it: the rule
page can change, the schema can gain a key the installed version rejects. Every link
therefore names the release tag (``vX.Y.Z``, see docs/releasing.md) of ``__version__``.
"""

from __future__ import annotations

from gates import __version__

REPOSITORY = "ml-gates/ml-gates"
REPOSITORY_URL = f"https://github.com/{REPOSITORY}"
TAG = f"v{__version__}"


def blob_url(path: str) -> str:
    """The page GitHub renders for ``path`` (e.g. ``docs/rules/MS101.md``) at this release."""
    return f"{REPOSITORY_URL}/blob/{TAG}/{path}"


def raw_url(path: str) -> str:
    """The raw file at this release (for JSON Schema ``$id`` and editor modelines)."""
    return f"https://raw.githubusercontent.com/{REPOSITORY}/{TAG}/{path}"


RULES_DOCS = blob_url("docs/rules")
POLICY_SCHEMA_URL = raw_url("docs/policy.schema.json")
REPORT_SCHEMA_URL = raw_url("gates/report/report.schema.json")


def gate_docs_url(gate: str) -> str:
    return blob_url(f"docs/gates/{gate}.md")
