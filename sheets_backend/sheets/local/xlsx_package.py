"""Surgical .xlsx saves: every part of the loaded file Hive did not change is copied as it was.

A workbook remembers the file it was loaded from (`Source`: the file's bytes, and each tab as it
was loaded). A save writes only the tabs that differ from what was loaded (Hive's own tabs, a
teacher's tab changed through the API) and `_hive_meta`, plus the parts that list them (workbook,
its relationships, content types; styles appended, never renumbered). Everything else (the
teacher's sheets, shared strings, styles, defined names, drawings, parts Hive knows nothing about)
is copied byte for byte. A workbook made from scratch is saved against an empty package.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

from sheets_backend.sheets.local import xlsx_writer
from sheets_backend.sheets.local.model import Sheet, Workbook
from sheets_backend.sheets.local.xlsx_stylesheet import EMPTY_STYLES, StyleSheet

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN = f"{{{xlsx_writer.MAIN_NS}}}"
R_ID = f"{{{xlsx_writer.REL_NS}}}id"
WORKSHEET_REL = xlsx_writer.REL_NS + "/worksheet"
CALC_CHAIN_REL = xlsx_writer.REL_NS + "/calcChain"
STYLES_REL = xlsx_writer.REL_NS + "/styles"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_PARSER = etree.XMLParser(remove_blank_text=False, resolve_entities=False, huge_tree=True)


@dataclass(frozen=True)
class SourceSheet:
    """One tab of the loaded file: its <sheet> entry, its part, and its state when loaded."""

    name: str
    xlsx_id: int
    rel_id: str
    part: str
    state: str
    loaded: Sheet | None  # None: Hive's _hive_meta (always rewritten), or not a worksheet
    kind: str = ""  # the relationship type: a worksheet, or a chartsheet Hive keeps as it is


@dataclass(frozen=True)
class Source:
    """The file a workbook was loaded from, as bytes, and what each of its tabs held."""

    data: bytes
    workbook_part: str
    sheets: tuple[SourceSheet, ...]
    by_sheet_id: dict[int, SourceSheet] = field(default_factory=dict)


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _relationships(archive: zipfile.ZipFile, part: str) -> list[Any]:
    name = _rels_part(part)
    if name not in archive.NameToInfo:
        return []
    root = etree.fromstring(archive.read(name), _PARSER)
    return list(root)


def read_source(data: bytes) -> tuple[Source, dict[str, SourceSheet]]:
    """The package structure of an .xlsx (tabs by name); `loaded` sheets are filled by the caller."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook_part = "xl/workbook.xml"
        for rel in _relationships(archive, ""):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook_part = _target("", rel.get("Target", workbook_part))
        rels = _relationships(archive, workbook_part)
        targets = {rel.get("Id"): _target(workbook_part, rel.get("Target", "")) for rel in rels}
        kinds = {rel.get("Id"): rel.get("Type", "") for rel in rels}
        root = etree.fromstring(archive.read(workbook_part), _PARSER)
    sheets = {}
    for entry in root.iter(MAIN + "sheet"):
        rel_id = entry.get(R_ID, "")
        sheets[entry.get("name", "")] = SourceSheet(
            entry.get("name", ""),
            int(entry.get("sheetId", "0")),
            rel_id,
            targets.get(rel_id, ""),
            entry.get("state", "visible"),
            None,
            kinds.get(rel_id, ""),
        )
    return Source(data, workbook_part, tuple(sheets.values())), sheets


def with_loaded(source: Source, loaded: dict[str, Sheet]) -> Source:
    """The source, with each tab's state as loaded (clones: the live tabs will change)."""
    sheets = tuple(replace(s, loaded=loaded[s.name].clone()) if s.name in loaded else s
                   for s in source.sheets)
    by_id = {s.loaded.sheet_id: s for s in sheets if s.loaded is not None}
    return replace(source, sheets=sheets, by_sheet_id=by_id)


def unchanged(sheet: Sheet, src: SourceSheet | None) -> bool:
    """The tab's part can be copied: its cells and grid are as loaded (its title and visibility
    live in workbook.xml, which is always rewritten)."""
    if src is None or src.loaded is None:
        return False
    loaded = src.loaded
    return replace(sheet, title=loaded.title, hidden=loaded.hidden) == loaded


# -- the empty package a new workbook is saved against ------------------------------------------

def empty_package() -> bytes:
    """A valid .xlsx with no tabs: the base a workbook made from scratch is saved against."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{CT_NS}"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="'
            f'{xlsx_writer.REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{xlsx_writer.MAIN_NS}" xmlns:r="{xlsx_writer.REL_NS}">'
            '<bookViews><workbookView/></bookViews><sheets/></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{STYLES_REL}" '
            'Target="styles.xml"/></Relationships>',
        )
        archive.writestr("xl/styles.xml", EMPTY_STYLES)
    return buffer.getvalue()


_CALC_SHEET = re.compile(rb'\bi="(\d+)"')


# -- the surgical write ---------------------------------------------------------------------------


def _empty_source() -> Source:
    return read_source(empty_package())[0]


class _Names:
    """Part names free in the new package."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken

    def fresh(self, pattern: str) -> str:
        n = 1
        while pattern.format(n) in self.taken or _rels_part(pattern.format(n)) in self.taken:
            n += 1
        self.taken.add(pattern.format(n))
        return pattern.format(n)


