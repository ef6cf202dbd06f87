"""What an uploaded file really is, read from its bytes (the browser's content type and the
file's name are what the uploader says, not what the file is).

``file_type_sniff`` answers with an allowed type (images, PDF, Office documents, text and CSV)
or raises FileTypeRefused with why: a program, a web page or SVG image (they can carry
scripts), an Office file with macros, or simply a type that is not on the list. It reads the
first bytes, and for ZIP-based formats (docx, xlsx, pptx, OpenDocument) the archive's list of
names; it never unpacks anything.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from dataclasses import dataclass

#: How much of the file the sniffer reads for signatures and text checks.
HEAD_BYTES = 8192


class FileTypeRefused(Exception):
    """``reason``: "executable", "markup" (HTML, SVG, XML), "macros" or "type"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FileType:
    content_type: str
    #: The extension the stored file gets (never the uploader's).
    extension: str
    #: "image", "pdf", "document", "spreadsheet", "presentation" or "text".
    kind: str

    @property
    def is_web_image(self) -> bool:
        """Whether browsers show it in an <img> (the list's thumbnail)."""
        return self.content_type in WEB_IMAGES


WEB_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}

#: Refused by name whatever the bytes say: programs and scripts, and markup a browser runs.
EXECUTABLE_EXTENSIONS = {
    ".exe", ".dll", ".com", ".scr", ".msi", ".msp", ".bat", ".cmd", ".ps1", ".vbs", ".vbe",
    ".js", ".jse", ".wsf", ".wsh", ".hta", ".cpl", ".jar", ".apk", ".app", ".dmg", ".pkg",
    ".deb", ".rpm", ".sh", ".bin", ".elf", ".lnk", ".reg", ".py", ".pl", ".php",
}  # fmt: skip
MARKUP_EXTENSIONS = {
    ".html", ".htm", ".xhtml", ".shtml", ".mht", ".mhtml", ".svg", ".svgz", ".xml", ".xsl",
}  # fmt: skip
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".tsv": "text/tab-separated-values"}
#: Legacy Office files are OLE2 containers (as are .msi installers): the name says which.
OLE_TYPES = {
    ".doc": FileType("application/msword", ".doc", "document"),
    ".xls": FileType("application/vnd.ms-excel", ".xls", "spreadsheet"),
    ".ppt": FileType("application/vnd.ms-powerpoint", ".ppt", "presentation"),
}
_OOXML = "application/vnd.openxmlformats-officedocument."
OOXML_TYPES = {
    "word/": FileType(_OOXML + "wordprocessingml.document", ".docx", "document"),
    "xl/": FileType(_OOXML + "spreadsheetml.sheet", ".xlsx", "spreadsheet"),
    "ppt/": FileType(_OOXML + "presentationml.presentation", ".pptx", "presentation"),
}
_ODF = "application/vnd.oasis.opendocument."
ODF_TYPES = {
    _ODF + "text": FileType(_ODF + "text", ".odt", "document"),
    _ODF + "spreadsheet": FileType(_ODF + "spreadsheet", ".ods", "spreadsheet"),
    _ODF + "presentation": FileType(_ODF + "presentation", ".odp", "presentation"),
}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows programs and libraries
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # macOS
    b"\xca\xfe\xba\xbe",  # macOS universal binaries, Java classes
    b"#!",  # scripts
)  # fmt: skip


def file_type_sniff(upload, *, name: str) -> FileType:
    """The type of ``upload`` (a file object, read from the start and rewound), judged by its
    bytes; ``name`` (the uploader's file name) decides only among types the bytes cannot tell
    apart (legacy Office files, text or CSV). Raises FileTypeRefused."""
    extension = os.path.splitext(name or "")[1].lower()
    if extension in EXECUTABLE_EXTENSIONS:
        raise FileTypeRefused("executable")
    if extension in MARKUP_EXTENSIONS:
        raise FileTypeRefused("markup")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(EXECUTABLE_MAGIC):
        raise FileTypeRefused("executable")
    found = _binary_type(head, upload, extension)
    if found is not None:
        return found
    return _text_type(head, extension)


def _binary_type(head: bytes, upload, extension: str) -> FileType | None:
    if head.startswith(b"\xff\xd8\xff"):
        return FileType("image/jpeg", ".jpg", "image")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType("image/png", ".png", "image")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return FileType("image/gif", ".gif", "image")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType("image/webp", ".webp", "image")
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return FileType("image/heic", ".heic", "image")
    if head.startswith(b"%PDF-"):
        return FileType("application/pdf", ".pdf", "pdf")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if extension in OLE_TYPES:
            return OLE_TYPES[extension]
        raise FileTypeRefused("type")  # an installer (.msi) or another compound file
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileTypeRefused("type")  # binary, and none of the above
    return None


def _zip_type(upload) -> FileType:
    """An Office Open XML or OpenDocument file; any other archive is refused (it could hold
    anything), and so is an Office file that carries macros."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            odf = None
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                odf = archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise FileTypeRefused("type") from exc
    finally:
        upload.seek(0)
    if any(n.lower().endswith("vbaproject.bin") or n.startswith("Basic/") for n in names):
        raise FileTypeRefused("macros")
    if odf in ODF_TYPES:
        return ODF_TYPES[odf]
    if "[Content_Types].xml" in names:
        for prefix, found in OOXML_TYPES.items():
            if any(n.startswith(prefix) for n in names):
                return found
    raise FileTypeRefused("type")


def _text_type(head: bytes, extension: str) -> FileType:
    """Plain text, CSV or TSV, by name, when the bytes read as text (UTF-8, UTF-16 with its
    mark, or GB18030 as Chinese Excel saves CSV). Text that opens with a tag is markup (an
    HTML page or an SVG image under another name), whatever the name says."""
    charset = _text_charset(head)
    if charset is None:
        raise FileTypeRefused("type")
    if head.decode(charset, errors="ignore").lstrip("\ufeff \t\r\n").startswith("<"):
        raise FileTypeRefused("markup")
    if extension not in TEXT_TYPES:
        raise FileTypeRefused("type")
    return FileType(f"{TEXT_TYPES[extension]}; charset={charset}", extension, "text")


def _text_charset(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for charset in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(charset)()
        try:
            text = decoder.decode(head, final=len(head) < HEAD_BYTES)
        except UnicodeDecodeError:
            continue
        if not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
            return charset
    return None
