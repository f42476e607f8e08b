"""Inspecting a whole uploaded file of a known kind before an officer opens it.

The kind is decided from the first bytes elsewhere; here the rest of the file must agree with it and carry
nothing that acts on its own:

- **ZIP-based documents** (Word/Excel, OpenDocument): the archive opens and every entry decompresses with a
  correct checksum; entries lie end to end with nothing before, between or after them; at most
  ``MAX_ENTRIES`` entries, ``MAX_UNPACKED_MB`` unpacked in all and no entry above ``RATIO_FLOOR`` compressed
  more than ``MAX_RATIO`` times (zip bombs); no entry name with ``..``, a root, a drive or a backslash (zip
  slip); no password; no macros (VBA, Excel 4.0 macro sheets, macro-enabled content types, OpenDocument
  Basic/scripts), ActiveX controls, embedded OLE objects, DDE fields, XML DTDs, or content fetched from
  elsewhere on opening (external relationships other than hyperlinks, attached templates, linked images).
- **PDF**: parsed with pyHanko's reader (stream decoding bounded by its limits for untrusted input); the file
  ends at its last ``%%EOF``; no JavaScript, ``/Launch``, embedded files, RichMedia/3D/multimedia, XFA forms,
  automatic actions (``/AA``), an ``/OpenAction`` other than going to a page, form submission or import, and
  no password needed to open it. Such PDFs are refused, not cleaned: a desk cannot tell what a cleaned
  document lost, and the citizen can always print the document to a plain PDF again.
- **JPEG/PNG**: decoded in full by Pillow (a truncated image is refused) below ``MAX_IMAGE_PIXELS``; the
  markers or chunks run from the signature to the end marker with valid checksums and nothing after it.
- **Any kind**: no second format riding along — a ZIP archive inside a PDF or image, a PDF header or HTML/script
  in the first kilobyte of a file that is not a PDF.

The checks run in a child process held to ``MEMORY_MB`` of memory and ``SECONDS`` of time (see
:func:`inspect_file`); each reads the file once (mapped from disk for large uploads) or streams it.
"""

from __future__ import annotations

import io
import json
import logging
import mmap
import os
import re
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from egov.core.errors import DomainError

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_ENTRIES = 2000
MAX_UNPACKED_MB = 100
MAX_RATIO = 100
RATIO_FLOOR = 1 * MB  # entries smaller than this unpacked are not held to the ratio
MAX_IMAGE_PIXELS = 60_000_000
MAX_PDF_OBJECTS = 100_000  # indirect objects; a 300-page report has some 20,000
MAX_PDF_ITEMS = 2_000_000  # every value looked at, direct ones included
MAX_SEGMENTS = 200_000  # JPEG segments or PNG chunks; real images have hundreds to a few thousand
CHUNK = 64 * 1024

ZIP_KINDS = {"docx", "xlsx", "odt", "ods"}
IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG"}


def file_label(name: str, component: str = "") -> str:
    """How messages name an uploaded file: ``Tệp “giay-to.pdf”``, and the document it was given for when
    known (``Tệp “giay-to.pdf” ở mục “Bản sao CCCD”``), so a citizen who uploaded several knows which to fix."""
    if len(component) > 160:
        component = component[:159].rstrip() + "…"
    where = f" ở mục “{component}”" if component else ""
    return f"Tệp “{name}”{where}"


