"""Drive v3 permissions: who may open a file, granted directly or inherited from its folders."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sheets_backend.sheets.local.errors import ApiError
from sheets_backend.sheets.local.fields import parse_mask, select

ROLES = ("reader", "commenter", "writer", "fileOrganizer", "organizer", "owner")
GRANTABLE = frozenset({"reader", "commenter", "writer"})
TYPES = frozenset({"user", "group", "domain", "anyone"})
DEFAULT_FIELDS = ("kind", "id", "type", "role")  # what Drive returns without `fields`


@dataclass(frozen=True)
class Grant:
    """A direct permission on one file (inherited access is worked out, never stored)."""

    type: str
    role: str
    email: str = ""
    domain: str = ""

    @property
    def id(self) -> str:
        return permission_id(self.type, self.email or self.domain)

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Grant:
        return cls(str(data["type"]), str(data["role"]), str(data.get("email", "")),
                   str(data.get("domain", "")))


def permission_id(kind: str, who: str) -> str:
    """Drive's permission id names the grantee, not the file: the same person has the same id on
    every file (a 20-digit number for people, `anyoneWithLink` for a link)."""
    if kind == "anyone":
        return "anyoneWithLink"
    digest = hashlib.sha256(f"{kind}:{who.casefold()}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big")).rjust(20, "0")[:20]


def drive_error(code: int, message: str, reason: str, location: str | None = None,
                location_type: str = "parameter") -> ApiError:
    """Drive's error envelope: `{"error": {"code", "message", "errors": [{..., "reason"}]}}`."""
    entry = {"message": message, "domain": "global", "reason": reason}
    if location:
        entry.update(location=location, locationType=location_type)
    return ApiError(code, message, errors=[entry])


def permission_not_found(pid: str) -> ApiError:
    return drive_error(404, f"Permission not found: {pid}.", "notFound", "permissionId")


def grant_from_request(body: Mapping[str, Any], params: Mapping[str, Any]) -> Grant:
    """A `permissions.create` body as a Grant, with Drive's errors for what it refuses."""
    kind, role = body.get("type"), body.get("role")
    for name, value in (("type", kind), ("role", role)):
        if not value:
            raise drive_error(400, f"The permission {name} field is required.", "required",
                         f"permission.{name}", "other")
    if kind not in TYPES:
        raise drive_error(400, "Invalid Value", "invalid", "permission.type", "other")
    if role == "owner" and str(params.get("transferOwnership", "")).lower() != "true":
        raise drive_error(403, "The transferOwnership parameter must be enabled when the permission "
                     "role is 'owner'.", "forbidden", "transferOwnership")
    if role not in GRANTABLE:
        raise drive_error(400, "Invalid Value", "invalid", "permission.role", "other")
    if kind in ("user", "group"):
        email = str(body.get("emailAddress") or "").strip()
        if not email:
            raise drive_error(400, "The permission emailAddress field is required.", "required",
                         "permission.emailAddress", "other")
        return Grant(kind, role, email=email.casefold())
    if kind == "domain":
        domain = str(body.get("domain") or "").strip()
        if not domain:
            raise drive_error(400, "The permission domain field is required.", "required",
                         "permission.domain", "other")
        return Grant(kind, role, domain=domain.casefold())
    return Grant(kind, role)


def cannot_delete(owner: bool) -> ApiError:
    """Deleting the owner, or access that comes from a folder, is refused with a 403."""
    if owner:
        return drive_error(403, "The owner of a file cannot be removed.", "cannotRemoveOwner")
    message = "Cannot update or delete an inherited permission on a shared drive item."
    return drive_error(403, message, "cannotModifyInheritedTeamDrivePermission")


def effective(direct: Iterable[Grant], inherited: Iterable[Grant]) -> list[dict[str, Any]]:
    """Permission resources for a file: one per grantee, its role the highest it holds, and one
    `permissionDetails` entry per source (`inherited` true for access from a folder)."""
    merged: dict[str, dict[str, Any]] = {}
    for grant, from_folder in [(g, False) for g in direct] + [(g, True) for g in inherited]:
        entry = merged.get(grant.id)
        if entry is None:
            entry = {"kind": "drive#permission", "id": grant.id, "type": grant.type}
            if grant.email:
                entry["emailAddress"] = grant.email
            if grant.domain:
                entry["domain"] = grant.domain
            entry.update(role=grant.role, permissionDetails=[], deleted=False,
                         pendingOwner=False)
            merged[grant.id] = entry
        elif ROLES.index(grant.role) > ROLES.index(entry["role"]):
            entry["role"] = grant.role
        detail = {"permissionType": "file", "role": grant.role, "inherited": from_folder}
        if detail not in entry["permissionDetails"]:
            entry["permissionDetails"].append(detail)
    return list(merged.values())


def shaped(permission: Mapping[str, Any], fields: str | None) -> dict[str, Any]:
    """A permission as Drive answers: `kind, id, type, role` unless `fields` asks for more."""
    if fields:
        return select(dict(permission), parse_mask(fields))
    return {k: permission[k] for k in DEFAULT_FIELDS if k in permission}


def listing(permissions: list[dict[str, Any]], fields: str | None) -> dict[str, Any]:
    """`permissions.list`: every permission in one page (a file has few)."""
    if fields:
        reply = {"kind": "drive#permissionList", "permissions": permissions}
        return select(reply, parse_mask(fields))
    return {"kind": "drive#permissionList",
            "permissions": [shaped(p, None) for p in permissions]}
