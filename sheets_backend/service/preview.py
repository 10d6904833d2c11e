"""The local preview: a workbook's tabs as grids beside the add-on's real sidebar, in one page.

Local mode only. The sidebar is `apps_script/Sidebar.html` as clasp pushes it; a shim stands in for
`google.script.run` and calls this service's `/v1` API, the way the add-on's Code.gs does in Sheets.
Workbook data is read and written through the local Sheets service with Sheets API v4 calls, so the
preview sees exactly what the service sees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, jsonify, render_template_string, request, url_for

if TYPE_CHECKING:
    from sheets_backend.sheets.local import LocalSheets

ADDON_DIR = Path(__file__).resolve().parents[2] / "apps_script"
STATIC_DIR = Path(__file__).resolve().parent / "preview_static"
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3/files"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
POLICY_TAB = "Policy"
# Enough to see a class gradebook; a bigger workbook is cut, and the page says so.
MAX_ROWS = 400
MAX_COLUMNS = 60
GRID_FIELDS = (
    "properties.title,sheets(properties(sheetId,title,index,gridProperties),"
    "data(rowData(values(formattedValue,note,userEnteredFormat.backgroundColor))))"
)


class Workbooks:
    """The preview's view of the local Sheets service: list, read as grids, write the Policy tab."""

    def __init__(self, local_sheets: LocalSheets) -> None:
        self.session = local_sheets.session()

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.session.request(method, url, **kwargs)
        if response.status_code == 404:
            abort(404)
        response.raise_for_status()
        return response.json() if response.content else None

    def list(self) -> list[dict[str, str]]:
        files = self._call("GET", DRIVE, params={"q": f"mimeType='{SPREADSHEET_MIME}'"})
        return [{"id": f["id"], "name": f.get("name", f["id"])} for f in files.get("files", [])]

    def grids(self, spreadsheet_id: str) -> dict[str, Any]:
        """Every tab as rows of {v, bg, note}, cut to MAX_ROWS x MAX_COLUMNS."""
        book = self._call("GET", f"{SHEETS}/{quote(spreadsheet_id, safe='')}",
                          params={"includeGridData": "true", "fields": GRID_FIELDS})
        tabs = []
        for sheet in book.get("sheets", []):
            props = sheet.get("properties", {})
            grid = props.get("gridProperties", {})
            rows = []
            for row in ((sheet.get("data") or [{}])[0].get("rowData") or [])[:MAX_ROWS]:
                rows.append([_cell(value) for value in (row.get("values") or [])[:MAX_COLUMNS]])
            while rows and not any(c["v"] or c["note"] or c["bg"] for c in rows[-1]):
                rows.pop()
            tabs.append({
                "title": props.get("title", ""),
                "frozenRows": grid.get("frozenRowCount", 0),
                "frozenColumns": grid.get("frozenColumnCount", 0),
                "rows": rows,
                "cut": grid.get("rowCount", 0) > MAX_ROWS and len(rows) >= MAX_ROWS,
            })
        title = book.get("properties", {}).get("title", "")
        return {"id": spreadsheet_id, "title": title, "tabs": tabs}

    def policy_rows(self, spreadsheet_id: str) -> list[list[str]] | None:
        """The Policy tab as displayed text, or None when the workbook has no Policy tab."""
        if not self._has_tab(spreadsheet_id, POLICY_TAB):
            return None
        answer = self._call("GET", f"{self._values(spreadsheet_id)}/{quote(POLICY_TAB)}",
                            params={"valueRenderOption": "FORMATTED_VALUE"})
        return [[str(v) for v in row] for row in answer.get("values", [])]

    def write_policy(self, spreadsheet_id: str, rows: list[list[Any]]) -> None:
        """Replace the Policy tab's values with `rows`, adding the tab when it is missing."""
        sid = quote(spreadsheet_id, safe="")
        if not self._has_tab(spreadsheet_id, POLICY_TAB):
            self._call("POST", f"{SHEETS}/{sid}:batchUpdate",
                       json={"requests": [{"addSheet": {"properties": {"title": POLICY_TAB}}}]})
        else:
            self._call("POST", f"{self._values(spreadsheet_id)}/{quote(POLICY_TAB)}:clear", json={})
        if rows:
            # The whole tab as the range: a one-cell range would refuse a grid larger than it.
            self._call("PUT", f"{self._values(spreadsheet_id)}/{quote(POLICY_TAB)}",
                       params={"valueInputOption": "RAW"},
                       json={"range": POLICY_TAB, "majorDimension": "ROWS", "values": rows})

    def _has_tab(self, spreadsheet_id: str, title: str) -> bool:
        book = self._call("GET", f"{SHEETS}/{quote(spreadsheet_id, safe='')}",
                          params={"fields": "sheets.properties.title"})
        return any(s["properties"]["title"] == title for s in book.get("sheets", []))

    @staticmethod
    def _values(spreadsheet_id: str) -> str:
        return f"{SHEETS}/{quote(spreadsheet_id, safe='')}/values"


