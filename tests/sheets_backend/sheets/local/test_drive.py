"""Drive v3 files and permissions on the local service, through real gspread and real HTTP."""

from __future__ import annotations

from typing import Any

import gspread
import pytest
from gspread.urls import DRIVE_FILES_API_V3_URL as FILES

from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets
from sheets_backend.sheets.local.drive import FOLDER, MIME, LocalDrive

OWNER = "hive-local@localhost"


class Drive:
    """Drive v3 calls as Hive and gspread make them (gspread's own methods where it has one)."""

    def __init__(self, client: gspread.Client) -> None:
        self.client = client
        self.http = client.http_client

    def folder(self, name: str = "Reports", **body: Any) -> str:
        reply = self.http.request("post", FILES, json={"name": name, "mimeType": FOLDER, **body})
        return str(reply.json()["id"])

    def create(self, **body: Any) -> dict[str, Any]:
        return self.http.request("post", FILES, json=body, params={"supportsAllDrives": True}
                                 ).json()

    def get(self, file_id: str, fields: str | None = None) -> dict[str, Any]:
        params = {"fields": fields} if fields else {}
        return self.http.request("get", f"{FILES}/{file_id}", params=params).json()

    def patch(self, file_id: str, body: dict[str, Any], **params: Any) -> dict[str, Any]:
        return self.http.request("patch", f"{FILES}/{file_id}", json=body, params=params).json()

    def list(self, q: str, fields: str = "nextPageToken,files(id,name)", **params: Any
             ) -> dict[str, Any]:
        return self.http.request("get", FILES, params={"q": q, "fields": fields, **params}
                                 ).json()

    def permissions(self, file_id: str, fields: str | None = None) -> dict[str, Any]:
        params = {"fields": fields} if fields else {}
        return self.http.request("get", f"{FILES}/{file_id}/permissions", params=params).json()

    def readers(self, file_id: str) -> dict[str, tuple[str, bool]]:
        """{email: (role, inherited)} for a file, as Hive reads it."""
        return {p["emailAddress"]: (p["role"], any(d["inherited"] for d in p["permissionDetails"]))
                for p in self.client.list_permissions(file_id)}


@pytest.fixture
def service() -> LocalSheets:
    return LocalSheets()


@pytest.fixture
def local_drive(service: LocalSheets) -> LocalDrive:
    return LocalDrive(service)


@pytest.fixture
def drive(local_drive: LocalDrive) -> Drive:
    return Drive(local_client(local_drive, base_delay=0.0, budget=1.0, max_attempts=4))


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(gspread.exceptions.APIError) as caught:
        call()
    return caught.value.response.json()["error"]


# -- files ---------------------------------------------------------------------------------------


def test_gspread_creates_a_spreadsheet_in_a_folder(drive: Drive) -> None:
    folder = drive.folder()
    sheet = drive.client.create("Report", folder_id=folder)
    assert sheet.title == "Report" and sheet.sheet1.title == "Sheet1"
    assert drive.get(sheet.id, "id,name,mimeType,parents,trashed") == {
        "id": sheet.id, "name": "Report", "mimeType": MIME, "parents": [folder], "trashed": False}
    assert drive.get(folder, "mimeType,parents")["mimeType"] == FOLDER


def test_get_without_fields_answers_drives_default_four(drive: Drive) -> None:
    made = drive.create(name="Plain", mimeType=MIME)
    assert made == {"kind": "drive#file", "id": made["id"], "name": "Plain", "mimeType": MIME}
    assert drive.get(made["id"]) == made
    assert "appProperties" not in drive.get(made["id"], "appProperties,id")  # left out when empty


def test_files_without_a_parent_live_in_my_drive(drive: Drive, service: LocalSheets) -> None:
    made = drive.create(name="Loose", mimeType=MIME)
    root = drive.get("root", "id,name,mimeType")
    assert root["name"] == "My Drive" and root["mimeType"] == FOLDER
    assert drive.get(made["id"], "parents")["parents"] == [root["id"]]
    sid = service.create_workbook_from_rows({"Roster": [["a"]]})  # made by the Sheets API
    assert drive.get(sid, "parents")["parents"] == [root["id"]]


def test_app_properties_are_stored_merged_and_cleared_by_null(drive: Drive) -> None:
    made = drive.create(name="R", mimeType=MIME, appProperties={"a": "1", "b": "2"})
    drive.patch(made["id"], {"appProperties": {"b": None, "c": "3"}})
    assert drive.get(made["id"], "appProperties")["appProperties"] == {"a": "1", "c": "3"}


