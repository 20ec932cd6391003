"""Which uploads may be kept against a request: PDF, Word and images, known by their content.

A file's name and the browser's content type are whatever the sender says; the first bytes (and, for a
Word document, the parts inside its zip) are what the file is. Anything else is refused before it is stored.
"""

import zipfile

from django.conf import settings

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
PNG = "image/png"
JPEG = "image/jpeg"
KIND_NAMES = {
    PDF: "PDF",
    DOCX: "Word document",
    DOC: "Word 97-2003 document",
    PNG: "PNG image",
    JPEG: "JPEG image",
}

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", DOC),
)


class UploadRefused(Exception):
    """The file cannot be kept; the message says why, for the error summary."""


def check_upload(upload) -> str:
    """The file's content type, judged by its content, or `UploadRefused` saying what is wrong."""
    if upload.size == 0:
        raise UploadRefused("The selected file is empty")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise UploadRefused(
            f"The selected file must be smaller than {settings.ATTACHMENT_MAX_BYTES // 2**20}MB"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(b"PK\x03\x04") and _is_word_document(upload):
        return DOCX
    raise UploadRefused("The selected file must be a PDF, a Word document, or a JPEG or PNG image")


def _is_word_document(upload) -> bool:
    """A .docx is a zip holding a Word main document; one with macros in it is refused."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    if "word/vbaProject.bin" in names:
        raise UploadRefused("The selected Word document contains macros: save it as a .docx without macros")
    return "[Content_Types].xml" in names and "word/document.xml" in names
