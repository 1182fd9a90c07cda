"""Filling a Word template: docxtpl's template language, rendered straight into the package.

Template syntax is docxtpl's (``{{ x }}``, ``{%tr for r in rows %}``,
``{%p if … %}``, ``{%tc for … %}``, ``{%r … %}``); pictures (signature images,
charts) are printed with ``{{ signatures.operator.image }}`` /
``{{ charts.sla_trend }}``. Built-in and client templates take the same path.

How (one :class:`WordTemplate` per template file, compiled once per process —
see :mod:`app.export.render`):

- **Compile.** The package is read once (:class:`~app.export.ooxml.Package`).
  The parts docxtpl renders — the document body, headers, footers, footnotes
  and the text core properties — are turned into Jinja source by docxtpl's own
  preprocessing (``DocxTemplate.patch_xml``), exactly as docxtpl does, and
  compiled once in the sandboxed environment.
- **Render.** Each part's compiled template is run over the context and the
  result put between the part's unchanged head and tail (the root element
  around ``<w:body>``); nothing is parsed into a tree except for
  ``{%tc %}`` column loops, which need docxtpl's table fix-up. Pictures are
  emitted as inline drawings directly: each distinct image is stored once per
  document (``word/media``) and every use refers to the same relationship;
  ``wp:docPr`` ids are unique.
- **Write.** Unchanged parts are copied as already-compressed bytes
  (:class:`~app.export.ooxml.ZipWriter`); only rendered parts, new
  relationships, images and content types are written.

Client templates are untrusted: their output is parsed (strictly) before it is
written, so a template whose structure breaks under some data is refused with
a clear error instead of producing a file Word cannot open. The built-in
templates' output is well-formed by construction (every value is escaped by
the environment's ``finalize``; the structure is the template's, checked by the
tests), so that parse is skipped for them.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError
from lxml import etree

from app.export import budget, compile_cache, ooxml
from app.export import charts as charts_mod
from app.export.context import Chart, FormContext, Image
from app.export.errors import TemplateError
from app.export.sandbox import SandboxEnv, clean_text, drawing, explain, to_template

_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
#: As python-docx reads a part (what docxtpl's preprocessing expects to see).
_OXML_PARSER = etree.XMLParser(
    remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=True
)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
#: The core properties docxtpl renders (python-docx names → elements).
_PROPS = ("creator", "description", "identifier", "language", "subject", "title")
_DOCPR = re.compile(r'(<wp:docPr\b[^>]*?\bid=")(\d+)(")')
_SYNTAX = ("{%", "{{", "{#")
#: Grid width (twips) that marks the three cells of a ``{%tc for %}`` column loop in
#: the built-in templates: the columns it makes share the room left by the others.
LOOP_MARK = "567"

ChartPng = Callable[[Chart], "bytes | None"]


@functools.cache
def docxtpl() -> Any:
    """docxtpl's preprocessing (``patch_xml``) and table fix-up (``fix_tables``): text
    functions of a template object whose file is never opened (docxtpl reads it only
    when rendering). Imported on first use: a template compiled before (kept by
    :mod:`app.export.compile_cache`) without column loops never needs docxtpl.
    tests/test_library_contracts.py holds docxtpl to them."""
    from docxtpl import DocxTemplate

    return DocxTemplate(io.BytesIO())


@functools.cache
def _patch_step() -> str:
    code = compile_cache.package_file("docxtpl", "template.py")
    return compile_cache.fingerprint("patch_xml", compile_cache.source_digest(code, "docxtpl"))


def _patched(source: str) -> str:
    """docxtpl's ``patch_xml`` of a part's XML (kept on disk: it depends on docxtpl only)."""
    return compile_cache.cached(_patch_step(), source, lambda: docxtpl().patch_xml(source), str)


#: Text widths in twips for sizing the columns of a column loop: 表格文字 is 10 pt, a CJK
#: character about one font size wide, others about 0.55 of it; the cell margins of the
#: built-in tables (60 twips a side) and a little slack.
_CJK_TWIPS = 200
_LATIN_TWIPS = 130
_CELL_PAD = 140
#: The widest a column asks for (a long text wraps within it): about 14 CJK characters.
_MAX_WANT = 14 * _CJK_TWIPS
#: Characters a line every column gets before any column gets more (see _column_need).
_SHORT = 3
#: Where a long Latin token (a URL, a path) may break: after these characters.
_BREAK_AFTER = re.compile(r"(?<=[/.?&=_:;,])")
#: A run of CJK characters this short (a name, 「正常」) is not broken in a cell.
_CJK_WORD = 3


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _text_twips(text: str) -> int:
    return sum(_CJK_TWIPS if _wide(ch) else _LATIN_TWIPS for ch in text)


def _min_twips(text: str, *, words: bool = True) -> int:
    """The narrowest a cell may get without breaking inside a word or URL piece.

    Latin text breaks at spaces, and a URL or path after ``/ . ? & = _ : ; ,``:
    ``http://www.example.gov.local/col/1.html`` wraps as ``http://www.example.gov.``
    / ``local/col/1.html`` at worst (a date ``2026-10-08`` stays whole). CJK text
    breaks between any two characters, but with ``words`` a run of at most
    :data:`_CJK_WORD` characters — a name, 「正常」 — stays on one line.
    """
    widest = 0
    for word in re.split(r"\s+", text):
        for run in re.findall(r"[\u2e80-\U0010ffff]+|[^\u2e80-\U0010ffff]+", word):
            if _wide(run[0]):
                short = words and len(run) <= _CJK_WORD
                widest = max(widest, _CJK_TWIPS * (len(run) if short else 1))
            else:
                widest = max([widest, *(_text_twips(p) for p in _BREAK_AFTER.split(run))])
    return widest


def _cell_texts(tr: Any) -> list[str]:
    return ["".join(t.text or "" for t in tc.iter(_W + "t")) for tc in tr.findall(_W + "tc")]


def _sized(need: list[tuple[int, ...]], room: int) -> list[int]:
    """Share ``room`` among columns each needing (least, wanted, wanted next …) twips.

    Every column gets its least; what is left goes, tier by tier, to the columns
    short of that tier's width, in proportion to the shortfall; what is still
    left after the last tier, in proportion to the last. Without room for the
    least, the least are scaled down.
    """
    least = sum(n[0] for n in need)
    if least >= room:
        return [max(200, n[0] * room // max(least, 1)) for n in need]
    widths = [n[0] for n in need]
    for tier in range(1, len(need[0])):
        extra = room - sum(widths)
        short = [max(0, n[tier] - w) for n, w in zip(need, widths, strict=True)]
        if extra <= 0 or not sum(short):
            continue
        given = min(extra, sum(short))
        widths = [w + given * x // sum(short) for w, x in zip(widths, short, strict=True)]
    extra = room - sum(widths)
    last = [n[-1] for n in need]
    return [w + extra * x // max(sum(last), 1) for w, x in zip(widths, last, strict=True)]


def _column_need(head: str, column: list[str], template: int) -> tuple[int, ...]:
    """A column's widths by priority (twips, see :func:`_sized`).

    Least: its widest unbreakable piece. Then :data:`_SHORT` characters a line
    (or its text, if shorter): before a URL widens its own column, every other
    column gets room for a word — a daily check of 14 monitoring items printed
    「0 个（正常）」 one character a line beside a URL on one line. Then a URL on as
    few lines as fits in :data:`_MAX_WANT` (so it stays readable); then a fixed
    column its width in the template, a loop column (or a fixed one empty below
    its header) its text on one line; then the header on two lines.
    """
    least = max([_min_twips(head, words=False), *(_min_twips(x) for x in column)])
    lines = [(ln, _text_twips(ln)) for x in column for ln in x.split("\n")]  # measured once
    longest = max([w for _ln, w in lines] or [0])
    short = max(least, min(longest, _SHORT * _CJK_TWIPS))
    url = max([short, *(min(w, _MAX_WANT) for ln, w in lines if "://" in ln)])
    filled = any(x.strip() for x in column)
    if template and filled:
        text = max(url, template - _CELL_PAD)
    else:
        text = max([url, *(min(w, _MAX_WANT) for _ln, w in lines)])
    header = max(text, min(_text_twips(head) // 2, 4 * _CJK_TWIPS))
    return tuple(w + _CELL_PAD for w in (least, short, url, text, header))


def _spread_columns(tbl: Any) -> None:
    """Size the columns a ``{%tc for %}`` loop made from what they hold.

    Every column of the table shares its width (:func:`_column_need`): each at
    least as wide as its widest unbreakable piece (so a URL breaks at ``/`` or
    ``.``, never every few characters), then a few characters a line for every
    column, then URLs, then the template's width
    for its fixed columns and one line of text for the loop's columns (a fixed
    column empty below its header, like the 系统 of a checklist that is not per
    system, counts as a loop column), then half a line of header.
    """
    grid = tbl.find(_W + "tblGrid")
    if grid is None:
        return
    cols = grid.findall(_W + "gridCol")
    widths = [c.get(_W + "w") for c in cols]
    marks = [i for i in range(len(widths) - 2) if widths[i : i + 3] == [LOOP_MARK] * 3]
    rows = tbl.findall(_W + "tr")
    if not marks or not rows:
        return
    start = marks[0]
    texts = [_cell_texts(tr) for tr in rows]
    cells = len(texts[0])
    dynamic = cells - (len(cols) - 3)
    tbl_w = tbl.find(_W + "tblPr/" + _W + "tblW")
    fixed_w = [int(w or 0) for w in widths[:start] + widths[start + 3 :]]
    total = int(tbl_w.get(_W + "w")) if tbl_w is not None else sum(fixed_w) + 3 * int(LOOP_MARK)
    for c in cols[start : start + 3]:
        grid.remove(c)
    if dynamic <= 0:
        return
    template = fixed_w[:start] + [0] * dynamic + fixed_w[start:]
    body = [t for t in texts[1:] if len(t) == cells]
    need = [_column_need(texts[0][j], [t[j] for t in body], template[j]) for j in range(cells)]
    final = _sized(need, total)
    anchor = cols[start - 1] if start > 0 else None
    for _ in range(dynamic):
        col = etree.Element(_W + "gridCol")
        if anchor is None:
            grid.insert(0, col)
        else:
            anchor.addnext(col)
        anchor = col
    for col, w in zip(grid.findall(_W + "gridCol"), final, strict=True):
        col.set(_W + "w", str(w))
    for tr in rows:
        tcs = tr.findall(_W + "tc")
        if len(tcs) == 1:  # a row of one cell across the table (notes under a row)
            _span(tcs[0], cells, total)
        if len(tcs) != cells:
            continue
        for tc, w in zip(tcs, final, strict=True):
            tcw = tc.find(_W + "tcPr/" + _W + "tcW")
            if tcw is not None:
                tcw.set(_W + "w", str(w))
                tcw.set(_W + "type", "dxa")


def _span(tc: Any, columns: int, width: int) -> None:
    """Make a cell span all ``columns`` of its table (its template span counted the loop's
    three marker columns, not the columns the loop made)."""
    pr = tc.find(_W + "tcPr")
    span = None if pr is None else pr.find(_W + "gridSpan")
    if span is None:
        return
    span.set(_W + "val", str(columns))
    tcw = pr.find(_W + "tcW")
    if tcw is not None:
        tcw.set(_W + "w", str(width))
        tcw.set(_W + "type", "dxa")


def _fix_tables(xml: str) -> str:
    """Column loops: spread the dynamic columns, then docxtpl's grid fix-up."""
    tree = etree.fromstring(xml.encode("utf-8"), parser=_PARSER)
    for tbl in tree.iter(_W + "tbl"):
        _spread_columns(tbl)
    tree = docxtpl().fix_tables(etree.tostring(tree, encoding="unicode"))
    return etree.tostring(tree, encoding="unicode")  # type: ignore[no-any-return]