def inspect_file(stream: IO[bytes], kind: str, name: str, *, component: str = "") -> None:
    """Raise a DomainError naming the file ``name`` (and the document ``component`` it was given for) if the
    whole file is not a clean file of ``kind``.

    The work is done by a child process (``python -m egov.core.inspection``) held to ``MEMORY_MB`` of memory
    and ``SECONDS`` of processor and wall-clock time: parsers of hostile files can be slow or greedy in ways
    no count of objects foresees (pyHanko takes about a minute on one array of a few megabytes), and a request
    must not wait on them. A fresh interpreter is used rather than a fork of this (threaded) process. The
    child reads a large upload from the temporary file Django wrote, a small one through a pipe. A child
    that runs out of time or memory, or dies, refuses the file."""
    label = file_label(name, component)
    path = getattr(stream, "temporary_file_path", None)
    job = {"kind": kind, "label": label, "path": str(path()) if callable(path) else "", "limits": _limits()}
    root = str(Path(__file__).resolve().parents[2])  # where the egov package is, for the child's imports
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p),
        "PYTHONUTF8": "1",
    }
    try:
        done = subprocess.run(  # noqa: S603 — this interpreter and this module, arguments as a list
            [sys.executable, "-m", "egov.core.inspection", json.dumps(job)],
            input=b"" if job["path"] else _read_all(stream),
            capture_output=True,
            timeout=SECONDS + 10,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise too_complex(label) from None
    finally:
        stream.seek(0)
    if done.returncode == 0 and done.stdout == b"ok":
        return
    if done.returncode == REFUSED:
        raise DomainError(done.stdout.decode("utf-8"))
    # Killed at a limit (a signal) is the file's doing; an exit with an error is ours and must be seen.
    (logger.warning if done.returncode < 0 else logger.error)(
        "upload inspection stopped",
        extra={
            "kind": kind,
            "returncode": done.returncode,
            "stderr": done.stderr[-2000:].decode("utf-8", "replace"),
        },
    )
    raise too_complex(label)


MEMORY_MB = 1536
SECONDS = 30
REFUSED = 3


def too_complex(label: str) -> DomainError:
    return DomainError(
        f"{label} quá phức tạp để kiểm tra trong thời gian và bộ nhớ cho phép; "
        "hãy xuất lại tệp (hoặc chia thành các tệp nhỏ hơn) rồi tải lên."
    )


def _read_all(stream: IO[bytes]) -> bytes:
    getvalue = getattr(stream, "getvalue", None) or getattr(getattr(stream, "file", None), "getvalue", None)
    if getvalue is not None:
        return bytes(getvalue())
    stream.seek(0)
    return stream.read()


LIMIT_NAMES = (
    "MAX_ENTRIES",
    "MAX_UNPACKED_MB",
    "MAX_RATIO",
    "MAX_IMAGE_PIXELS",
    "MAX_PDF_OBJECTS",
    "MEMORY_MB",
    "SECONDS",
)


def _limits() -> dict[str, int]:
    return {name: globals()[name] for name in LIMIT_NAMES}


def main(argument: str) -> int:
    """The child: limit itself first, then inspect; print ``ok`` (exit 0) or the refusal (exit 3)."""
    import resource

    job = json.loads(argument)
    globals().update({name: int(job["limits"][name]) for name in LIMIT_NAMES})
    memory = MEMORY_MB * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS + 1))
    with open(job["path"], "rb") if job["path"] else io.BytesIO(sys.stdin.buffer.read()) as stream:
        try:
            inspect_in_this_process(stream, job["kind"], job["label"])
        except DomainError as refusal:
            sys.stdout.buffer.write(" ".join(refusal.messages).encode("utf-8"))
            return REFUSED
    sys.stdout.buffer.write(b"ok")
    return 0


def inspect_in_this_process(stream: IO[bytes], kind: str, label: str) -> None:
    """The inspection itself, in this process (see :func:`inspect_file`); ``label`` names the file in messages
    (:func:`file_label`)."""
    with _whole(stream) as view:
        if kind != "pdf":
            _no_pdf_or_html_at_start(view, label)
        if kind in ZIP_KINDS:
            _inspect_zip(stream, view, kind, label)
        else:
            _not_a_zip_too(stream, label)
            if kind == "pdf":
                _inspect_pdf(stream, view, label)
            elif kind in IMAGE_FORMATS:
                _inspect_image(stream, view, kind, label)


# --- messages ----------------------------------------------------------------------------------------------


def broken(label: str) -> DomainError:
    return DomainError(
        f"{label} bị hỏng hoặc không đầy đủ (có thể việc tải lên bị gián đoạn); "
        "hãy kiểm tra tệp rồi tải lên lại."
    )