def test_update_renames_trashes_and_answers_with_fields(drive: Drive) -> None:
    made = drive.create(name="Old", mimeType=MIME)
    reply = drive.patch(made["id"], {"name": "New", "trashed": True}, fields="name,trashed")
    assert reply == {"name": "New", "trashed": True}
    assert drive.client.open_by_key(made["id"]).title == "New"
    assert drive.patch(made["id"], {"trashed": False})["name"] == "New"


def test_parents_move_only_through_add_and_remove_parents(drive: Drive) -> None:
    a, b = drive.folder("A"), drive.folder("B")
    made = drive.create(name="R", mimeType=MIME, parents=[a])
    error = error_of(lambda: drive.patch(made["id"], {"parents": [b]}))
    assert error["code"] == 403 and error["errors"][0]["reason"] == "fieldNotWritable"
    drive.patch(made["id"], {}, addParents=b, removeParents=a)
    assert drive.get(made["id"], "parents")["parents"] == [b]


def test_a_missing_file_is_drives_404_naming_it(drive: Drive) -> None:
    assert error_of(lambda: drive.get("nope")) == {
        "code": 404,
        "message": "File not found: nope.",
        "errors": [{"message": "File not found: nope.", "domain": "global", "reason": "notFound",
                    "location": "fileId", "locationType": "parameter"}],
    }
    assert error_of(lambda: drive.create(name="R", mimeType=MIME, parents=["gone"]))["code"] == 404


def test_deleting_a_folder_deletes_what_is_inside(drive: Drive, service: LocalSheets) -> None:
    folder = drive.folder()
    sheet = drive.client.create("Inside", folder_id=folder)
    drive.http.request("delete", f"{FILES}/{folder}")
    assert sheet.id not in service.spreadsheet_ids
    assert error_of(lambda: drive.get(folder))["code"] == 404


def test_copy_keeps_the_folder_and_app_properties_but_not_the_sharing(drive: Drive) -> None:
    folder = drive.folder()
    made = drive.create(name="R", mimeType=MIME, parents=[folder], appProperties={"k": "v"})
    drive.client.insert_permission(made["id"], "ana@x.org", perm_type="user", role="reader",
                                   notify=False)
    copy = drive.client.copy(made["id"], title="R2", copy_comments=False)
    assert drive.get(copy.id, "name,parents,appProperties") == {
        "name": "R2", "parents": [folder], "appProperties": {"k": "v"}}
    assert list(drive.readers(copy.id)) == [OWNER]


# -- files.list and q ----------------------------------------------------------------------------


def test_list_finds_hives_reports_by_folder_trash_and_app_properties(drive: Drive) -> None:
    folder, other = drive.folder(), drive.folder("Other")
    mine = drive.create(name="A", mimeType=MIME, parents=[folder],
                        appProperties={"hiveGradebook": "g1", "hiveReport": "k1"})
    drive.create(name="B", mimeType=MIME, parents=[folder], appProperties={"hiveGradebook": "g2"})
    drive.create(name="C", mimeType=MIME, parents=[other], appProperties={"hiveGradebook": "g1"})
    gone = drive.create(name="D", mimeType=MIME, parents=[folder],
                        appProperties={"hiveGradebook": "g1"})
    drive.patch(gone["id"], {"trashed": True})
    q = (f"'{folder}' in parents and trashed = false and appProperties has "
         "{ key='hiveGradebook' and value='g1' }")
    reply = drive.list(q, "nextPageToken,files(id,appProperties)", orderBy="createdTime",
                       pageSize=1000, supportsAllDrives=True, includeItemsFromAllDrives=True)
    assert reply == {"files": [{"id": mine["id"], "appProperties": {
        "hiveGradebook": "g1", "hiveReport": "k1"}}]}


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("name = 'B'", ["B"]),
        ("name != 'B'", ["A", "Folder"]),
        ("mimeType = 'application/vnd.google-apps.folder'", ["Folder"]),
        ('mimeType="application/vnd.google-apps.spreadsheet" and name = "A"', ["A"]),
        ("trashed = true", ["B"]),
        ("", ["A", "B", "Folder"]),
    ],
    ids=["name", "name-not", "folders", "gspread-double-quotes", "trashed", "everything"],
)
def test_q_terms(drive: Drive, query: str, names: list[str]) -> None:
    drive.create(name="A", mimeType=MIME)
    b = drive.create(name="B", mimeType=MIME)
    drive.patch(b["id"], {"trashed": True})
    drive.folder("Folder")
    assert sorted(f["name"] for f in drive.list(query)["files"]) == names


