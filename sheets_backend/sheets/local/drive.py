"""Drive v3 over the service's workbooks: files (spreadsheets and folders) and their sharing."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import requests

from sheets_backend.sheets.local import permissions
from sheets_backend.sheets.local.drive_query import invalid
from sheets_backend.sheets.local.drive_query import parse as parse_query
from sheets_backend.sheets.local.errors import ApiError
from sheets_backend.sheets.local.faults import Faults
from sheets_backend.sheets.local.fields import parse_mask, select
from sheets_backend.sheets.local.model import Sheet, Workbook, new_spreadsheet_id
from sheets_backend.sheets.local.permissions import Grant
from sheets_backend.sheets.local.permissions import drive_error as _drive_error
from sheets_backend.sheets.local.routes import Route, route
from sheets_backend.sheets.local.transport import session as transport_session


class SheetsService(Protocol):
    """What the Drive front needs of the Sheets service behind it: its workbooks, their registry
    lock, its faults and the way it changes a workbook. A shape, not an import, so the arrows run
    one way: service -> drive -> transport."""

    owner: str
    faults: Faults
    books: dict[str, Workbook]
    lock: threading.RLock  # the registry of workbooks, and Drive's state

    @property
    def spreadsheet_ids(self) -> list[str]: ...

    def handle(self, method: str, url: str, body: bytes | None) -> tuple[int, Any]: ...

    def pause(self, seconds: float) -> None: ...

    def mutate(self, sid: str, change: Callable[[Workbook], Any]) -> Any: ...

MIME = "application/vnd.google-apps.spreadsheet"
# The Drive calls that change what a kept Drive must write down.
MUTATING = frozenset({"drive.create", "drive.update", "drive.delete", "drive.copy",
                      "drive.permissions.create", "drive.permissions.delete"})


def now() -> str:
    """RFC 3339 in UTC with milliseconds, as Drive writes times (`2026-11-23T13:05:09.123Z`)."""
    stamp = datetime.now(UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def file_not_found(file_id: str) -> ApiError:
    message = f"File not found: {file_id}."
    return ApiError(
        404,
        message,
        errors=[
            {
                "message": message,
                "domain": "global",
                "reason": "notFound",
                "location": "fileId",
                "locationType": "parameter",
            }
        ],
    )


def new_workbook(name: str) -> Workbook:
    """A spreadsheet as Drive creates one: one 1000 x 26 tab called Sheet1 with id 0."""
    stamp = now()
    return Workbook(
        new_spreadsheet_id(), name, [Sheet(0, "Sheet1")], created_time=stamp, modified_time=stamp
    )


# -- Drive v3 over the service's workbooks: folders, appProperties, trash, sharing -------------

FOLDER = "application/vnd.google-apps.folder"
ROOT_NAME = "My Drive"


@dataclass
class DriveFile:
    """Drive's side of one file. A spreadsheet's name and times live in its Workbook."""

    id: str
    mime_type: str
    name: str = ""
    parents: list[str] = field(default_factory=list)
    app_properties: dict[str, str] = field(default_factory=dict)
    trashed: bool = False
    grants: list[Grant] = field(default_factory=list)
    created_time: str = ""
    modified_time: str = ""

    def state(self) -> dict[str, Any]:
        """What a save would keep of a spreadsheet's Drive side (JSON)."""
        return {"parents": list(self.parents), "appProperties": dict(self.app_properties),
                "trashed": self.trashed, "grants": [g.to_dict() for g in self.grants]}

    def restore(self, state: Mapping[str, Any]) -> None:
        self.parents = list(state.get("parents", self.parents))
        self.app_properties = dict(state.get("appProperties", {}))
        self.trashed = bool(state.get("trashed", False))
        self.grants = [Grant.from_dict(g) for g in state.get("grants", [])] or self.grants


