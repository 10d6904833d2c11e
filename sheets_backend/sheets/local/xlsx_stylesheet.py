"""styles.xml with the cell formats Hive writes appended: existing indexes never change, and a
format already there (from the teacher or an earlier save) is found, not added again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

from sheets_backend.sheets.local import xlsx_writer

MAIN = f"{{{xlsx_writer.MAIN_NS}}}"
_PARSER = etree.XMLParser(remove_blank_text=False, resolve_entities=False, huge_tree=True)


def _key(element: Any) -> Any:
    tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
    return (tag, tuple(sorted(element.attrib.items())), tuple(_key(c) for c in element))


class StyleSheet:
    """styles.xml, with the cell formats Hive needs appended (existing indexes never change)."""

    def __init__(self, data: bytes) -> None:
        self.root = etree.fromstring(data, _PARSER)
        self.changed = False
        self._memo: dict[Any, int] = {}
        self._sections: dict[str, tuple[Any, dict[Any, int]]] = {}

    def _section(self, name: str, after: Iterable[str]) -> tuple[Any, dict[Any, int]]:
        if name not in self._sections:
            node = self.root.find(MAIN + name)
            if node is None:
                node = etree.Element(MAIN + name, count="0")
                position = 0
                for i, child in enumerate(self.root):
                    if isinstance(child.tag, str) and etree.QName(child).localname in after:
                        position = i + 1
                self.root.insert(position, node)
            index = {}
            for i, child in enumerate(node):
                index.setdefault(_key(child), i)
            self._sections[name] = (node, index)
        return self._sections[name]

    def _add(self, name: str, xml: str, after: Iterable[str] = ()) -> int:
        node, index = self._section(name, after)
        element = etree.fromstring(xml, _PARSER)
        key = _key(element)
        if key in index:
            return index[key]
        node.append(element)
        index[key] = len(node) - 1
        node.set("count", str(len(node)))
        self.changed = True
        return index[key]

    def _num_fmt(self, pattern: str | None) -> int:
        if not pattern or pattern == "General":
            return 0
        if pattern in BUILTIN_FORMATS_REVERSE:
            return int(BUILTIN_FORMATS_REVERSE[pattern])
        node, _ = self._section("numFmts", ())
        ids = [int(n.get("numFmtId", "0")) for n in node]
        for n in node:
            if n.get("formatCode") == pattern:
                return int(n.get("numFmtId", "0"))
        new = max([163, *ids]) + 1
        self._add(
            "numFmts",
            f'<numFmt xmlns="{xlsx_writer.MAIN_NS}" numFmtId="{new}" '
            f'formatCode="{xlsx_writer.text(pattern)}"/>',
        )
        return new

    def index(self, fmt: dict[str, Any]) -> int:
        """The cellXfs index of a Sheets CellFormat (0 for the default look)."""
        key = style_key(fmt)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._xf(fmt)
        return found

    def _xf(self, fmt: dict[str, Any]) -> int:
        ns = f'xmlns="{xlsx_writer.MAIN_NS}"'
        text = fmt.get("textFormat") or {}
        font_id = 0
        if any(text.get(k) for k in ("bold", "italic", "foregroundColor", "fontSize")):
            parts = ["<b/>" if text.get("bold") else "", "<i/>" if text.get("italic") else ""]
            parts.append(f'<sz val="{text.get("fontSize") or 11}"/>')
            if text.get("foregroundColor"):
                parts.append(f'<color rgb="{xlsx_writer.hex_colour(text["foregroundColor"])}"/>')
            parts.append('<name val="Calibri"/><family val="2"/>')
            font_id = self._add("fonts", f"<font {ns}>{''.join(parts)}</font>", ("numFmts",))
        fill_id = 0
        if fmt.get("backgroundColor"):
            rgb = xlsx_writer.hex_colour(fmt["backgroundColor"])
            fill_id = self._add(
                "fills",
                f'<fill {ns}><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
                f'<bgColor indexed="64"/></patternFill></fill>',
                ("numFmts", "fonts"),
            )
        num_id = self._num_fmt((fmt.get("numberFormat") or {}).get("pattern"))
        horizontal = (fmt.get("horizontalAlignment") or "").lower()
        wrap = fmt.get("wrapStrategy") == "WRAP"
        alignment = ""
        if horizontal or wrap:
            alignment = "<alignment" + (f' horizontal="{horizontal}"' if horizontal else "")
            alignment += (' wrapText="1"' if wrap else "") + "/>"
        if not (font_id or fill_id or num_id or alignment):
            return 0
        applied = "".join(
            f' {name}="1"'
            for name, on in (
                ("applyNumberFormat", num_id), ("applyFont", font_id),
                ("applyFill", fill_id), ("applyAlignment", alignment),
            )
            if on
        )
        return self._add(
            "cellXfs",
            f'<xf {ns} numFmtId="{num_id}" fontId="{font_id}" fillId="{fill_id}" borderId="0" '
            f'xfId="0"{applied}>{alignment}</xf>',
            ("numFmts", "fonts", "fills", "borders", "cellStyleXfs"),
        )

    def to_bytes(self) -> bytes:
        return bytes(etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True))


def style_key(fmt: dict[str, Any]) -> Any:
    """What of a CellFormat an .xlsx style holds (formats equal here share one style)."""
    text = fmt.get("textFormat") or {}
    return (
        repr(fmt.get("backgroundColor")),
        bool(text.get("bold")),
        bool(text.get("italic")),
        repr(text.get("foregroundColor")),
        text.get("fontSize"),
        fmt.get("horizontalAlignment"),
        fmt.get("wrapStrategy"),
        (fmt.get("numberFormat") or {}).get("pattern"),
    )



EMPTY_STYLES = (
    f'<styleSheet xmlns="{xlsx_writer.MAIN_NS}"><fonts count="1"><font><sz val="11"/>'
    '<name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill>'
    '<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