def test_gspread_lists_and_opens_by_title_and_folder(drive: Drive) -> None:
    folder = drive.folder()
    inside = drive.client.create("Mine it's", folder_id=folder)
    drive.client.create("Mine it's")
    assert [f["id"] for f in drive.client.list_spreadsheet_files(folder_id=folder)] == [inside.id]
    assert len(drive.client.list_spreadsheet_files("Mine it's")) == 2
    assert drive.client.open("Mine it's", folder_id=folder).id == inside.id


@pytest.mark.parametrize(
    "query",
    ["name contains 'A'", "name = 'A' or name = 'B'", "fullText contains 'x'", "trashed = maybe",
     "'f' in owners", "name = 'unterminated", "appProperties has { key='k' }", "name = 'A' and"],
    ids=["contains", "or", "fullText", "bad-bool", "owners", "unterminated", "half-has",
         "dangling-and"],
)
def test_an_unsupported_query_is_drives_400_invalid_value(drive: Drive, query: str) -> None:
    assert error_of(lambda: drive.list(query)) == {
        "code": 400,
        "message": "Invalid Value",
        "errors": [{"message": "Invalid Value", "domain": "global", "reason": "invalid",
                    "location": "q", "locationType": "parameter"}],
    }


def test_list_pages_with_page_size_and_token(drive: Drive) -> None:
    for name in "ABCDE":
        drive.create(name=name, mimeType=MIME)
    first = drive.list("", pageSize=2, orderBy="name")
    second = drive.list("", pageSize=2, orderBy="name", pageToken=first["nextPageToken"])
    third = drive.list("", pageSize=2, orderBy="name", pageToken=second["nextPageToken"])
    names = [f["name"] for page in (first, second, third) for f in page["files"]]
    assert names == list("ABCDE") and "nextPageToken" not in third
    assert error_of(lambda: drive.list("", pageToken="junk"))["errors"][0]["location"] == \
        "pageToken"


def test_list_without_fields_answers_the_default_shape(drive: Drive) -> None:
    made = drive.create(name="A", mimeType=MIME)
    reply = drive.http.request("get", FILES, params={"q": "name = 'A'", "fields": ""}).json()
    assert reply == {"kind": "drive#fileList", "files": [
        {"kind": "drive#file", "id": made["id"], "name": "A", "mimeType": MIME}]}


# -- permissions ---------------------------------------------------------------------------------


def test_a_new_file_has_its_owner_permission(drive: Drive) -> None:
    made = drive.create(name="R", mimeType=MIME)
    reply = drive.permissions(made["id"])
    assert reply == {"kind": "drive#permissionList", "permissions": [
        {"kind": "drive#permission", "id": reply["permissions"][0]["id"], "type": "user",
         "role": "owner"}]}
    assert drive.readers(made["id"]) == {OWNER: ("owner", False)}


def test_gspread_shares_read_only_without_a_notification(
    drive: Drive, local_drive: LocalDrive
) -> None:
    made = drive.create(name="R", mimeType=MIME)
    reply = drive.client.insert_permission(made["id"], "Ana@X.org", perm_type="user",
                                           role="reader", notify=False).json()
    assert set(reply) == {"kind", "id", "type", "role"} and reply["role"] == "reader"
    assert drive.readers(made["id"])["ana@x.org"] == ("reader", False)
    assert local_drive.notified == []
    drive.client.insert_permission(made["id"], "bo@x.org", perm_type="user", role="commenter")
    assert local_drive.notified == [(made["id"], "bo@x.org")]


def test_a_person_has_the_same_permission_id_on_every_file(drive: Drive) -> None:
    ids = []
    for name in "AB":
        made = drive.create(name=name, mimeType=MIME)
        ids.append(drive.client.insert_permission(made["id"], "ana@x.org", perm_type="user",
                                                  role="reader", notify=False).json()["id"])
    assert ids[0] == ids[1]


def test_permission_fields_select_email_role_and_details(drive: Drive) -> None:
    made = drive.create(name="R", mimeType=MIME)
    drive.client.insert_permission(made["id"], "ana@x.org", perm_type="user", role="writer",
                                   notify=False)
    reply = drive.permissions(made["id"], "permissions(emailAddress,role,permissionDetails)")
    assert reply["permissions"][1] == {"emailAddress": "ana@x.org", "role": "writer",
                                       "permissionDetails": [{"permissionType": "file",
                                                              "role": "writer",
                                                              "inherited": False}]}