def _cell(value: dict[str, Any]) -> dict[str, str]:
    colour = (value.get("userEnteredFormat") or {}).get("backgroundColor") or {}
    bg = ""
    if colour and colour != {"red": 1, "green": 1, "blue": 1}:
        channels = (round(float(colour.get(k, 0)) * 255) for k in ("red", "green", "blue"))
        bg = "#" + "".join(f"{c:02x}" for c in channels)
    return {"v": str(value.get("formattedValue", "")), "note": str(value.get("note", "")), "bg": bg}


def preview_blueprint(local_sheets: LocalSheets) -> Blueprint:
    """The preview's routes under /preview, reading workbooks through `local_sheets`."""
    workbooks = Workbooks(local_sheets)
    bp = Blueprint("preview", __name__, url_prefix="/preview",
                   static_folder=str(STATIC_DIR), static_url_path="/static")

    @bp.get("/")
    def index() -> str:
        return render_template_string(INDEX, workbooks=workbooks.list())

    @bp.get("/<spreadsheet_id>")
    def page(spreadsheet_id: str) -> str:
        return render_template_string(PAGE, spreadsheet_id=spreadsheet_id)

    @bp.get("/<spreadsheet_id>/sidebar")
    def sidebar(spreadsheet_id: str) -> Response:
        # The real Sidebar.html, the shim loaded first so google.script.run exists when it runs.
        html = (ADDON_DIR / "Sidebar.html").read_text("utf-8")
        shim = (
            f'<script src="{url_for(".messages_js")}"></script>\n'
            f'<script src="{url_for(".outcomes_js")}"></script>\n'
            f'<script src="{url_for(".static", filename="gas-shim.js")}" '
            f'data-spreadsheet-id="{_attr(spreadsheet_id)}" '
            f'data-workbook-api="{url_for(".workbook", spreadsheet_id=spreadsheet_id)}" '
            f'data-preview-api="{url_for(".policy", spreadsheet_id=spreadsheet_id)}"></script>\n'
        )
        return Response(html.replace("<head>", "<head>\n" + shim, 1), mimetype="text/html")

    @bp.get("/messages.js")
    def messages_js() -> Response:
        # Messages.gs is plain JavaScript: the words the add-on shows, shared with the preview.
        return Response((ADDON_DIR / "Messages.gs").read_text("utf-8"), mimetype="text/javascript")

    @bp.get("/outcomes.js")
    def outcomes_js() -> Response:
        # Outcomes.gs is pure too: the sidebar's outcome picker reads the tab the same way.
        return Response((ADDON_DIR / "Outcomes.gs").read_text("utf-8"), mimetype="text/javascript")

    @bp.get("/api/<spreadsheet_id>/workbook")
    def workbook(spreadsheet_id: str) -> Response:
        return jsonify(workbooks.grids(spreadsheet_id))

    @bp.route("/api/<spreadsheet_id>/policy", methods=["GET", "PUT"])
    def policy(spreadsheet_id: str) -> Response:
        if request.method == "PUT":
            body = request.get_json(silent=True) or {}
            rows = body.get("rows")
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                error = {"code": "bad_request", "message": "Send {rows: [[...]]}."}
                return Response(json.dumps({"error": error}), 400, mimetype="application/json")
            workbooks.write_policy(spreadsheet_id, rows)
        return jsonify(rows=workbooks.policy_rows(spreadsheet_id))

    return bp


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Hive preview</title>
<link rel="stylesheet" href="{{ url_for('.static', filename='preview.css') }}"></head>
<body class="index"><main><h1>Hive preview</h1>
{% if workbooks %}<p>Pick a gradebook:</p><ul>
{% for book in workbooks %}
<li><a href="{{ url_for('.page', spreadsheet_id=book.id) }}">{{ book.name }}</a></li>
{% endfor %}</ul>
{% else %}
<p>There are no .xlsx gradebooks in the served folder. Run <code>make demo</code>.</p>
{% endif %}
</main></body></html>
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Hive preview</title>
<link rel="stylesheet" href="{{ url_for('.static', filename='preview.css') }}"></head>
<body data-spreadsheet-id="{{ spreadsheet_id }}"
      data-workbook-api="{{ url_for('.workbook', spreadsheet_id=spreadsheet_id) }}">
<div class="layout">
  <main class="sheet" aria-label="Workbook">
    <header><h1 id="title">Loading&hellip;</h1>
      <p id="selection" role="status" aria-live="polite"></p></header>
    <nav id="tabs" role="tablist" aria-label="Tabs"></nav>
    <div id="grid" class="grid" role="tabpanel" tabindex="0"></div>
  </main>
  <aside class="sidebar-frame" aria-label="Hive sidebar">
    <div class="sidebar-title">Hive</div>
    <iframe id="sidebar" title="Hive sidebar"
            src="{{ url_for('.sidebar', spreadsheet_id=spreadsheet_id) }}"></iframe>
  </aside>
</div>
<script src="{{ url_for('.static', filename='preview.js') }}"></script>
</body></html>
"""
