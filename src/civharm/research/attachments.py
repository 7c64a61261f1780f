"""Field attachments (photos, recordings): stored by SHA-256 with a chain of custody, and
published copies of photos stripped of every metadata (EXIF, GPS, comments).

Never changes a stored original; never publishes a recording (a voice identifies a person).
Files live under DATA_DIR/attachments/<sha256[:2]>/<sha256>; published copies under
DATA_DIR/attachments/published/<sha256>-published.<ext>, so a withdrawal of consent finds both.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from civharm.core.hashing import file_sha256
from civharm.incidents.models import Report
from civharm.research.errors import ResearchError
from civharm.research.models import Attachment, AttachmentCustody, Interview

PUBLISHABLE = {"image/jpeg": ("JPEG", "jpg"), "image/png": ("PNG", "png")}
# Magic bytes first: a phone's file name says little about what it holds.
_SIGNATURES = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"#!AMR", "audio/amr"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (8, b"WAVE", "audio/wav"),
    (4, b"ftyp", "audio/mp4"),  # ODK Collect records .m4a; a .mp4 video is refused later anyway
)

_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "audio/amr": "amr",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/mp4": "m4a",
}


class PublishedCopyRefused(ResearchError):
    """No published copy can be made of this attachment (a recording, or an unknown format)."""


def attachments_root() -> Path:
    return Path(settings.DATA_DIR) / "attachments"


def stored_path(attachment: Attachment) -> Path:
    """Where the original's bytes are kept (named by their SHA-256, never by the phone's name)."""
    return attachments_root() / attachment.sha256[:2] / attachment.sha256


def media_type_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    for offset, magic, media_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return media_type
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def neutral_name(media_type: str, sha256: str) -> str:
    """A name that says what the file is, never what the phone called it (a phone may name a
    file after a person or a place); the SHA-256 identifies the file."""
    kind = "photo" if media_type.startswith("image/") else "audio"
    if not media_type.startswith(("image/", "audio/")):
        kind = "file"
    return f"{kind}-{sha256[:12]}.{_EXTENSIONS.get(media_type, 'bin')}"


def store_attachment(
    source_file: Path,
    *,
    actor: str,
    interview: Interview | None = None,
    report: Report | None = None,
    submission_uuid: str = "",
) -> tuple[Attachment, bool]:
    """Keep a copy of `source_file` by its SHA-256 and log its receipt; (attachment, created).

    The same content for the same interview or report is one attachment (re-imports add nothing).
    """
    sha256 = file_sha256(str(source_file))
    existing = Attachment.objects.filter(sha256=sha256, interview=interview, report=report).first()
    if existing is not None:
        return existing, False
    _copy_in(source_file, sha256)
    media_type = media_type_of(source_file)
    with transaction.atomic():
        attachment = Attachment.objects.create(
            interview=interview,
            report=report,
            file_name=neutral_name(media_type, sha256),
            media_type=media_type,
            sha256=sha256,
            size=source_file.stat().st_size,
            submission_uuid=submission_uuid[:64],
        )
        where = interview.code if interview else f"report {report.pk}" if report else ""
        _log(attachment, "received", actor, f"KoBo/ODK submission for {where}".strip())
        _log(attachment, "stored", actor, f"sha256 {sha256}")
    return attachment, True


def _copy_in(source_file: Path, sha256: str) -> Path:
    """Copy into the store unless the same content is already there (write, then rename)."""
    target = attachments_root() / sha256[:2] / sha256
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    os.close(handle)
    shutil.copyfile(source_file, temporary)
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)
    return target


def _log(attachment: Attachment, action: str, actor: str, note: str = "") -> AttachmentCustody:
    return AttachmentCustody.objects.create(
        attachment=attachment, action=action, by=actor, note=note[:300]
    )


def published_copy(attachment: Attachment, *, actor: str) -> Path:
    """A copy of a photo made of its pixels only: no EXIF, GPS, ICC profile or comment.

    Raises PublishedCopyRefused for recordings and formats other than JPEG and PNG.
    """
    if attachment.media_type.startswith("audio/"):
        raise PublishedCopyRefused(
            _(
                "Recordings are never published: a voice can identify the person. Publish an "
                "approved, anonymised quote instead."
            )
        )
    if attachment.media_type not in PUBLISHABLE:
        raise PublishedCopyRefused(
            _("Only JPEG and PNG photos can be published (this file is {type}).").format(
                type=attachment.media_type or _("of an unknown type")
            )
        )
    image_format, extension = PUBLISHABLE[attachment.media_type]
    target = attachments_root() / "published" / f"{attachment.sha256}-published.{extension}"
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_pixels_only(stored_path(attachment), target, image_format)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    _log(attachment, "published_copy", actor, f"metadata stripped; copy sha256 {digest}")
    return target


def _write_pixels_only(original: Path, target: Path, image_format: str) -> None:
    """Re-encode the pixels into a new image: nothing of the original file's metadata follows."""
    with Image.open(original) as source:
        upright = ImageOps.exif_transpose(source)  # turned as the phone showed it
        if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        palette = upright.getpalette() if upright.mode == "P" else None
        if palette:
            clean.putpalette(palette)
    options = {"quality": 90} if image_format == "JPEG" else {}
    clean.save(target, format=image_format, **options)
    os.chmod(target, 0o600)
