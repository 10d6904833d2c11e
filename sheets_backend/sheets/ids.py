"""How logs name a spreadsheet: a short hash, never the id itself (an id is a capability to a
class's grades). The service's request logs and the local service's logs use the same one."""

from __future__ import annotations

import hashlib


def sheet_hash(spreadsheet_id: str) -> str:
    """The first 12 hex digits of the id's SHA-256: stable across processes, not reversible."""
    return hashlib.sha256(spreadsheet_id.encode()).hexdigest()[:12]