@dataclass
class _Part:
    name: str
    head: str  # before the rendered text (declaration, root start tag …)
    tail: str
    template: Any
    body: bool = False
    column_loops: bool = False
    own_drawings: bool = False  # pictures in the template itself (ids renumbered)
    braces: bool = False  # docxtpl's {_{ … }_} escapes present


class WordTemplate:
    """A .docx template compiled in ``env``; render it with a context (see the module docstring)."""

    def __init__(self, data: bytes, env: SandboxEnv, where: str, *, trusted: bool = False) -> None:
        self.data = data
        self.env = env
        self.where = where
        self.trusted = trusted
        try:
            self.package = ooxml.Package(data)
            main = self.package.main_part()
            if main is None or self.package.read(main) is None:
                raise ValueError("缺少主文档")
            content_type = self.package.content_type(main)
            if content_type != CT_MAIN:
                raise ValueError(f"不是 Word 文档（{content_type or '未知类型'}）")
            self.main = main
            self.parts: list[_Part] = [self._body(main)]
            self.rels: dict[str, list[ooxml.Rel]] = {main: self.package.rels(main)}
            for rel in self.rels[main]:
                if rel.type in (RT_HEADER, RT_FOOTER) and not rel.external:
                    name = ooxml.resolve(main, rel.target)
                    if self.package.read(name):
                        self.parts.append(self._whole(name))
                        self.rels[name] = self.package.rels(name)
            _defaults, overrides = self.package.content_types()
            for name, ctype in overrides.items():
                if ctype == CT_FOOTNOTES and self.package.read(name) is not None:
                    self.parts.append(self._raw(name))
                    self.rels.setdefault(name, self.package.rels(name))
            self.core, self.props = self._properties()
        except TemplateError:
            raise
        except (ValueError, etree.XMLSyntaxError, KeyError) as exc:
            raise TemplateError(f"{self.where}已损坏，无法作为 Word 文档打开（{exc}）。") from None

    # ------------------------------------------------------------------ compiling

    def _compile(self, source: str) -> Any:
        try:
            return self.env.from_string(source)
        except TemplateSyntaxError as exc:
            # report the line as docxtpl does: one paragraph per line
            lined = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
            try:
                self.env.from_string(lined)
            except TemplateSyntaxError as numbered:
                raise explain(numbered, self.where) from None
            except Exception:  # fall back to the first error
                pass
            raise explain(exc, self.where) from None
        except Exception as exc:
            raise explain(exc, self.where) from None

    def _part(self, name: str, source: str, head: str, tail: str, body: bool) -> _Part:
        patched = _patched(source)
        return _Part(
            name=name,
            head=head,
            tail=tail,
            template=self._compile(patched),
            body=body,
            column_loops=body and "%tc " in source,
            own_drawings="docPr" in source,
            braces=any(m in patched for m in ("{_{", "}_}", "{_%", "%_}")),
        )

    def _body(self, name: str) -> _Part:
        root = etree.fromstring(self.package.read(name), _OXML_PARSER)
        body = root.find(_W + "body")
        if body is None:
            raise ValueError("缺少正文")
        source = etree.tostring(body, encoding="unicode")
        root.replace(body, etree.ProcessingInstruction("omw-body"))
        head, found, tail = etree.tostring(root, encoding="unicode").partition("<?omw-body ?>")
        if not found:
            raise ValueError("正文位置异常")
        return self._part(name, source, ooxml.XML_DECLARATION + head, tail, body=True)

    def _whole(self, name: str) -> _Part:
        """A header or footer: the part re-serialised, as docxtpl reads it."""
        root = etree.fromstring(self.package.read(name), _OXML_PARSER)
        source = etree.tostring(root, encoding="unicode")
        return self._part(name, source, ooxml.XML_DECLARATION, "", body=False)

    def _raw(self, name: str) -> _Part:
        """Footnotes: the part's text as it is (docxtpl renders it unparsed)."""
        data = self.package.read(name) or b""
        return self._part(name, data.decode("utf-8"), "", "", body=False)

    def _properties(self) -> tuple[str | None, dict[str, Any]]:
        core = next(
            (
                ooxml.resolve("", r.target)
                for r in self.package.rels("")
                if r.type == RT_CORE and not r.external
            ),
            None,
        )
        data = self.package.read(core) if core else None
        if data is None:
            return None, {}
        root = etree.fromstring(data, _PARSER)
        props = {}
        for name in _PROPS:
            el = root.find(f"{{{_DC}}}{name}")
            if el is not None and el.text and any(m in el.text for m in _SYNTAX):
                props[name] = self._compile(el.text)
        return core, props

    # ------------------------------------------------------------------ rendering

    def render(
        self,
        ctx: FormContext,
        plain: dict[str, Any] | None = None,
        *,
        charts: ChartPng | None = None,
    ) -> bytes:
        context = plain if plain is not None else to_template(ctx)
        run = _Run(self, charts)
        # a client template: every part of the document charged to one budget
        with budget.limited(not self.trusted):
            try:
                with drawing(run.picture, run.chart):
                    rendered = {p.name: run.part(p, context) for p in self.parts}
                core = self._render_properties(context)
            except TemplateError:
                raise
            except Exception as exc:
                raise explain(exc, self.where) from None
        return run.write(rendered, core)

    def _render_properties(self, context: dict[str, Any]) -> bytes | None:
        if not self.props or self.core is None:
            return None
        root = etree.fromstring(self.package.read(self.core), _PARSER)
        for name, template in self.props.items():
            value = template.render(context)
            value = html.unescape(re.sub(r"<[^>]+>", "", value))
            root.find(f"{{{_DC}}}{name}").text = value
        return etree.tostring(root, encoding="UTF-8", standalone=True)  # type: ignore[no-any-return]