def assemble(
    book: Workbook, meta: Sheet, meta_rows: Any, out: zipfile.ZipFile
) -> None:
    """Write the package: copied parts from `book.source`, Hive's parts generated.

    `meta_rows(xlsx_ids)` gives the `_hive_meta` rows once each tab's xlsx sheetId is known.
    """
    source: Source = book.source or _empty_source()
    with zipfile.ZipFile(io.BytesIO(source.data)) as archive:
        _assemble(book, meta, meta_rows, source, archive, out)


def _assemble(
    book: Workbook, meta: Sheet, meta_rows: Any, source: Source,
    archive: zipfile.ZipFile, out: zipfile.ZipFile,
) -> None:
    wb_part = source.workbook_part
    wb_rels_part = _rels_part(wb_part)
    wb_rels = _relationships(archive, wb_part)
    copied: dict[int, SourceSheet] = {}
    for sheet in book.sheets:
        src = source.by_sheet_id.get(sheet.sheet_id)
        if src is not None and src.name != META_NAME and unchanged(sheet, src):
            copied[sheet.sheet_id] = src
    # Chartsheets and the like are not tabs of the model: they stay as they are, after the tabs.
    others = [s for s in source.sheets if s.kind != WORKSHEET_REL and s.name != META_NAME]
    kept_src = {id(s) for s in [*copied.values(), *others]}
    drop: set[str] = {wb_part, wb_rels_part, "[Content_Types].xml"}
    gone_ids: set[int] = set()
    for src in source.sheets:
        if id(src) in kept_src:
            continue
        gone_ids.add(src.xlsx_id)
        drop.update((src.part, _rels_part(src.part)))
        for rel in _relationships(archive, src.part):
            if rel.get("Type") in (xlsx_writer.COMMENTS_REL, xlsx_writer.VML_REL):
                drop.add(_target(src.part, rel.get("Target", "")))
    calc = [_target(wb_part, r.get("Target", "")) for r in wb_rels if r.get("Type") == CALC_CHAIN_REL]
    for part in calc:
        if part in archive.NameToInfo and gone_ids & {
            int(i) for i in _CALC_SHEET.findall(archive.read(part))
        }:
            drop.add(part)  # it lists cells of a rewritten tab; Excel rebuilds it
    names = _Names({n for n in archive.namelist() if n not in drop})
    names.taken |= {wb_part, wb_rels_part, "[Content_Types].xml"}

    xlsx_ids: dict[int, int] = {}
    style_rel = next((r for r in wb_rels if r.get("Type") == STYLES_REL), None)
    styles_part = _target(wb_part, style_rel.get("Target", "")) if style_rel is not None else None
    styles = StyleSheet(
        archive.read(styles_part)
        if styles_part and styles_part in archive.NameToInfo
        else EMPTY_STYLES.encode()
    )

    next_xlsx = max([0, *(s.xlsx_id for s in source.sheets)]) + 1
    order: list[tuple[Sheet, SourceSheet | None]] = []
    for sheet in [*book.sheets, meta]:
        src = source.by_sheet_id.get(sheet.sheet_id) if sheet is not meta else None
        if sheet is meta:
            src = next((s for s in source.sheets if s.name == META_NAME), None)
        if src is not None and src.kind == WORKSHEET_REL and src.xlsx_id not in xlsx_ids.values():
            xlsx_ids[sheet.sheet_id] = src.xlsx_id
        else:
            xlsx_ids[sheet.sheet_id] = next_xlsx
            next_xlsx += 1
        order.append((sheet, src))
    meta_sheet_rows = meta_rows({s.sheet_id: xlsx_ids[s.sheet_id] for s in book.sheets})
    for r, row in enumerate(meta_sheet_rows):
        for c, value in enumerate(row):
            meta.set_value(r, c, value)

    rel_ids = {r.get("Id", "") for r in wb_rels}
    new_rels: list[tuple[str, str, str]] = []  # (id, type, target relative to the workbook)
    overrides: dict[str, str] = {}
    entries: list[tuple[Sheet | None, SourceSheet | None, str]] = []
    generated: list[tuple[str, bytes | str]] = []
    wb_dir = posixpath.dirname(wb_part)
    n = 1
    meta_entry = order.pop()
    for sheet, src in order + [(None, s) for s in others] + [meta_entry]:
        if sheet is None:
            entries.append((None, src, src.rel_id))
            continue
        if sheet.sheet_id in copied and sheet is not meta:
            entries.append((sheet, src, copied[sheet.sheet_id].rel_id))
            continue
        while f"rId{n}" in rel_ids:
            n += 1
        rel_id = f"rId{n}"
        rel_ids.add(rel_id)
        part = names.fresh(posixpath.join(wb_dir, "worksheets", "sheet{}.xml"))
        rendered = xlsx_writer.render(sheet, styles.index)
        generated.append((part, rendered.worksheet))
        overrides["/" + part] = SHEET_CT
        if rendered.comments is not None and rendered.vml is not None:
            comments = names.fresh(posixpath.join(wb_dir, "comments", "comment{}.xml"))
            vml = names.fresh(posixpath.join(wb_dir, "drawings", "commentsDrawing{}.vml"))
            generated += [(comments, rendered.comments), (vml, rendered.vml)]
            overrides["/" + comments] = COMMENTS_CT
            base = posixpath.dirname(part)
            generated.append((
                _rels_part(part),
                f'<Relationships xmlns="{PKG_REL_NS}">'
                f'<Relationship Id="rIdCmt" Type="{xlsx_writer.COMMENTS_REL}" '
                f'Target="{posixpath.relpath(comments, base)}"/>'
                f'<Relationship Id="rIdVml" Type="{xlsx_writer.VML_REL}" '
                f'Target="{posixpath.relpath(vml, base)}"/></Relationships>',
            ))
        new_rels.append((rel_id, WORKSHEET_REL, posixpath.relpath(part, wb_dir)))
        entries.append((sheet, src, rel_id))

    if styles_part is None:
        styles_part = posixpath.join(wb_dir, "styles.xml")
        while f"rId{n}" in rel_ids:
            n += 1
        rel_ids.add(f"rId{n}")
        new_rels.append((f"rId{n}", STYLES_REL, "styles.xml"))
        styles.changed = True
        overrides["/" + styles_part] = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
        )
    if styles.changed:
        drop.add(styles_part)
        generated.append((styles_part, styles.to_bytes()))

    # workbook.xml: the same document with its <sheets> listing the new order.
    root = etree.fromstring(archive.read(wb_part), _PARSER)
    listing = root.find(MAIN + "sheets")
    if listing is None:
        listing = etree.SubElement(root, MAIN + "sheets")
    listing[:] = []
    for sheet, src, rel_id in entries:
        element = etree.SubElement(listing, MAIN + "sheet")
        if sheet is None:  # kept as it was
            element.set("name", src.name)
            element.set("sheetId", str(src.xlsx_id))
            if src.state != "visible":
                element.set("state", src.state)
            element.set(R_ID, rel_id)
            continue
        element.set("name", sheet.title)
        element.set("sheetId", str(xlsx_ids[sheet.sheet_id]))
        if sheet is meta:
            element.set("state", "veryHidden")
        elif sheet.hidden:
            element.set("state", "veryHidden" if src and src.state == "veryHidden" else "hidden")
        element.set(R_ID, rel_id)
    new_index = {id(src): i for i, (_, src, _) in enumerate(entries) if src is not None}
    names_node = root.find(MAIN + "definedNames")
    if names_node is not None:
        for defined in list(names_node):
            local = defined.get("localSheetId")
            if local is None:
                continue
            old = int(local)
            moved = new_index.get(id(source.sheets[old])) if old < len(source.sheets) else None
            if moved is None:
                names_node.remove(defined)
            else:
                defined.set("localSheetId", str(moved))
    for view in root.iter(MAIN + "workbookView"):
        for attr in ("activeTab", "firstSheet"):
            if int(view.get(attr, "0")) >= len(book.sheets):
                view.set(attr, "0")
    generated.append((wb_part, _xml(root)))

    # The workbook's relationships: every one kept except the tabs (and calc chain) dropped.
    rels_root = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
    for rel in wb_rels:
        target = _target(wb_part, rel.get("Target", ""))
        if rel.get("TargetMode") != "External" and target in drop and target != styles_part:
            continue
        rels_root.append(rel)
    for rel_id, kind, target in new_rels:
        etree.SubElement(rels_root, f"{{{PKG_REL_NS}}}Relationship", Id=rel_id, Type=kind,
                         Target=target)
    generated.append((wb_rels_part, _xml(rels_root)))

    types = etree.fromstring(archive.read("[Content_Types].xml"), _PARSER)
    for node in list(types):
        part = node.get("PartName", "").lstrip("/")
        if node.get("PartName") and part in drop and part not in {p for p, _ in generated}:
            types.remove(node)
    extensions = {node.get("Extension", "").lower() for node in types}
    present = {node.get("PartName") for node in types}
    if "vml" not in extensions:
        etree.SubElement(types, f"{{{CT_NS}}}Default", Extension="vml", ContentType=VML_CT)
    for part, kind in overrides.items():
        if part not in present:
            etree.SubElement(types, f"{{{CT_NS}}}Override", PartName=part, ContentType=kind)
    out.writestr("[Content_Types].xml", _xml(types))

    for info in archive.infolist():
        if info.filename not in drop and info.filename != "[Content_Types].xml":
            out.writestr(_copy_info(info), archive.read(info))
    for part, body in generated:
        out.writestr(part, body)


META_NAME = "_hive_meta"


def _xml(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = zipfile.ZIP_DEFLATED
    copy.external_attr = info.external_attr
    return copy
