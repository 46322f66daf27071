"""Scans of paper consents: the type is decided by the file's first bytes, never by its
name or the browser's claim, and the size is capped."""

from django.core.exceptions import ValidationError

MAX_SCAN_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def sniff_scan(upload) -> tuple[str, str]:
    """(content type, extension) of an uploaded scan, or a field error for `scan`."""
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError(
            {"scan": "The scan is larger than 10 MB. Scan at a lower resolution."}
        )
    if upload.size == 0:
        raise ValidationError({"scan": "The uploaded file is empty."})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    raise ValidationError({"scan": "Upload the scan as a PDF, PNG or JPEG file."})
