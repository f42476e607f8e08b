"""Real files, good and hostile, made in the tests themselves: Word and OpenDocument files written with
zipfile, PDFs from WeasyPrint changed with pyHanko's incremental writer, images from Pillow."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from typing import Any

from PIL import Image

MB = 1024 * 1024
WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MAIN_DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"


def content_types(main: str = MAIN_DOCX, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
    )


def document(body: str = "<w:p><w:r><w:t>Tờ khai đăng ký kết hôn</w:t></w:r></w:p>", head: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{head}'
        f'<w:document xmlns:w="{WORD}" xmlns:r="{DOC_REL}"><w:body>{body}</w:body></w:document>'
    )


def relationships(*items: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS}">{"".join(items)}</Relationships>'


HYPERLINK = (
    f'<Relationship Id="rId9" Type="{DOC_REL}/relationships/hyperlink" '
    'Target="https://dichvucong.gov.vn/" TargetMode="External"/>'
)


def docx(*, parts: dict[str, Any] | None = None, drop: tuple[str, ...] = (), **changes: Any) -> bytes:
    """A Word document as Word writes one (content types, package and document relationships, a paragraph,
    a hyperlink); ``parts`` adds or replaces entries; a bytes value is stored as given, a callable writes
    the entry through an open archive (for large entries)."""
    entries: dict[str, Any] = {
        "[Content_Types].xml": content_types(),
        "_rels/.rels": relationships(
            f'<Relationship Id="rId1" Type="{DOC_REL}/relationships/officeDocument" Target="word/document.xml"/>'
        ),
        "word/document.xml": document(),
        "word/_rels/document.xml.rels": relationships(HYPERLINK),
    }
    entries.update(parts or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            if name in drop:
                continue
            if callable(content):
                with archive.open(name, "w") as entry:
                    content(entry)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


def zeros(megabytes: int) -> Callable[[Any], None]:
    def write(entry: Any) -> None:
        block = b"\0" * MB
        for _ in range(megabytes):
            entry.write(block)

    return write


def odt(*, parts: dict[str, str] | None = None) -> bytes:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    entries = {
        "content.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
            f'xmlns:text="{text}" xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"><office:body><office:text>'
            "<text:p>Đơn đề nghị</text:p></office:text></office:body></office:document-content>"
        ),
        "META-INF/manifest.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>'
        ),
        **(parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED
        )
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ và tên", "Số CCCD"])
    sheet.append(["Nguyễn Văn An", "070090001234"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------------------


def weasyprint_pdf() -> bytes:
    import weasyprint

    html = "<h1>Tờ khai</h1><p>Nội dung <a href='https://dichvucong.gov.vn/'>Cổng dịch vụ công</a></p>"
    return weasyprint.HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def pyhanko_pdf() -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    writer = PdfFileWriter()
    writer.insert_page(
        PageObject(contents=[], media_box=generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842))))
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def changed_pdf(change: Callable[[Any, Any, Any], None], *, hidden: bool = False) -> bytes:
    """A WeasyPrint PDF with an incremental update written by pyHanko: ``change(writer, generic, add)``
    edits it, ``add`` making new indirect objects. ``hidden``: they go into a compressed object stream,
    where no scan of the file's bytes can see them."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(weasyprint_pdf()))
    stream = writer.prepare_object_stream() if hidden else None

    def add(obj: Any) -> Any:
        return writer.add_object(obj, obj_stream=None if isinstance(obj, generic.StreamObject) else stream)

    change(writer, generic, add)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def action(generic: Any, **entries: Any) -> Any:
    return generic.DictionaryObject({generic.NameObject(f"/{k}"): v for k, v in entries.items()})


def name(generic: Any, value: str) -> Any:
    return generic.NameObject(f"/{value}")


def open_action(kind: str, **entries: Any) -> Callable[[Any, Any, Any], None]:
    def change(writer: Any, generic: Any, add: Any) -> None:
        values = {k: generic.TextStringObject(v) for k, v in entries.items()}
        writer.root[name(generic, "OpenAction")] = add(action(generic, S=name(generic, kind), **values))

    return change


def page_opening_action(writer: Any, generic: Any, add: Any) -> None:
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    uri = action(
        generic, S=name(generic, "URI"), URI=generic.TextStringObject("http://ke-gian.example/mo-trang")
    )
    page[name(generic, "AA")] = action(generic, O=add(uri))
    writer.mark_update(page_ref)


def xfa_form(writer: Any, generic: Any, add: Any) -> None:
    xfa = generic.StreamObject(stream_data=b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    form = action(generic, Fields=generic.ArrayObject(), XFA=add(xfa))
    writer.root[name(generic, "AcroForm")] = add(form)


def embedded_file(writer: Any, generic: Any, add: Any) -> None:
    data = add(
        generic.StreamObject(
            {name(generic, "Type"): name(generic, "EmbeddedFile")}, stream_data=b"MZ\x90\x00"
        )
    )
    spec = action(
        generic,
        Type=name(generic, "Filespec"),
        F=generic.TextStringObject("a.exe"),
        EF=action(generic, F=data),
    )
    names = generic.ArrayObject([generic.TextStringObject("a.exe"), add(spec)])
    writer.root[name(generic, "Names")] = action(generic, EmbeddedFiles=action(generic, Names=names))


def go_to_first_page(writer: Any, generic: Any, add: Any) -> None:
    first = writer.root["/Pages"]["/Kids"].raw_get(0)
    writer.root[name(generic, "OpenAction")] = generic.ArrayObject([first, name(generic, "Fit")])


def encrypted_pdf() -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    source = IncrementalPdfFileWriter(io.BytesIO(weasyprint_pdf())).prev
    writer = copy_into_new_writer(source)
    writer.encrypt("chu-so-huu", "mat-khau")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- images ------------------------------------------------------------------------------------------------


def image(kind: str, size: tuple[int, int] = (640, 480), mode: str = "RGB") -> bytes:
    picture = Image.new(mode, size, "white" if mode != "1" else 1)
    for x in range(0, size[0], 7):  # some detail, so the data is not all one run
        picture.putpixel((x, (x * 3) % size[1]), 0 if mode == "1" else (200, 30, 30))
    out = io.BytesIO()
    picture.save(out, format=kind.upper(), **({"quality": 90} if kind == "jpeg" else {}))
    return out.getvalue()


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("chay-toi.bat", "@echo off\r\nstart calc.exe\r\n")
    return buffer.getvalue()


def cut(content: bytes, fraction: float = 0.6) -> bytes:
    return content[: int(len(content) * fraction)]


def random_text(megabytes: int) -> bytes:
    return os.urandom(megabytes * MB // 2).hex().encode()