def _refuse(label: str, what: str, advice: str) -> DomainError:
    return DomainError(f"{label} {what}; vì an toàn, hệ thống không nhận tệp này. {advice}")


def _carries(label: str, other: str) -> DomainError:
    return _refuse(
        label,
        f"ngoài nội dung chính còn mang theo dữ liệu khác ({other})",
        "Hãy lưu lại hoặc xuất lại tệp gốc rồi tải lên.",
    )


RESAVE_OFFICE = "Hãy lưu lại thành tài liệu thường (.docx, .xlsx, .odt) hoặc xuất ra PDF rồi tải lên."
REPRINT_PDF = "Hãy in lại tài liệu thành PDF thường (chức năng “In ra PDF”) rồi tải lên."


# --- the whole file, read once -----------------------------------------------------------------------------


@contextmanager
def _whole(stream: IO[bytes]) -> Iterator[Any]:
    """The file's bytes without a second copy where possible: a read-only map of a file on disk (large
    uploads), else the bytes of the in-memory upload."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        descriptor = None
    if descriptor is not None:
        with mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ) as view:
            yield view
        return
    getvalue = getattr(stream, "getvalue", None) or getattr(getattr(stream, "file", None), "getvalue", None)
    if getvalue is not None:
        yield getvalue()
        return
    stream.seek(0)
    yield stream.read()


LEADING_MARKERS = (b"%pdf-", b"<html", b"<!doctype", b"<script", b"<svg", b"<?php", b"<body", b"<iframe")


def _no_pdf_or_html_at_start(view: Any, label: str) -> None:
    """PDF readers look for ``%PDF-`` anywhere in the first kilobyte, and browsers sniff HTML there."""
    head = bytes(view[:1024]).lower()
    for marker in LEADING_MARKERS:
        if marker in head:
            raise _carries(label, "PDF" if marker == b"%pdf-" else "HTML hoặc mã lệnh")


def _not_a_zip_too(stream: IO[bytes], label: str) -> None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
    except Exception:  # anything that fails to open is not a ZIP archive
        entries = []
    finally:
        stream.seek(0)
    if entries:
        raise _carries(label, "một tệp nén ZIP")


# --- ZIP-based documents -----------------------------------------------------------------------------------

UNSAFE_NAME = re.compile(r"(^[/\\])|(^[A-Za-z]:)|\\|(^|/)\.\.(/|$)|[\x00-\x1f]")
NS_WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_WORD_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_XLINK = "http://www.w3.org/1999/xlink"
ODF = "urn:oasis:names:tc:opendocument:xmlns:"
MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "macrosheet", "intlmacrosheet")
OBJECT_TYPES = ("activex", "oleobject")
MACRO_PARTS = re.compile(r"(vbaProject\.bin|vbaData\.xml)$|(^|/)(macrosheets|Basic|Scripts)/", re.IGNORECASE)
OBJECT_PARTS = re.compile(
    r"(^|/)(activeX|embeddings)/|^(?!ObjectReplacements/)(.*/)?Object \d+$", re.IGNORECASE
)
BLOCKED_RELATIONSHIPS = (
    "/vbaproject",
    "/oleobject",
    "/activexcontrol",
    "/activexcontrolbinary",
    "/afchunk",
    "/package",
)
LOCAL_PATH = re.compile(
    r"^(file:///)?[A-Za-z]:[\\/]", re.IGNORECASE
)  # Word's own template, on the author's disk
DDE = re.compile(r"\bDDE(AUTO)?\b", re.IGNORECASE)
SCRIPT_LINK = re.compile(r"^\s*(macro:|vnd\.sun\.star\.(script|basic))", re.IGNORECASE)
ODF_OBJECT_ELEMENTS = {f"{ODF}drawing:1.0}}object-ole", f"{ODF}office:1.0}}dde-source"}
ODF_DDE_ELEMENTS = {f"{ODF}text:1.0}}dde-connection-decl", f"{ODF}table:1.0}}dde-link"}


def _inspect_zip(stream: IO[bytes], view: Any, kind: str, label: str) -> None:
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        raise broken(label) from None
    with archive:
        infos = archive.infolist()
        if not infos or len(infos) > MAX_ENTRIES:
            raise _refuse(label, f"có {len(infos)} mục nén bên trong (tối đa {MAX_ENTRIES})", RESAVE_OFFICE)
        _check_entries(infos, label)
        _check_layout(view, infos, archive.comment, label)
        names = {info.filename for info in infos}
        for info in infos:
            _check_part_name(info.filename, label)
        for info in infos:
            if info.is_dir():
                continue
            scanner = _scanner_for(info.filename, kind, names, label)
            try:
                with archive.open(info) as member:
                    while chunk := member.read(CHUNK):
                        if scanner is not None:
                            scanner(chunk, False)
                if scanner is not None:
                    scanner(b"", True)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
                raise broken(label) from None


def _check_entries(infos: list[zipfile.ZipInfo], label: str) -> None:
    total, seen = 0, set()
    for info in infos:
        name = info.orig_filename
        if UNSAFE_NAME.search(name):
            shown = name.encode("unicode_escape").decode("ascii")[:80]
            raise _refuse(label, f"chứa đường dẫn không an toàn bên trong (“{shown}”)", RESAVE_OFFICE)
        if name.lower() in seen:
            raise _refuse(label, f"có hai mục trùng tên “{name[:80]}” bên trong", RESAVE_OFFICE)
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise _refuse(label, "được đặt mật khẩu", "Hãy gỡ mật khẩu rồi tải lên lại.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise broken(label)
        total += info.file_size
        ratio_exceeded = info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        )
        if total > MAX_UNPACKED_MB * MB or ratio_exceeded:
            raise _refuse(
                label,
                f"khi giải nén lớn bất thường (quá {MAX_UNPACKED_MB} MB, hoặc một phần nén hơn {MAX_RATIO} "
                "lần) — dấu hiệu của “bom nén”",
                RESAVE_OFFICE,
            )


def _check_layout(view: Any, infos: list[zipfile.ZipInfo], comment: bytes, label: str) -> None:
    """Entries lie end to end from the first byte, then the central directory, then its end record last:
    nothing hidden before, between or after them (a second file, an overlapping zip bomb)."""
    size = len(view)
    end = size - 22 - len(comment)
    if end < 0 or bytes(view[end : end + 4]) != b"PK\x05\x06":
        raise _carries(label, "dữ liệu lạ sau phần cuối tệp nén")
    directory_size, directory_offset = struct.unpack("<II", bytes(view[end + 12 : end + 20]))
    if directory_offset == 0xFFFFFFFF or directory_offset + directory_size != end:
        raise broken(label)
    position = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset != position:
            raise _carries(label, "dữ liệu lạ xen giữa các phần của tệp nén")
        header = bytes(view[position : position + 30])
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise broken(label)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        position += 30 + name_length + extra_length + info.compress_size
        if info.flag_bits & 0x8:  # a data descriptor follows: 12 or 16 bytes (20 or 24 with ZIP64 sizes)
            for length in (16, 12, 24, 20):
                following = bytes(view[position + length : position + length + 4])
                if following in (b"PK\x03\x04", b"PK\x01\x02"):
                    position += length
                    break
            else:
                raise broken(label)
    if position != directory_offset:
        raise _carries(label, "dữ liệu lạ xen giữa các phần của tệp nén")


def _check_part_name(name: str, label: str) -> None:
    if MACRO_PARTS.search(name):
        raise _refuse(label, "chứa macro (mã lệnh VBA, macro Excel 4.0 hoặc Basic/script)", RESAVE_OFFICE)
    if OBJECT_PARTS.search(name):
        raise _refuse(label, "chứa đối tượng nhúng hoặc điều khiển ActiveX/OLE", RESAVE_OFFICE)


Scanner = Callable[[bytes, bool], None]


def _scanner_for(name: str, kind: str, names: set[str], label: str) -> Scanner | None:
    """An incremental XML check of one part, or None for parts that are not XML (pictures, fonts)."""
    lower = name.lower()
    if not lower.endswith((".xml", ".rels", ".vml")):
        return None
    parser = expat.ParserCreate(namespace_separator="}")

    def no_dtd(*_args: Any) -> None:
        raise _refuse(label, "chứa khai báo DTD hoặc thực thể XML", RESAVE_OFFICE)

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    finish: Callable[[], None] | None = None
    if lower.endswith(".rels"):
        parser.StartElementHandler = _relationship_checker(label)
    elif name == "[Content_Types].xml":
        parser.StartElementHandler = _content_type_checker(label)
    elif kind == "docx" and lower.startswith("word/"):
        parser.StartElementHandler, parser.CharacterDataHandler, finish = _field_checker(label)
    elif kind in {"odt", "ods"}:
        parser.StartElementHandler = _odf_checker(label)

    def feed(chunk: bytes, last: bool) -> None:
        try:
            parser.Parse(chunk, last)
        except expat.ExpatError:
            raise broken(label) from None
        if last and finish is not None:
            finish()

    return feed


def _relationship_checker(label: str) -> Callable[[str, dict[str, str]], None]:
    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag != f"{NS_RELS}}}Relationship":
            return
        kind = attributes.get("Type", "").lower()
        if kind.endswith(BLOCKED_RELATIONSHIPS):
            raise _refuse(label, "chứa macro, đối tượng nhúng hoặc điều khiển ActiveX/OLE", RESAVE_OFFICE)
        target = attributes.get("Target", "")
        external = attributes.get("TargetMode", "").lower() == "external"
        if external and not kind.endswith("/hyperlink") and not LOCAL_PATH.match(target):
            target = target[:80]
            raise _refuse(
                label, f"tự tải nội dung từ nơi khác khi mở (liên kết ngoài “{target}”)", RESAVE_OFFICE
            )

    return start


def _content_type_checker(label: str) -> Callable[[str, dict[str, str]], None]:
    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag not in (f"{NS_TYPES}}}Override", f"{NS_TYPES}}}Default"):
            return
        declared = attributes.get("ContentType", "").lower()
        if any(word in declared for word in MACRO_TYPES):
            raise _refuse(label, "chứa macro (tài liệu có bật macro)", RESAVE_OFFICE)
        if any(word in declared for word in OBJECT_TYPES):
            raise _refuse(label, "chứa đối tượng nhúng hoặc điều khiển ActiveX/OLE", RESAVE_OFFICE)

    return start


def _field_checker(label: str) -> tuple[Any, Any, Callable[[], None]]:
    """Word field codes, joined per field (attackers split ``DDEAUTO`` over several runs): no DDE."""
    state = {"inside": False}
    codes: list[str] = []
    budget = [MB]

    def start(tag: str, attributes: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition("}")
        if namespace not in (NS_WORD, NS_WORD_STRICT):
            state["inside"] = False
            return
        if local == "control":
            raise _refuse(label, "chứa điều khiển ActiveX", RESAVE_OFFICE)
        if local == "fldChar" and attributes.get(f"{namespace}}}fldCharType") == "begin":
            codes.append("\n")
        elif local == "fldSimple":
            codes.append("\n" + attributes.get(f"{namespace}}}instr", ""))
        state["inside"] = local == "instrText"

    def text(data: str) -> None:
        if state["inside"] and budget[0] > 0:
            codes.append(data)
            budget[0] -= len(data)

    def finish() -> None:
        if DDE.search("".join(codes)):
            raise _refuse(label, "chứa trường DDE có thể chạy lệnh khi mở", RESAVE_OFFICE)

    return start, text, finish


def _odf_checker(label: str) -> Callable[[str, dict[str, str]], None]:
    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag in (f"{ODF}script:1.0}}event-listener", f"{ODF}office:1.0}}script"):
            raise _refuse(label, "chứa macro hoặc mã lệnh gắn với sự kiện", RESAVE_OFFICE)
        if tag in ODF_OBJECT_ELEMENTS:
            raise _refuse(label, "chứa đối tượng nhúng OLE", RESAVE_OFFICE)
        if tag in ODF_DDE_ELEMENTS:
            raise _refuse(label, "chứa liên kết DDE có thể chạy lệnh khi mở", RESAVE_OFFICE)
        href = attributes.get(f"{NS_XLINK}}}href", "")
        if SCRIPT_LINK.match(href):
            raise _refuse(label, "chứa macro (liên kết tới mã lệnh)", RESAVE_OFFICE)
        if tag.endswith(("}image", "}object")) and re.match(r"^\s*([a-z][a-z0-9+.-]*:|/|\\)", href, re.I):
            raise _refuse(label, f"tự tải nội dung từ nơi khác khi mở (“{href[:80]}”)", RESAVE_OFFICE)

    return start


# --- PDF ---------------------------------------------------------------------------------------------------

ACTIVE_KEYS = {
    "/JS": "mã JavaScript",
    "/JavaScript": "mã JavaScript",
    "/Launch": "lệnh mở chương trình khác",
    "/EmbeddedFile": "tệp đính kèm bên trong",
    "/EmbeddedFiles": "tệp đính kèm bên trong",
    "/RichMediaContent": "nội dung đa phương tiện",
    "/XFA": "biểu mẫu động XFA",
}
ACTIVE_ACTIONS = {
    "/JavaScript": "mã JavaScript",
    "/Launch": "lệnh mở chương trình khác",
    "/SubmitForm": "lệnh gửi dữ liệu đi nơi khác",
    "/ImportData": "lệnh nạp dữ liệu từ nơi khác",
    "/GoToR": "lệnh mở tệp khác",
    "/GoToE": "lệnh mở tệp đính kèm",
    "/Rendition": "nội dung đa phương tiện",
    "/Movie": "nội dung đa phương tiện",
    "/Sound": "nội dung đa phương tiện",
    "/RichMediaExecute": "nội dung đa phương tiện",
}
ACTIVE_SUBTYPES = {
    "/RichMedia": "nội dung đa phương tiện",
    "/FileAttachment": "tệp đính kèm bên trong",
    "/Screen": "nội dung đa phương tiện",
    "/Movie": "nội dung đa phương tiện",
    "/Sound": "nội dung đa phương tiện",
    "/3D": "nội dung 3D có thể chứa mã lệnh",
}
RAW_TOKENS = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|RichMedia\w*)[\s/<>\[\]()%]")


def _inspect_pdf(stream: IO[bytes], view: Any, label: str) -> None:
    tail = bytes(view[-1024:])
    eof = tail.rfind(b"%%EOF")
    if eof < 0:
        raise (_carries(label, "dữ liệu lạ sau phần cuối PDF") if _find(view, b"%%EOF") else broken(label))
    if tail[eof + 5 :].strip(b"\r\n\t \x00\x0c"):
        raise _carries(label, "dữ liệu lạ sau phần cuối PDF")
    found = RAW_TOKENS.search(view)  # objects outside the cross-reference table count too
    if found:
        raise _active(label, ACTIVE_KEYS.get("/" + found.group(1).decode(), "nội dung đa phương tiện"))
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.crypt import AuthStatus
    from pyhanko.pdf_utils.reader import PdfFileReader

    stream.seek(0)
    try:
        reader = PdfFileReader(stream, strict=False)
        if reader.encrypted and reader.decrypt("").status == AuthStatus.FAILED:
            raise _refuse(label, "được đặt mật khẩu mở", "Hãy gỡ mật khẩu rồi tải lên lại.")
        _read_object_streams_once(reader, generic)
        _walk_pdf(reader, generic, label)
    except DomainError:
        raise
    except Exception:  # a damaged PDF makes the parser fail in many ways; each is a refusal
        raise DomainError(
            f"{label} không đọc được như một tệp PDF hợp lệ (tệp hỏng hoặc không đúng chuẩn); "
            "hãy xuất lại PDF rồi tải lên."
        ) from None


def _find(view: Any, needle: bytes) -> bool:
    return view.find(needle) >= 0


def _active(label: str, what: str) -> DomainError:
    return _refuse(label, f"chứa nội dung tự chạy ({what})", REPRINT_PDF)


def _read_object_streams_once(reader: Any, generic: Any) -> None:
    """pyHanko's reader decodes a compressed object stream again for each object it reads from it, which
    makes a report of a few thousand objects take tens of seconds. Each stream is decoded once here and its
    objects handed to the reader's cache, but only those that the cross-reference table places in that
    stream at that index, so a decoy object with the same number cannot stand in for the real one. This
    reads pyHanko's cross-reference table (``reader.xrefs``, as its own ``get_object`` does); should that
    change, nothing is cached and the reader's own, slower, path reads every object."""
    from pyhanko.pdf_utils import misc
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.pdf_utils.xref import ObjStreamRef

    try:
        xrefs = reader.xrefs
        streams = set().union(*(xrefs.object_streams_used_in(r) for r in range(xrefs.total_revisions)))
    except AttributeError:
        return
    for stream_ref in streams:
        stream = stream_ref.get_object()
        if not isinstance(stream, generic.StreamObject) or _entry(stream, "/Type") != "/ObjStm":
            continue
        data = io.BytesIO(stream.read_data(DecodePurpose.OBJECT_STREAM))
        first, header = int(_entry(stream, "/First") or 0), []
        for _index in range(min(int(_entry(stream, "/N") or 0), MAX_PDF_OBJECTS)):
            try:
                misc.read_non_whitespace(data, seek_back=True)
                number = int(generic.NumberObject.read_from_stream(data))
                misc.read_non_whitespace(data, seek_back=True)
                header.append((number, int(generic.NumberObject.read_from_stream(data))))
            except (ValueError, misc.PdfError):
                break
        for index, (number, offset) in enumerate(header):
            ref = generic.Reference(number, 0, reader)
            if xrefs[ref] != ObjStreamRef(stream_ref.idnum, index) or reader.cache_get_indirect_object(
                0, number
            ):
                continue
            data.seek(first + offset)
            try:
                reader.cache_indirect_object(0, number, generic.read_object(data, ref))
            except misc.PdfError:
                continue  # left to the reader's own path


