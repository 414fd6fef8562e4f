"""Word .docx (and legacy .doc via LibreOffice) to the document model.

python-docx's `Document.paragraphs` skips content controls, text boxes and
tracked insertions, repeats merged cells and drops Word's automatic numbers
("I.", "1.1.", "a)") that plans rely on for their sections. So the body is
walked in XML order here; python-docx's package reader opens the package and
only the three parts the walk needs are read (document, styles, numbering:
see `_open_parts`), not every part `docx.Document()` would read and parse.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import docx as python_docx
from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PACKAGE_URI
from docx.opc.phys_pkg import PhysPkgReader
try:  # python-docx's package reader, below its public API: if a release moves it, the loader reads the whole package
    from docx.opc.pkgreader import _ContentTypeMap, _SerializedRelationships
except ImportError:  # pragma: no cover
    _ContentTypeMap = _SerializedRelationships = None
from docx.parts.styles import StylesPart
from lxml import etree

from models.document import Block, Document
from pipeline.loaders import docx_pages, legacy_fonts
from pipeline.loaders.errors import ConverterMissingError, CorruptFileError, EmptyDocumentError, EncryptedError
from pipeline.loaders.wordml import W, W_SDT, W_SDT_CONTENT, W_VAL, w
from pipeline.loaders.wordml import children as _children, on as _on, val as _val
from pipeline.loaders.layout import LABEL, drop_empty_rows, flatten_columns, fold, is_layout_line, is_layout_table, square

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W_BODY = f"{{{W}}}body"


# Clark names the walk compares against, built once (the walk touches every element).
W_P, W_TBL, W_TR, W_TC, W_R, W_T = w("p"), w("tbl"), w("tr"), w("tc"), w("r"), w("t")
W_PPR, W_RPR, W_TRPR, W_TCPR = w("pPr"), w("rPr"), w("trPr"), w("tcPr")
W_TYPE = w("type")
W_PSTYLE, W_RSTYLE, W_NUMPR, W_IND, W_SECTPR, W_OUTLINE = w("pStyle"), w("rStyle"), w("numPr"), w("ind"), w("sectPr"), w("outlineLvl")
W_PAGE_BREAK_BEFORE, W_B, W_VANISH, W_RFONTS = w("pageBreakBefore"), w("b"), w("vanish"), w("rFonts")
W_ASCII, W_HANSI, W_LEFT, W_START = w("ascii"), w("hAnsi"), w("left"), w("start")
W_TAB, W_PTAB, W_BR, W_CR, W_NB_HYPHEN, W_SYM, W_CHAR = w("tab"), w("ptab"), w("br"), w("cr"), w("noBreakHyphen"), w("sym"), w("char")
W_RENDERED_BREAK = w("lastRenderedPageBreak")
W_GRID_SPAN, W_GRID_BEFORE, W_VMERGE, W_HMERGE = w("gridSpan"), w("gridBefore"), w("vMerge"), w("hMerge")
MC_ALTERNATE, MC_CHOICE, MC_FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"
W_TXBX = w("txbxContent")
GRAPHICS = {w("drawing"), w("pict"), MC_ALTERNATE, w("object")}  # may hold text boxes


SOFFICE_TIMEOUT_S = 120
RIGHT_INDENT_TWIPS = 3600  # 2.5 in: a paragraph indented this far sits in the right column
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

# Wrappers whose children belong to the flow as if the wrapper were absent.
TRANSPARENT = {w("customXml"), w("ins"), w("moveTo"), w("smartTag"), w("hyperlink"), w("fldSimple"),
               w("bdo"), w("dir"), w("sdtContent")}
# Content Word does not print: deletions, moved-away text, field codes, notes' marks.
SKIPPED = {w("del"), w("moveFrom"), w("instrText"), w("delText"), w("footnoteReference"),
           w("endnoteReference"), w("commentReference"), w("annotationRef"), w("pPr"), w("rPr"),
           w("sdtPr"), w("sdtEndPr"), w("fldData")}
UNICODE_VIETNAMESE = re.compile("[\u1ea0-\u1ef9ơưăđƠƯĂĐ]")  # legacy-font text never has these
SYMBOLS = {"F0B7": "•", "00B7": "•", "F02D": "-", "F0A7": "▪", "F0D8": "➢", "F0E0": "→", "F0FC": "✓", "F0A8": "▪"}


# --- Entry points ---------------------------------------------------------------

def load_docx(path: Path) -> Document:
    path = Path(path)
    if _refuse_unreadable(path) == "doc":
        return load_doc(path)  # a legacy .doc saved under a .docx name
    try:
        body, styles_root, numbering_root, table_styles = _open_parts(path)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise CorruptFileError(f"{path.name}: not a readable Word .docx file ({_reason(exc)})") from exc
    styles = Styles(styles_root)
    walker = _Walker(styles, Numbering(numbering_root, styles))
    walker.walk(body, lambda: docx_pages.estimate(body, styles_root, table_styles))
    blocks = walker.blocks()
    warnings = [] if blocks else ["no text (the document may hold only images of scanned pages)"]
    warnings += [f"text converted from the legacy {name} font encoding" for name in sorted(walker.legacy)]
    pages, basis = walker.page_count()
    return Document(source_path=str(path), source_format="docx", blocks=blocks, pages=pages, warnings=warnings,
                    page_basis=basis)


def load_doc(path: Path, timeout: float = SOFFICE_TIMEOUT_S) -> Document:
    """Legacy binary .doc: LibreOffice converts it to .docx, which load_docx reads."""
    path = Path(path)
    _refuse_empty(path)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise ConverterMissingError(
            f"{path.name}: reading legacy .doc files needs LibreOffice (apt-get install libreoffice-writer), "
            "or save the file as .docx")
    with tempfile.TemporaryDirectory(prefix="kehoach-doc-") as tmp:
        profile = Path(tmp, "profile").as_uri()  # a private profile: parallel runs do not lock each other
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
               "--outdir", tmp, str(path.resolve())]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise CorruptFileError(f"{path.name}: LibreOffice did not convert the .doc within {timeout:.0f} s") from exc
        out = Path(tmp, path.stem + ".docx")
        if not out.exists():
            raise CorruptFileError(f"{path.name}: LibreOffice could not convert this .doc (damaged or protected?)")
        doc = load_docx(out)
    doc.source_path = str(path)
    return doc


# python-docx's own XML parser settings, without its element classes: the walk needs plain lxml only.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def _open_parts(path: Path):
    """(body, styles root, numbering root or None, table styles) of a .docx, read through python-docx's
    package reader; the table styles are those cut from the styles part (see `_parse_styles`), or None.

    `docx.Document()` reads every part of the package and parses each XML part
    (headers, footers, comments, settings, …); the loader needs three. So the
    package is opened with python-docx's OPC reader (zip, content types,
    relationships) and only the main document, its styles and numbering are
    read; table styles — most of a Word styles part, never consulted — are cut
    before parsing. Raises what python-docx would: PackageNotFoundError,
    KeyError (a missing part or relationship), ValueError (not a Word document).
    """
    if _ContentTypeMap is None:  # pragma: no cover
        return _open_whole(path)
    reader = PhysPkgReader(str(path))
    try:
        content_types = _ContentTypeMap.from_xml(reader.content_types_xml)
        main = _targets(reader, PACKAGE_URI).get(RT.OFFICE_DOCUMENT)
        if main is None:
            raise KeyError(f"no relationship of type '{RT.OFFICE_DOCUMENT}' in collection")
        if content_types[main] != CT.WML_DOCUMENT_MAIN:
            raise ValueError(f"not a Word file, content type is '{content_types[main]}'")
        document = etree.fromstring(reader.blob_for(main), _PARSER)
        related = _targets(reader, main)
        table_styles = None
        if RT.STYLES in related:
            styles, table_styles = _parse_styles(reader.blob_for(related[RT.STYLES]))
        else:  # python-docx supplies its default styles then
            styles = StylesPart.default(None).element
        numbering = etree.fromstring(reader.blob_for(related[RT.NUMBERING]), _PARSER) if RT.NUMBERING in related else None
    finally:
        reader.close()
    body = document.find(W_BODY)
    if body is None:
        raise ValueError("the main document part has no body")
    return body, styles, numbering, table_styles


def _targets(reader, source_uri) -> dict:
    """{relationship type: partname} of the internal relationships of `source_uri` (its package part)."""
    rels_xml = reader.rels_xml_for(source_uri)
    if rels_xml is None:
        return {}
    found: dict = {}
    for rel in _SerializedRelationships.load_from_xml(source_uri.baseURI, rels_xml):
        if not rel.is_external:
            found.setdefault(rel.reltype, rel.target_partname)
    return found


def _open_whole(path: Path):  # pragma: no cover - only when python-docx has moved its package reader
    """The same three roots through `docx.Document()`, which reads and parses every part."""
    package = python_docx.Document(str(path))
    try:
        numbering = package.part.numbering_part.element
    except (NotImplementedError, KeyError, AttributeError):
        numbering = None
    return package.element.body, package.styles.element, numbering, None


_STYLE_HEAD = re.compile(rb"<w:(style|latentStyles)\b[^>]*>")
_TABLE_TYPE = re.compile(rb"""\sw:type\s*=\s*["']table["']""")
_STYLES_ROOT = re.compile(rb"<w:styles\b[^>]*>")
_STYLE_ID = re.compile(rb"""\sw:styleId\s*=\s*["']([^"']*)["']""")


def _parse_styles(blob: bytes):
    """(root, table styles) of the styles part: the root without its table styles and latent-style list
    (parsed whole if that fails), and the table styles cut, which the page estimate parses one by one when
    a table asks for one (docx_pages.CutStyles; None when none were cut)."""
    cut: dict[bytes, bytes] = {}
    try:
        root = etree.fromstring(_without_table_styles(blob, cut), _PARSER)
    except etree.XMLSyntaxError:
        return etree.fromstring(blob, _PARSER), None
    head = _STYLES_ROOT.search(blob)
    if not cut or head is None:
        return root, None
    return root, docx_pages.CutStyles(head.group(), {k.decode("utf-8", "replace"): v for k, v in cut.items()})


def _without_table_styles(blob: bytes, cut: dict[bytes, bytes] | None = None) -> bytes:
    """The XML text with `<w:style w:type="table">…</w:style>` and `<w:latentStyles>…</w:latentStyles>` cut out
    (the table styles' text put in `cut` by style id).

    Neither nests, so each ends at its next closing tag. Only the usual `w:`
    prefix is recognised: another prefix leaves the text whole (slower, same result).
    """
    parts, pos = [], 0
    m = _STYLE_HEAD.search(blob)
    while m:
        end = m.end()
        if m.group(1) == b"latentStyles" or _TABLE_TYPE.search(m.group()):
            if not m.group().endswith(b"/>"):
                close = b"</w:%s>" % m.group(1)
                end = blob.find(close, end)
                if end < 0:
                    return blob
                end += len(close)
            parts.append(blob[pos:m.start()])
            style_id = _STYLE_ID.search(m.group()) if cut is not None and m.group(1) == b"style" else None
            if style_id:
                cut.setdefault(style_id.group(1), blob[m.start():end])
            pos = end
        m = _STYLE_HEAD.search(blob, end)
    if not parts:
        return blob
    parts.append(blob[pos:])
    return b"".join(parts)


def _refuse_empty(path: Path) -> None:
    if not path.exists():
        raise CorruptFileError(f"{path.name}: file not found")
    if path.stat().st_size == 0:
        raise EmptyDocumentError(f"{path.name}: the file is empty (0 bytes)")


def _refuse_unreadable(path: Path) -> str:
    """'docx' or 'doc' from the file's bytes; zero bytes and password-protected files are refused.

    Word saves a password-protected .docx as an OLE container holding an
    'EncryptedPackage' stream, the same container a legacy .doc uses.
    """
    _refuse_empty(path)
    with path.open("rb") as fh:
        head = fh.read(8)
        if head != OLE_MAGIC:
            return "docx"
        data = head + fh.read()
    if ENCRYPTED_STREAM in data:
        raise EncryptedError(f"{path.name}: the Word file is password-protected; save an unprotected copy")
    return "doc"


def _reason(exc: Exception) -> str:
    if isinstance(exc, (PackageNotFoundError, zipfile.BadZipFile)):
        return "not a ZIP package"
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


# --- Styles and numbering ------------------------------------------------------------

class Styles:
    """What a paragraph inherits through its style chain: numbering, bold, heading level.

    Every answer depends on the style ids only, so each is worked out once per id.
    """

    def __init__(self, root) -> None:
        self._by_id = {s.get(w("styleId")): s for s in root.iterfind(w("style"))}
        self._chains: dict[str | None, tuple] = {}
        self._fonts: dict[tuple, str] = {}
        self._numbering: dict[str | None, tuple[str | None, str | None]] = {}
        self._bold: dict[str | None, bool] = {}
        self._char_bold: dict[str, bool | None] = {}
        self._heading: dict[str | None, int] = {}
        default = [s for s in root.iterfind(w("style"))
                   if s.get(w("type")) == "paragraph" and s.get(w("default")) in ("1", "true", "on")]
        self._default = default[0].get(w("styleId")) if default else None
        dflt = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self._default_bold = dflt is not None and _on(dflt.find(W_B))
        fonts = dflt.find(W_RFONTS) if dflt is not None else None
        self._default_font = (fonts.get(W_ASCII) or fonts.get(W_HANSI) or "") if fonts is not None else ""

    def _chain(self, style_id: str | None) -> tuple:
        """The style and the styles it is based on, nearest first (cached: every run asks)."""
        style_id = style_id or self._default
        if style_id not in self._chains:
            chain, seen, sid = [], set(), style_id
            while sid and sid not in seen and sid in self._by_id:
                seen.add(sid)
                chain.append(self._by_id[sid])
                sid = _val(self._by_id[sid], "basedOn")
            self._chains[style_id] = tuple(chain)
        return self._chains[style_id]

    def numbering_of(self, style_id: str | None) -> tuple[str | None, str | None]:
        found = self._numbering.get(style_id)
        if found is None:
            found = self._numbering[style_id] = self._find_numbering(style_id)
        return found

    def _find_numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        for style in self._chain(style_id):
            numpr = style.find(f"{W_PPR}/{W_NUMPR}")
            if numpr is not None:
                return _val(numpr, "numId"), _val(numpr, "ilvl")
        return None, None

    def bold_of(self, style_id: str | None) -> bool:
        found = self._bold.get(style_id)
        if found is None:
            found = self._bold[style_id] = self._style_bold(style_id, self._default_bold)
        return found

    def _style_bold(self, style_id: str | None, otherwise):
        for style in self._chain(style_id):
            b = style.find(f"{W_RPR}/{W_B}")
            if b is not None:
                return _on(b)
        return otherwise

    def run_bold(self, b, char_style: str | None, para_bold: bool) -> bool:
        """A run's bold: its own w:b (`b`, the element or None), else its character style's, else the paragraph's."""
        if b is not None:
            return _on(b)
        if not char_style:
            return para_bold
        if char_style not in self._char_bold:
            self._char_bold[char_style] = self._style_bold(char_style, None)
        found = self._char_bold[char_style]
        return para_bold if found is None else found

    def run_font(self, fonts, char_style: str | None, para_style: str | None) -> str:
        """The run's Latin font name: direct (`fonts`, its w:rFonts or None), else its character style,
        paragraph style, defaults."""
        if fonts is not None:
            direct = fonts.get(W_ASCII) or fonts.get(W_HANSI)
            if direct:
                return direct
        key = (char_style, para_style)
        if key not in self._fonts:
            self._fonts[key] = self._default_font
            for style in (self._chain(key[0]) if key[0] else ()) + self._chain(para_style):
                fonts = style.find(f"{W_RPR}/{W_RFONTS}")
                if fonts is not None and (fonts.get(W_ASCII) or fonts.get(W_HANSI)):
                    self._fonts[key] = fonts.get(W_ASCII) or fonts.get(W_HANSI)
                    break
        return self._fonts[key]

    def heading_level(self, style_id: str | None, outline) -> int:
        """Word heading styles (and Title/Subtitle, outline levels) are headings; the rest paragraphs.

        `outline` is the paragraph's own w:outlineLvl (or None); it wins over the style.
        """
        direct = _int(outline.get(W_VAL) if outline is not None else None, 9)
        if direct < 9:
            return direct + 1
        found = self._heading.get(style_id)
        if found is None:
            found = self._heading[style_id] = self._style_heading(style_id)
        return found

    def _style_heading(self, style_id: str | None) -> int:
        for style in self._chain(style_id):
            name = (_val(style, "name") or "").lower()
            m = re.fullmatch(r"heading\s*([1-9])", name)
            if m:
                return int(m.group(1))
            if name in ("title", "subtitle"):
                return 1 if name == "title" else 2
            outline = _int(_val(style.find(W_PPR), "outlineLvl"), 9)
            if outline < 9:
                return outline + 1
        return 0


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: 0 never, N after level N; None after any higher level
    legal: bool = False


BULLETS = {"\uf0b7": "•", "·": "•", "\uf0a7": "▪", "§": "▪", "\uf02d": "-", "\uf0d8": "➢", "Ø": "➢",
           "\uf0fc": "✓", "ü": "✓", "\uf06e": "▪", "\uf076": "❖", "\uf0e0": "→", "o": "o"}


class Numbering:
    """Word's automatic paragraph numbers, rebuilt as the text Word shows ("II.", "1.2.", "a)", "-")."""

    def __init__(self, root, styles: Styles) -> None:
        self._styles = styles
        self._links: dict[str, str] = {}
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self.counters: dict[object, list[int | None]] = {}
        self._merged: dict[str, dict[int, _Level]] = {}
        if root is None:
            return
        for absn in root.iterfind(w("abstractNum")):
            aid = absn.get(w("abstractNumId"))
            self.abstract[aid] = {int(l.get(w("ilvl"), "0")): _level(l) for l in absn.iterfind(w("lvl"))}
            link = _val(absn, "numStyleLink")
            if link:
                self._links[aid] = link
        for num in root.iterfind(w("num")):
            starts, levels = {}, {}
            for ov in num.iterfind(w("lvlOverride")):
                ilvl = int(ov.get(w("ilvl"), "0"))
                start = _val(ov, "startOverride")
                if start is not None:
                    starts[ilvl] = _int(start, 1)
                if ov.find(w("lvl")) is not None:
                    levels[ilvl] = _level(ov.find(w("lvl")))
            self.nums[num.get(w("numId"))] = (_val(num, "abstractNumId"), starts, levels)

    def _levels(self, num_id: str, depth: int = 0) -> dict[int, _Level]:
        aid, _, overrides = self.nums[num_id]
        levels = self.abstract.get(aid, {})
        link = self._links.get(aid)  # a list style: the levels live in the style's own list
        if link and depth < 3:
            linked_num, _ = self._styles.numbering_of(link)
            if linked_num in self.nums and self.nums[linked_num][0] != aid:
                levels = self._levels(linked_num, depth + 1)
        return {**levels, **overrides}

    def label_for(self, numpr, style_num: tuple[str | None, str | None]) -> str:
        """The number Word prints before a paragraph with this w:numPr (or None) and style numbering."""
        if numpr is None:
            num_id, ilvl = style_num
            if not num_id:
                return ""
            ilvl = _int(ilvl, 0)
        else:
            num_id = _val(numpr, "numId") or style_num[0]
            ilvl = _int(_val(numpr, "ilvl") or style_num[1], 0)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        levels = self._merged.get(num_id)
        if levels is None:
            levels = self._merged[num_id] = self._levels(num_id)
        level = levels.get(ilvl)
        if level is None:
            return ""
        aid, starts, _ = self.nums[num_id]
        key = ("num", num_id) if starts else ("abstract", aid)  # plain instances share the list

        def start(i: int) -> int:
            return starts.get(i, levels[i].start if i in levels else 1)

        counts = self.counters.setdefault(key, [None] * 9)
        counts[ilvl] = start(ilvl) if counts[ilvl] is None else counts[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            rule = levels[deeper].restart if deeper in levels else None
            if rule is None or (rule and ilvl <= rule - 1):
                counts[deeper] = None
        if level.fmt == "bullet":
            return "".join(BULLETS.get(ch, ch) for ch in level.text).strip() or "•"
        if level.fmt == "none":
            return fold(re.sub(r"%\d", "", level.text))

        def number(match: re.Match) -> str:
            i = int(match.group(1)) - 1
            value = counts[i] if counts[i] is not None else start(i)
            fmt = "decimal" if level.legal and i != ilvl else (levels[i].fmt if i in levels else "decimal")
            return _format_number(value, fmt)

        return fold(re.sub(r"%([1-9])", number, level.text))


def _level(el) -> _Level:
    restart = _val(el, "lvlRestart")
    return _Level(
        fmt=_val(el, "numFmt") or "decimal",
        text=_val(el, "lvlText") if _val(el, "lvlText") is not None else "",
        start=_int(_val(el, "start"), 1),
        restart=_int(restart, 0) if restart is not None else None,
        legal=_on(el.find(w("isLgl"))),
    )


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


# --- Walking the body -------------------------------------------------------------

@dataclass
class _Para:
    """A paragraph before layout decisions: raw text keeps tabs and line breaks."""
    text: str
    bold: bool
    level: int
    page: int | None
    indent: int = 0  # left indent in twips: a signature pushed right has a large one


@dataclass
class _Table:
    rows: list[list[list[str]]]  # rows → cells → cell lines ("" cells for spans)
    bold: list[list[bool]]
    page: int | None
    # Estimated pages only (see _Walker.estimate): each row's, and each cell line's (rows → cells → lines).
    row_pages: list[int | None] = field(default_factory=list)
    line_pages: list[list[list[int | None]]] = field(default_factory=list)


@dataclass
class _Walker:
    styles: Styles
    numbering: Numbering
    items: list = field(default_factory=list)
    page: int = 1
    counts_pages: bool = False
    rendered_breaks: bool = False
    explicit_breaks: bool = False
    # Without rendered breaks, pages come from the flow model (docx_pages.Estimate): explicit breaks are
    # exact there too, and it fills the pages between them. Its last page met is what an element it did not
    # place (a text box's paragraph) is on.
    estimate: docx_pages.Estimate | None = None
    _estimated: int = 1
    _lead_break: bool = False
    _para_style: str | None = None
    legacy: set = field(default_factory=set)  # legacy font encodings met ("TCVN3", "VNI")
    _encodings: dict = field(default_factory=dict)  # font name → legacy encoding or None

    def walk(self, body: etree._Element, layout=None) -> None:
        """Walk the body; `layout` (no arguments, gives a docx_pages.Estimate) is called when the file
        records no rendered page breaks. Without it, pages are counted from explicit breaks alone."""
        self.rendered_breaks = next(body.iter(W_RENDERED_BREAK), None) is not None
        self.explicit_breaks = not self.rendered_breaks and _has_explicit_breaks(body)
        self.counts_pages = self.rendered_breaks or self.explicit_breaks
        if not self.rendered_breaks and layout is not None:
            self.estimate = layout()
        self._flow(body, self.items)

    @property
    def cur_page(self) -> int | None:
        return self.page if self.counts_pages else None

    def page_at(self, el) -> int | None:
        """The page `el` (w:p, w:tbl, w:tr) starts on: the flow model's when there is one, else the count."""
        if self.estimate is None:
            return self.cur_page
        self._estimated = self.estimate.pages.get(el, self._estimated)
        return self._estimated

    def page_count(self) -> tuple[int | None, str]:
        """(pages, page basis) of the document: see models.document.Document.page_basis."""
        if self.rendered_breaks:
            return self.page, "rendered"
        if self.estimate is not None:
            exact = self.explicit_breaks and not self.estimate.overflow
            return self.estimate.count, "explicit" if exact else "estimated"
        # Explicit breaks number the blocks' pages but give only a lower bound for the count: Word decides the rest.
        return None, "explicit" if self.explicit_breaks else ""

    def _flow(self, container, out: list) -> None:
        for el in _children(container):
            tag = el.tag
            if tag == W_P:
                self._paragraph(el, out)
            elif tag == W_TBL:
                nested: list = []
                out.append(self._table(el, nested))
                out.extend(nested)

    # Paragraphs -------------------------------------------------------------
    def _paragraph(self, p, out: list) -> None:
        ppr = _first_child(p, W_PPR)
        props = _props(ppr)
        style = props.get(W_PSTYLE)
        style_id = style.get(W_VAL) if style is not None else None
        if not self.rendered_breaks and _on(props.get(W_PAGE_BREAK_BEFORE)):
            self.page += 1
        start_page = self.page_at(p)
        styles = self.styles
        label = self.numbering.label_for(props.get(W_NUMPR), styles.numbering_of(style_id))
        segments: list[tuple[str, bool]] = []
        boxes: list = []
        self._lead_break = False
        self._para_style = style_id
        self._inline(p, segments, boxes, styles.bold_of(style_id))
        if self._lead_break and start_page is not None:
            start_page += 1
        raw = "".join([t for t, _ in segments])
        visible = [b for t, b in segments if t.strip()]
        bold = bool(visible) and all(visible)
        if label:  # Word prints the number even on an empty line (STT cells are exactly that)
            raw = (label + " " + raw.lstrip()).rstrip(" ")
        indent = props.get(W_IND)
        left = _int(indent.get(W_LEFT, indent.get(W_START)) if indent is not None else None, 0)
        out.append(_Para(raw, bold, styles.heading_level(style_id, props.get(W_OUTLINE)), start_page, left))
        for box in boxes:
            self._flow(box, out)
        sect = props.get(W_SECTPR)
        if sect is not None and not self.rendered_breaks:
            kind = _val(sect, "type") or "nextPage"
            if kind != "continuous":
                self.page += 1

    def _inline(self, el, segments: list, boxes: list, para_bold: bool) -> None:
        for child in el:
            tag = child.tag
            if tag == W_R:
                self._run(child, segments, boxes, para_bold)
            elif tag in SKIPPED or not isinstance(tag, str):
                continue
            elif tag == W_SDT:
                content = child.find(W_SDT_CONTENT)
                if content is not None:
                    self._inline(content, segments, boxes, para_bold)
            elif tag in TRANSPARENT:
                self._inline(child, segments, boxes, para_bold)
            elif tag == MC_ALTERNATE:
                choice = child.find(MC_CHOICE)
                if choice is not None:
                    self._inline(choice, segments, boxes, para_bold)

    def _run(self, r, segments: list, boxes: list, para_bold: bool) -> None:
        rpr = _first_child(r, W_RPR)
        props = _props(rpr)
        if _on(props.get(W_VANISH)):
            return
        char_style = props.get(W_RSTYLE)
        char_style = char_style.get(W_VAL) if char_style is not None else None
        styles = self.styles
        bold = styles.run_bold(props.get(W_B), char_style, para_bold)
        font = styles.run_font(props.get(W_RFONTS), char_style, self._para_style)
        encodings = self._encodings
        if font not in encodings:
            encodings[font] = legacy_fonts.font_encoding(font)
        encoding = encodings[font]
        for child in r:
            tag = child.tag
            if tag == W_T:
                text = child.text or ""
                if encoding and not UNICODE_VIETNAMESE.search(text):
                    text = legacy_fonts.convert(text, encoding)
                    self.legacy.add(encoding.split("-")[0].upper())
                segments.append((text, bold))
            elif tag == W_RPR:
                continue
            elif tag == W_TAB or tag == W_PTAB:
                segments.append(("\t", bold))
            elif tag == W_BR:
                kind = child.get(W_TYPE)
                if kind == "page":
                    if not self.rendered_breaks:
                        self.page += 1
                    segments.append((" ", bold))
                else:
                    segments.append(("\n" if kind != "column" else " ", bold))
            elif tag == W_CR:
                segments.append(("\n", bold))
            elif tag == W_NB_HYPHEN:
                segments.append(("-", bold))
            elif tag == W_SYM:
                segments.append((SYMBOLS.get((child.get(W_CHAR) or "").upper(), ""), bold))
            elif tag == W_RENDERED_BREAK:
                self.page += 1
                if not any(t.strip() for t, _ in segments):
                    self._lead_break = True  # the paragraph itself starts on the new page
            elif tag in GRAPHICS:
                boxes.extend(_text_boxes(child))

    # Tables -----------------------------------------------------------------
    def _table(self, tbl, nested: list) -> _Table:
        page = self.page_at(tbl)
        rows, bolds, row_pages, line_pages = [], [], [], []
        for tr in _children(tbl, W_TR):
            if self.estimate is not None:
                row_pages.append(self.page_at(tr))
            trpr = _first_child(tr, W_TRPR)
            row: list[list[str]] = [[] for _ in range(_int(_val(trpr, "gridBefore"), 0))]
            row_bold = [False] * len(row)
            pages: list[list[int | None]] = [[] for _ in row]
            for tc in _children(tr, W_TC):
                props = _props(_first_child(tc, W_TCPR))
                span = props.get(W_GRID_SPAN)
                span = max(1, _int(span.get(W_VAL) if span is not None else None, 1))
                continued = _merge_continues(props)
                cell_items: list = []
                self._flow_cell(tc, cell_items, nested)
                paras = [it for it in cell_items if isinstance(it, _Para)]
                lines = [] if continued else [p.text for p in paras if p.text.strip()]
                row.append(lines)
                pages.append([] if continued else [p.page for p in paras if p.text.strip()])
                row_bold.append(bool(paras) and all(p.bold for p in paras if p.text.strip()))
                row.extend([] for _ in range(span - 1))
                pages.extend([] for _ in range(span - 1))
                row_bold.extend([False] * (span - 1))
            rows.append(row)
            bolds.append(row_bold)
            line_pages.append(pages)
        return _Table(rows, bolds, page, row_pages, line_pages if self.estimate is not None else [])

    def _flow_cell(self, tc, out: list, nested: list) -> None:
        for el in _children(tc):
            tag = el.tag
            if tag == W_P:
                self._paragraph(el, out)
            elif tag == W_TBL:
                inner: list = []
                nested.append(self._table(el, inner))
                nested.extend(inner)

    # Output -----------------------------------------------------------------
    def blocks(self) -> list[Block]:
        blocks: list[Block] = []
        items = self.items
        i = 0
        while i < len(items):
            item = items[i]
            if isinstance(item, _Table):
                blocks.extend(_table_blocks(item))
                i += 1
                continue
            j = _tab_run_end(items, i)
            group = items[i:j]
            if group and any(is_layout_line(part) for p in group for part in _columns_of(p)):
                blocks.extend(_flatten_tab_group(group))
                i = j
                continue
            blocks.extend(_para_blocks(item))
            i += 1
        return blocks


# --- Paragraph and table output -------------------------------------------------------

def _para_blocks(p: _Para) -> list[Block]:
    """One block per paragraph; a header/signature paragraph with line breaks keeps its lines."""
    lines = [fold(l) for l in p.text.split("\n")]
    lines = [l for l in lines if l]
    if not lines:
        return []
    if len(lines) > 1 and any(is_layout_line(l) for l in lines):
        return [Block("paragraph", text=l, page=p.page, bold=p.bold) for l in lines]
    kind = "heading" if p.level else "paragraph"
    return [Block(kind, text=fold(p.text), page=p.page, level=p.level, bold=p.bold)]


def _tab_columns(text: str) -> list[str]:
    """'LEFT<tabs>RIGHT' → [left, right]; [] when tabs only indent or follow a label ('a)<tab>…').

    With several tab runs ("Số:<tab>/KH-UBND<tab><tab>Kiến Tường, ngày …") the
    split is the one whose right part reads like a header/signature line, else
    the longest run (the last of equals).
    """
    if "\t" not in text.strip(" \n"):
        return []
    lines = [l for l in text.split("\n") if l.strip()]
    if len(lines) != 1:
        return []
    line = lines[0].strip(" ")
    runs = list(re.finditer(r"\t+", line))
    best = max(runs, key=lambda m: (is_layout_line(line[m.end():]), len(m.group()), m.start()))
    left, right = fold(line[:best.start()]), fold(line[best.end():])
    if not right or (left and LABEL.match(left + " ") and len(left) <= 6):
        return []
    return [left, right]


def _tab_run_end(items: list, i: int) -> int:
    """End of a run of tab-separated two-column lines starting at i (i itself when there is none).

    Short untabbed lines between them belong to the run ("- Lưu: VT." with
    nothing on its right); anything long, or a table, ends it.
    """
    last = i - 1
    j = i
    while j < len(items) and isinstance(items[j], _Para):
        if _tab_columns(items[j].text):
            last = j
        elif items[j].text.strip() and (len(fold(items[j].text)) > 80 or j - last > 2 or last < i):
            break
        j += 1
    return last + 1


def _columns_of(p: _Para) -> list[str]:
    """[left, right] of a line in a two-column run; an untabbed line sits left unless indented far right."""
    parts = _tab_columns(p.text)
    if parts:
        return parts
    text = fold(p.text)
    return ["", text] if p.indent >= RIGHT_INDENT_TWIPS else [text, ""]


def _flatten_tab_group(group: list[_Para]) -> list[Block]:
    cols = [(p, _columns_of(p)) for p in group]
    lefts = [(p, c[0]) for p, c in cols]
    rights = [(p, c[1]) for p, c in cols]
    return [Block("paragraph", text=t, page=p.page, bold=p.bold) for p, t in lefts + rights if t]


def _table_blocks(t: _Table) -> list[Block]:
    ncols = max((len(r) for r in t.rows), default=0)
    columns = [[_split_lines(r[c]) if c < len(r) else [] for r in t.rows] for c in range(ncols)]
    squared = square([[fold(" ".join(cell)) for cell in r] for r in t.rows])
    rows = drop_empty_rows(squared)
    if is_layout_table(columns) or len(rows) < 2 or ncols < 2:
        def bold(c: int, r: int, _i: int) -> bool:
            return c < len(t.bold[r]) and t.bold[r][c]
        blocks = flatten_columns(columns, t.page, bold)
        if t.line_pages:  # a signature table's row broken across pages: each line keeps its own page
            pages = _flattened_pages(t, ncols)
            if len(pages) == len(blocks):
                for block, page in zip(blocks, pages):
                    block.page = page
        return blocks
    kept = [p for p, r in zip(t.row_pages, squared) if any(r)] if len(t.row_pages) == len(squared) else []
    return [Block("table", rows=rows, page=t.page, row_pages=kept)]


def _flattened_pages(t: _Table, ncols: int) -> list[int | None]:
    """The page of each block `flatten_columns` makes of `t`, in its order (columns, rows, lines)."""
    out = []
    for c in range(ncols):
        for r, row in enumerate(t.rows):
            cell = row[c] if c < len(row) else []
            pages = t.line_pages[r][c] if r < len(t.line_pages) and c < len(t.line_pages[r]) else []
            for k, line in enumerate(cell):
                page = pages[k] if k < len(pages) else t.page
                out += [page for x in line.split("\n") if x.strip() and fold(x)]
    return out


def _split_lines(lines: list[str]) -> list[str]:
    return [x for line in lines for x in line.split("\n") if x.strip()]


# --- XML helpers --------------------------------------------------------------



def _first_child(el, tag: str):
    """`el.find(tag)`, quicker for the usual case where it is the first child (w:pPr, w:rPr, w:tcPr)."""
    if len(el):
        first = el[0]
        if first.tag == tag:
            return first
        return el.find(tag)
    return None


_NO_PROPS: dict = {}


def _props(el) -> dict:
    """A properties element's children by tag, the first of each (what `find` would give): one pass
    instead of one search per property."""
    if el is None:
        return _NO_PROPS
    return {child.tag: child for child in el.iterchildren(reversed=True)}


def _text_boxes(el) -> list:
    """txbxContent of shapes, once: the VML fallback repeats the DrawingML choice."""
    found = []
    for box in el.iter(W_TXBX):
        if any(a.tag == MC_FALLBACK for a in box.iterancestors()):
            continue
        found.append(box)
    return found


def _has_explicit_breaks(body) -> bool:
    for br in body.iter(w("br")):
        if br.get(w("type")) == "page":
            return True
    if body.find(f".//{w('pageBreakBefore')}") is not None:
        return True
    for sect in body.iterfind(f".//{w('pPr')}/{w('sectPr')}"):
        if (_val(sect, "type") or "nextPage") != "continuous":
            return True
    return False




def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default




def _merge_continues(tcpr_props: dict) -> bool:
    """A cell that continues a vertical or horizontal merge (`tcpr_props`: its w:tcPr children by tag)."""
    for tag in (W_VMERGE, W_HMERGE):
        el = tcpr_props.get(tag)
        if el is not None and el.get(W_VAL, "continue") == "continue":
            return True
    return False