_INLINE = (
    '</w:t></w:r><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{id}" name="Picture {id}"{descr}/>'
    '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="{file}"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
    '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>'
    '</w:drawing></w:r><w:r><w:t xml:space="preserve">'
)


class _Run:
    """One render of a :class:`WordTemplate`: the pictures placed and the parts written."""

    def __init__(self, tpl: WordTemplate, charts: ChartPng | None) -> None:
        self.tpl = tpl
        self.charts = charts
        self.current = tpl.main
        self.docpr = 1000
        self._images: dict[int, tuple[bytes, ooxml.ImageInfo, str]] = {}
        self.media: dict[str, str] = {}  # image digest → part name
        self.media_data: dict[str, bytes] = {}  # part name → bytes
        self.new_rels: dict[str, dict[str, str]] = {}  # part → {target part: rId}
        self.extensions: dict[str, str] = {}
        self._chart_png: dict[str, bytes | None] = {}

    def part(self, part: _Part, context: dict[str, Any]) -> bytes:
        self.current = part.name
        xml = part.template.render(context)
        if part.braces:
            xml = (
                xml.replace("{_{", "{{")
                .replace("}_}", "}}")
                .replace("{_%", "{%")
                .replace("%_}", "%}")
            )
        if part.column_loops:
            xml = _fix_tables(xml)
        if part.body and part.own_drawings:
            counter = iter(range(1001, 1_000_000_000))
            xml = _DOCPR.sub(lambda m: f"{m.group(1)}{next(counter)}{m.group(3)}", xml)
        body = (part.head + xml + part.tail).encode("utf-8")
        if not self.tpl.trusted:
            etree.fromstring(body, _PARSER)  # a client template's output must be well-formed
        return body

    # ------------------------------------------------------------------ pictures

    def picture(self, image: Image) -> str:
        found = self._images.get(id(image.data))
        if found is None or found[0] is not image.data:
            info = ooxml.image_info(image.data)
            found = (image.data, info, hashlib.sha1(info.data).hexdigest())
            self._images[id(image.data)] = found
        _data, info, digest = found
        media = self.media.get(digest)
        if media is None:
            n = len(self.media) + 1
            media = f"word/media/image{n}.{info.ext}"
            while self.tpl.package.read(media) is not None:
                n += 1
                media = f"word/media/image{n}-{len(self.media)}.{info.ext}"
            self.media[digest] = media
            self.media_data[media] = info.data
            self.extensions[info.ext] = info.content_type
        rid = self._relate(self.current, media)
        cx, cy = info.size_emu(image.width_mm, image.height_mm)
        self.docpr += 1
        descr = f' descr="{_attr(image.caption)}"' if image.caption else ""
        return _INLINE.format(
            cx=cx,
            cy=cy,
            id=self.docpr,
            descr=descr,
            file=posixpath.basename(media),
            rid=rid,
        )

    def chart(self, chart: Chart) -> str:
        key = repr((chart.title, chart.kind, chart.categories, chart.series, chart.percent))
        if key not in self._chart_png:
            render = self.charts or charts_mod.render_png
            self._chart_png[key] = render(chart)
        png = self._chart_png[key]
        if png is None:
            return ""
        return self.picture(Image(png, charts_mod.WIDTH_MM, None, chart.title))

    def _relate(self, part: str, target: str) -> str:
        rels = self.new_rels.setdefault(part, {})
        rid = rels.get(target)
        if rid is None:
            taken = {r.id for r in self.tpl.rels.get(part, [])} | set(rels.values())
            n = len(taken) + 1
            while f"rId{n}" in taken:
                n += 1
            rid = f"rId{n}"
            rels[target] = rid
        return rid

    # ------------------------------------------------------------------ writing

    def write(self, rendered: dict[str, bytes], core: bytes | None) -> bytes:
        pkg = self.tpl.package
        rels_parts = {ooxml.rels_name(p): p for p in self.new_rels}
        out = ooxml.ZipWriter()
        for entry in pkg.entries:
            name = entry.name
            if name in rendered:
                out.add(name, rendered[name], date_time=entry.date_time)
            elif name in rels_parts:
                out.add(name, self._rels(rels_parts.pop(name)), date_time=entry.date_time)
            elif name == "[Content_Types].xml" and self.extensions:
                body = ooxml.add_defaults(entry.data, self.extensions)
                out.add(name, body, date_time=entry.date_time)
            elif core is not None and name == self.tpl.core:
                out.add(name, core, date_time=entry.date_time)
            else:
                out.add_entry(entry)
        for name, part in rels_parts.items():  # parts that had no relationships before
            out.add(name, self._rels(part))
        for name, data in self.media_data.items():
            out.add(name, data, compress=False)  # PNG/JPEG: already compressed
        return out.getvalue()

    def _rels(self, part: str) -> bytes:
        rels = list(self.tpl.rels.get(part, []))
        rels += [
            ooxml.Rel(rid, ooxml.RT_IMAGE, posixpath.relpath(target, posixpath.dirname(part)))
            for target, rid in self.new_rels[part].items()
        ]
        return ooxml.rels_xml(rels)


def _attr(value: str) -> str:
    return (
        clean_text(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", " ")
    )