def _walk_pdf(reader: Any, generic: Any, label: str) -> None:
    """Every object reachable from the trailer, each once; dictionaries are looked at key by key."""
    pending: list[Any] = [reader.trailer.raw_get(key) for key in reader.trailer if key in ("/Root", "/Info")]
    seen: set[tuple[int, int]] = set()
    looked_at = 0
    while pending:
        item = pending.pop()
        looked_at += 1
        if looked_at > MAX_PDF_ITEMS:
            raise _refuse(label, "có quá nhiều đối tượng bên trong", REPRINT_PDF)
        if isinstance(item, generic.IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise _refuse(label, "có quá nhiều đối tượng bên trong", REPRINT_PDF)
            item = item.get_object()
        if isinstance(item, generic.DictionaryObject):
            _check_pdf_dictionary(item, generic, label)
            pending.extend(item.raw_get(key) for key in item)
        elif isinstance(item, generic.ArrayObject):
            pending.extend(item.iterate())


def _entry(item: Any, key: str) -> Any:
    """A dictionary's value with references followed (``get`` would not follow them), or None."""
    try:
        return item[key]
    except KeyError:
        return None


def _check_pdf_dictionary(item: Any, generic: Any, label: str) -> None:
    for key in item:
        if key in ACTIVE_KEYS:
            raise _active(label, ACTIVE_KEYS[key])
    action = _entry(item, "/S")
    if action in ACTIVE_ACTIONS:
        raise _active(label, ACTIVE_ACTIONS[action])
    subtype = _entry(item, "/Subtype")
    if subtype in ACTIVE_SUBTYPES:
        raise _active(label, ACTIVE_SUBTYPES[subtype])
    if _entry(item, "/AA"):
        raise _active(label, "hành động tự chạy khi mở trang hoặc ô biểu mẫu")
    opening, steps = _entry(item, "/OpenAction"), 0
    while opening is not None and steps < 100:  # a destination (a page), or GoTo actions only
        steps += 1
        if isinstance(opening, generic.ArrayObject):
            parts = (opening[index] for index in range(len(opening)))  # indexing follows references
            if any(isinstance(part, generic.DictionaryObject) and "/S" in part for part in parts):
                raise _active(label, "hành động tự chạy khi mở tệp")
            break
        kind = _entry(opening, "/S") if isinstance(opening, generic.DictionaryObject) else None
        if kind != "/GoTo":
            raise _active(label, ACTIVE_ACTIONS.get(str(kind), "hành động tự chạy khi mở tệp"))
        opening = _entry(opening, "/Next")


# --- images ------------------------------------------------------------------------------------------------


def _inspect_image(stream: IO[bytes], view: Any, kind: str, label: str) -> None:
    from PIL import Image

    end = _jpeg_end(view, label) if kind == "jpeg" else _png_end(view, label)
    if bytes(view[end:]).strip(b"\x00\xff" if kind == "jpeg" else b""):
        raise _carries(label, "dữ liệu lạ sau phần cuối ảnh")
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, lower limit decides
            with Image.open(stream, formats=[IMAGE_FORMATS[kind]]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError(f"{width}×{height}")
                image.load()
    except Image.DecompressionBombError:
        raise DomainError(
            f"{label} là ảnh quá lớn (hơn {MAX_IMAGE_PIXELS // 1_000_000} triệu điểm ảnh); "
            "hãy thu nhỏ ảnh rồi tải lên."
        ) from None
    except Exception:  # Pillow reports damaged data with several exception types
        raise broken(label) from None


NEXT_MARKER = re.compile(
    rb"\xff(?![\x00\xd0-\xd7\xff])"
)  # in scan data: not a stuffed byte, a restart or a fill


def _jpeg_end(view: Any, label: str) -> int:
    """Where the last image of the file ends (after its EOI marker): segments are walked by their lengths and
    entropy-coded data to the next marker; several complete images in a row (MPO, from cameras) are one file."""
    size, position, segments = len(view), 0, 0
    while True:
        if bytes(view[position : position + 2]) != b"\xff\xd8":
            raise broken(label)
        position += 2
        while True:
            segments += 1
            if segments > MAX_SEGMENTS or position >= size or view[position] != 0xFF:
                raise broken(label)
            fill = position
            while position < size and view[position] == 0xFF and position - fill < 64:
                position += 1
            if position >= size or view[position] == 0xFF:
                raise broken(label)
            marker = view[position]
            position += 1
            if marker == 0xD9:
                break
            if 0xD0 <= marker <= 0xD7 or marker == 0x01:
                continue
            if position + 2 > size:
                raise broken(label)
            length = (view[position] << 8) | view[position + 1]
            if length < 2 or position + length > size:
                raise broken(label)
            position += length
            if marker == 0xDA:  # start of scan: entropy-coded data until a marker that is not a restart
                found = NEXT_MARKER.search(view, position)
                if found is None or found.start() + 1 >= size:
                    raise broken(label)
                position = found.start()
        if bytes(view[position : position + 3]) != b"\xff\xd8\xff":
            return position


def _png_end(view: Any, label: str) -> int:
    """Where the IEND chunk ends, every chunk's checksum checked on the way."""
    size, position = len(view), 8
    for _chunk in range(MAX_SEGMENTS):
        if position + 12 > size:
            raise broken(label)
        length = struct.unpack(">I", bytes(view[position : position + 4]))[0]
        chunk_end = position + 8 + length
        if chunk_end + 4 > size:
            raise broken(label)
        kind = bytes(view[position + 4 : position + 8])
        checksum = zlib.crc32(view[position + 4 : chunk_end])
        if checksum != struct.unpack(">I", bytes(view[chunk_end : chunk_end + 4]))[0]:
            raise broken(label)
        position = chunk_end + 4
        if kind == b"IEND":
            return position
    raise broken(label)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