def test_folder_sharing_is_inherited_and_cannot_be_removed_from_the_child(drive: Drive) -> None:
    folder = drive.folder()
    made = drive.create(name="R", mimeType=MIME, parents=[folder])
    drive.client.insert_permission(folder, "head@x.org", perm_type="user", role="reader",
                                   notify=False)
    drive.client.insert_permission(made["id"], "head@x.org", perm_type="user", role="writer",
                                   notify=False)
    head = next(p for p in drive.client.list_permissions(made["id"])
                if p["emailAddress"] == "head@x.org")
    assert head["role"] == "writer"
    assert head["permissionDetails"] == [
        {"permissionType": "file", "role": "writer", "inherited": False},
        {"permissionType": "file", "role": "reader", "inherited": True}]
    drive.client.remove_permission(made["id"], head["id"])  # the direct part goes
    assert drive.readers(made["id"])["head@x.org"] == ("reader", True)
    error = error_of(lambda: drive.client.remove_permission(made["id"], head["id"]))
    assert error["code"] == 403
    assert error["errors"][0]["reason"] == "cannotModifyInheritedTeamDrivePermission"


def test_remove_permission_and_its_errors(drive: Drive) -> None:
    made = drive.create(name="R", mimeType=MIME)
    pid = drive.client.insert_permission(made["id"], "ana@x.org", perm_type="user",
                                         role="reader", notify=False).json()["id"]
    drive.client.remove_permission(made["id"], pid)
    assert list(drive.readers(made["id"])) == [OWNER]
    assert error_of(lambda: drive.client.remove_permission(made["id"], pid)) == {
        "code": 404,
        "message": f"Permission not found: {pid}.",
        "errors": [{"message": f"Permission not found: {pid}.", "domain": "global",
                    "reason": "notFound", "location": "permissionId",
                    "locationType": "parameter"}],
    }
    owner = drive.client.list_permissions(made["id"])[0]["id"]
    assert error_of(lambda: drive.client.remove_permission(made["id"], owner))["errors"][0][
        "reason"] == "cannotRemoveOwner"


@pytest.mark.parametrize(
    ("body", "code", "reason"),
    [
        ({"type": "user", "emailAddress": "a@x.org"}, 400, "required"),
        ({"role": "reader", "emailAddress": "a@x.org"}, 400, "required"),
        ({"type": "user", "role": "reader"}, 400, "required"),
        ({"type": "user", "role": "boss", "emailAddress": "a@x.org"}, 400, "invalid"),
        ({"type": "user", "role": "owner", "emailAddress": "a@x.org"}, 403, "forbidden"),
    ],
    ids=["no-role", "no-type", "no-email", "bad-role", "owner-without-transfer"],
)
def test_create_permission_refuses_what_drive_refuses(
    drive: Drive, body: dict[str, Any], code: int, reason: str
) -> None:
    made = drive.create(name="R", mimeType=MIME)
    url = f"{FILES}/{made['id']}/permissions"
    error = error_of(lambda: drive.http.request("post", url, json=body))
    assert (error["code"], error["errors"][0]["reason"]) == (code, reason)


def test_permissions_of_a_missing_file_are_a_404(drive: Drive) -> None:
    assert error_of(lambda: drive.client.list_permissions("nope"))["message"] == \
        "File not found: nope."


# -- the service around it -----------------------------------------------------------------------


def test_injected_faults_apply_to_drive_calls_and_are_retried(
    drive: Drive, service: LocalSheets
) -> None:
    made = drive.create(name="R", mimeType=MIME)
    service.faults.fail_next(status=503, count=2)
    assert drive.get(made["id"], "name") == {"name": "R"}
    assert service.faults.pending == 0


def test_sheets_calls_pass_through_to_the_sheets_service(drive: Drive) -> None:
    sheet = drive.client.create("R")
    sheet.sheet1.update([["a", 1]], "A1")
    assert drive.client.open_by_key(sheet.id).sheet1.get_all_values() == [["a", "1"]]


def test_a_spreadsheets_drive_state_is_plain_json(drive: Drive, local_drive: LocalDrive) -> None:
    folder = drive.folder()
    made = drive.create(name="R", mimeType=MIME, parents=[folder], appProperties={"k": "v"})
    drive.client.insert_permission(made["id"], "ana@x.org", perm_type="user", role="reader",
                                   notify=False)
    state = local_drive.state(made["id"])
    other = drive.create(name="S", mimeType=MIME)
    local_drive.restore(other["id"], state)
    assert drive.get(other["id"], "parents,appProperties") == {
        "parents": [folder], "appProperties": {"k": "v"}}
    assert drive.readers(other["id"])["ana@x.org"] == ("reader", False)