class LocalDrive:
    """Drive v3 files and permissions in front of a LocalSheets: Drive calls are answered here,
    every other call goes to the Sheets service. Use `LocalDrive(service).session()` wherever
    `service.session()` would go (`gateway.local_client(LocalDrive(service))`)."""

    def __init__(self, sheets: SheetsService) -> None:
        self.sheets = sheets
        owner = Grant("user", "owner", email=sheets.owner.casefold())
        self.owner = owner
        self.root = DriveFile("0A" + new_spreadsheet_id()[2:19] + "Uk9PVA", FOLDER, ROOT_NAME,
                              grants=[owner], created_time=now(), modified_time=now())
        self._files: dict[str, DriveFile] = {}
        self.notified: list[tuple[str, str]] = []  # (file id, address) Drive would have mailed
        # Set by drive_store.attach when a folder keeps this Drive across restarts: called after
        # each Drive change, and with each spreadsheet made through Drive.
        self.kept_in: Any = None
        self.on_change: Callable[[], None] | None = None
        self.on_new_spreadsheet: Callable[[str], None] | None = None

    def session(self) -> requests.Session:
        """A requests.Session whose Google traffic goes to this Drive and its Sheets service."""
        return transport_session(self)

    def state(self, file_id: str) -> dict[str, Any]:
        """A spreadsheet's Drive side (folder, appProperties, trash, direct sharing) as JSON, for
        keeping beside the workbook when it is saved."""
        with self.sheets.lock:
            return self._file(file_id).state()

    def restore(self, file_id: str, state: Mapping[str, Any]) -> None:
        """Put back what `state` gave, e.g. after the workbook is loaded again."""
        with self.sheets.lock:
            self._file(file_id).restore(state)

    # -- HTTP ----------------------------------------------------------------------------------

    def handle(self, method: str, url: str, body: bytes | None) -> tuple[int, Any]:
        """Answer one HTTP request: Drive v3 here, anything else by the Sheets service."""
        parts = urlsplit(url)
        found = route(method.upper(), parts.hostname or "", parts.path)
        if found is None or not found.name.startswith("drive."):
            return self.sheets.handle(method, url, body)
        # The service's injected faults and delay apply to Drive calls too.
        if self.sheets.faults.delay:
            self.sheets.pause(self.sheets.faults.delay)
        fault = self.sheets.faults.take()
        if fault is not None:
            return fault.code, fault.body()
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            payload = json.loads(body) if body else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = {}
        try:
            with self.sheets.lock:
                answer = self._dispatch(found, params, payload if isinstance(payload, dict) else {})
                if self.on_change is not None and found.name in MUTATING:
                    self.on_change()
                return answer
        except ApiError as error:
            return error.code, error.body()

    def _dispatch(self, found: Route, params: dict[str, Any], body: dict[str, Any]
                  ) -> tuple[int, Any]:
        name, fields = found.name, params.get("fields") or None
        if name == "drive.create":
            return 200, self._shaped(self._create(body), fields)
        if name == "drive.list":
            return 200, self._list(params)
        item = self._file(found.spreadsheet_id or "")
        if name == "drive.get":
            return 200, self._shaped(item, fields)
        if name == "drive.update":
            return 200, self._shaped(self._update(item, body, params), fields)
        if name == "drive.delete":
            self._delete(item)
            return 204, None
        if name == "drive.copy":
            return 200, self._shaped(self._copy(item, body), fields)
        if name == "drive.permissions.list":
            return 200, permissions.listing(self._permissions(item), fields)
        if name == "drive.permissions.create":
            return 200, self._share(item, body, params, fields)
        pid = found.permission_id or ""
        current = {p["id"]: p for p in self._permissions(item)}
        if pid not in current:
            raise permissions.permission_not_found(pid)
        if name == "drive.permissions.get":
            return 200, permissions.shaped(current[pid], fields)
        self._unshare(item, pid)
        return 204, None

    # -- files ---------------------------------------------------------------------------------

    def _file(self, fid: str) -> DriveFile:
        if fid in ("root", self.root.id):
            return self.root
        meta = self._files.get(fid)
        if fid in self.sheets.books:
            if meta is None or meta.mime_type != MIME:  # made through the Sheets API
                owner = self.sheets.books[fid].owner.casefold()
                grants = [Grant("user", "owner", email=owner)] if owner else [self.owner]
                meta = self._files[fid] = DriveFile(fid, MIME, parents=[self.root.id],
                                                    grants=grants)
            return meta
        if meta is not None and meta.mime_type == FOLDER:
            return meta
        self._files.pop(fid, None)  # a spreadsheet deleted through the Sheets service
        raise file_not_found(fid)

    def files(self) -> list[DriveFile]:
        """Every file but the root, folders and spreadsheets, oldest first."""
        for sid in self.sheets.spreadsheet_ids:
            self._file(sid)
        alive = [f for f in self._files.values()
                 if f.mime_type == FOLDER or f.id in self.sheets.books]
        return sorted(alive, key=lambda f: self.resource(f)["createdTime"])

    def resource(self, item: DriveFile) -> dict[str, Any]:
        """The whole Drive v3 File resource (what `fields=*` would give)."""
        book = self.sheets.books.get(item.id) if item.mime_type == MIME else None
        out: dict[str, Any] = {
            "kind": "drive#file", "id": item.id, "name": book.title if book else item.name,
            "mimeType": item.mime_type,
        }
        if item.parents:
            out["parents"] = list(item.parents)
        if item.app_properties:
            out["appProperties"] = dict(item.app_properties)
        out.update(
            trashed=item.trashed,
            createdTime=book.created_time if book else item.created_time,
            modifiedTime=book.modified_time if book else item.modified_time,
            ownedByMe=True,
            owners=[{"kind": "drive#user", "displayName": self.owner.email, "me": True,
                     "permissionId": self.owner.id, "emailAddress": self.owner.email}],
            permissions=self._permissions(item),
        )
        return out

    def _shaped(self, item: DriveFile, fields: str | None) -> dict[str, Any]:
        full = self.resource(item)
        if fields:
            return select(full, parse_mask(fields))
        return {k: full[k] for k in ("kind", "id", "name", "mimeType")}

    def _parents(self, ids: list[str]) -> list[str]:
        if len(ids) > 1:
            raise _drive_error(403, "Increasing the number of parents is not allowed.",
                               "cannotAddParent")
        out = []
        for pid in ids:
            parent = self._file(str(pid))
            if parent.mime_type != FOLDER:
                raise _drive_error(400, "The specified parent is not a folder.", "badRequest")
            out.append(parent.id)
        return out or [self.root.id]

    def _create(self, body: Mapping[str, Any]) -> DriveFile:
        mime = body.get("mimeType") or MIME
        if mime not in (MIME, FOLDER):
            raise _drive_error(400, f"The local Drive stores folders and Google Sheets only, not "
                               f"{mime}.", "badRequest")
        parents = self._parents(list(body.get("parents") or []))
        props = _properties({}, body.get("appProperties"))
        stamp = now()
        if mime == FOLDER:
            fid = new_spreadsheet_id()[:33]
            item = DriveFile(fid, FOLDER, body.get("name") or "Untitled folder",
                             created_time=stamp, modified_time=stamp)
        else:
            book = new_workbook(body.get("name") or "Untitled spreadsheet")
            self.sheets.books[book.spreadsheet_id] = book
            if self.on_new_spreadsheet is not None:
                self.on_new_spreadsheet(book.spreadsheet_id)
            item = DriveFile(book.spreadsheet_id, MIME)
        item.parents, item.app_properties, item.grants = parents, props, [self.owner]
        self._files[item.id] = item
        return item

    def _update(self, item: DriveFile, body: Mapping[str, Any], params: Mapping[str, Any]
                ) -> DriveFile:
        if "parents" in body:
            raise _drive_error(403, "The parents field is not directly writable in update "
                               "requests. Use the addParents and removeParents parameters "
                               "instead.", "fieldNotWritable")
        removed = {p for p in str(params.get("removeParents", "")).split(",") if p}
        added = [p for p in str(params.get("addParents", "")).split(",") if p]
        parents = item.parents
        if removed or added:
            kept = [p for p in item.parents if p not in removed]
            parents = self._parents(kept + [p for p in added if p not in kept])
        props = _properties(item.app_properties, body.get("appProperties"))
        trashed = body.get("trashed", item.trashed)
        if not isinstance(trashed, bool):
            raise _drive_error(400, "Invalid value for: trashed", "invalid", "trashed", "other")
        if body.get("name"):
            if item.mime_type == MIME:
                self.sheets.mutate(item.id, lambda b: setattr(b, "title", body["name"]))
            else:
                item.name = body["name"]
        item.parents, item.app_properties, item.trashed = parents, props, trashed
        if item.mime_type == FOLDER:
            item.modified_time = now()
        return item

    def _delete(self, item: DriveFile) -> None:
        if item is self.root:
            raise _drive_error(403, f"The user does not have sufficient permissions for file "
                               f"{item.id}.", "insufficientFilePermissions")
        # A folder takes everything inside it along; the files on disk are left alone.
        for child in [f for f in self.files() if item.id in f.parents]:
            self._delete(child)
        self._files.pop(item.id, None)
        self.sheets.books.pop(item.id, None)

    def _copy(self, item: DriveFile, body: Mapping[str, Any]) -> DriveFile:
        if item.mime_type != MIME:
            raise _drive_error(403, "This file cannot be copied by the user.", "cannotCopyFile")
        source = self.sheets.books[item.id]
        copy = source.clone()
        fresh = new_workbook(body.get("name") or f"Copy of {source.title}")
        copy.spreadsheet_id, copy.title = fresh.spreadsheet_id, fresh.title
        copy.path, copy.autosave = None, False
        copy.created_time = copy.modified_time = fresh.created_time
        self.sheets.books[copy.spreadsheet_id] = copy
        parents = self._parents(list(body.get("parents") or item.parents))
        made = DriveFile(copy.spreadsheet_id, MIME, parents=parents, grants=[self.owner],
                         app_properties=_properties(item.app_properties,
                                                    body.get("appProperties")))
        self._files[made.id] = made
        return made

    def _list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        match = parse_query(str(params.get("q", "")))
        found = [r for r in (self.resource(f) for f in self.files()) if match(r)]
        for key in reversed([k.strip() for k in str(params.get("orderBy", "")).split(",")
                             if k.strip()]):
            name, _, direction = key.partition(" ")
            if name not in ("createdTime", "modifiedTime", "name", "name_natural"):
                raise invalid("orderBy")
            column = name.removesuffix("_natural")
            found.sort(key=lambda r: r[column], reverse=direction.strip().lower() == "desc")
        size = _int(params.get("pageSize", 100), "pageSize")
        if not 1 <= size <= 1000:
            raise invalid("pageSize")
        start = _offset(params.get("pageToken") or "")
        reply: dict[str, Any] = {"kind": "drive#fileList"}
        if start + size < len(found):
            reply["nextPageToken"] = _token(start + size)
        fields = params.get("fields") or None
        page = found[start : start + size]
        if fields:
            reply["files"] = page
            return select(reply, parse_mask(fields))
        reply["files"] = [{k: r[k] for k in ("kind", "id", "name", "mimeType")} for r in page]
        return reply

    # -- permissions ---------------------------------------------------------------------------

    def _inherited(self, item: DriveFile) -> list[Grant]:
        """Non-owner grants of every folder above `item` (the owner is the same account)."""
        out: list[Grant] = []
        seen, queue = {item.id}, list(item.parents)
        while queue:
            fid = queue.pop(0)
            if fid in seen:
                continue
            seen.add(fid)
            folder = self.root if fid == self.root.id else self._files.get(fid)
            if folder is None:
                continue
            out += [g for g in folder.grants if g.role != "owner"]
            queue += folder.parents
        return out

    def can_see(self, file_id: str) -> bool:
        """Whether the service's account may open the file: it owns it, or it is shared with
        that account, its domain or anyone (directly or through a folder)."""
        with self.sheets.lock:
            item = self._file(file_id)
            me = self.owner.email
            domain = me.rpartition("@")[2]
            return any(
                g.type == "anyone" or (g.type in ("user", "group") and g.email == me)
                or (g.type == "domain" and g.domain.casefold() == domain)
                for g in [*item.grants, *self._inherited(item)]
            )

    def _permissions(self, item: DriveFile) -> list[dict[str, Any]]:
        return permissions.effective(item.grants, self._inherited(item))

    def _share(self, item: DriveFile, body: Mapping[str, Any], params: Mapping[str, Any],
               fields: str | None) -> dict[str, Any]:
        grant = permissions.grant_from_request(body, params)
        if grant.id != self.owner.id:  # sharing with the owner leaves the owner as owner
            item.grants = [g for g in item.grants if g.id != grant.id] + [grant]
            notify = str(params.get("sendNotificationEmail", "true")).lower() != "false"
            if notify and grant.type in ("user", "group"):
                self.notified.append((item.id, grant.email))
        current = {p["id"]: p for p in self._permissions(item)}
        return permissions.shaped(current[grant.id], fields)

    def _unshare(self, item: DriveFile, pid: str) -> None:
        direct = [g for g in item.grants if g.id == pid]
        if not direct:
            raise permissions.cannot_delete(owner=False)
        if direct[0].role == "owner":
            raise permissions.cannot_delete(owner=True)
        item.grants = [g for g in item.grants if g.id != pid]


def _properties(current: Mapping[str, str], change: Any) -> dict[str, str]:
    """appProperties after an update: given keys set, keys set to null cleared, others kept."""
    if change is None:
        return dict(current)
    if not isinstance(change, dict):
        raise _drive_error(400, "Invalid value for: appProperties", "invalid", "appProperties",
                           "other")
    out = dict(current)
    for key, value in change.items():
        if value is None:
            out.pop(key, None)
        else:
            out[str(key)] = value if isinstance(value, str) else json.dumps(value)
    return out


def _int(value: Any, parameter: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(parameter) from None


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"hive-drive:{offset}".encode()).decode()


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise invalid("pageToken") from None
    prefix, _, number = text.partition(":")
    if prefix != "hive-drive" or not number.isdigit():
        raise invalid("pageToken")
    return int(number)
