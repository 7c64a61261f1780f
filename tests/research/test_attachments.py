"""Attachments are kept by SHA-256 with a custody log; a published photo copy carries no
metadata at all (a GPS position in a photo can lead to the person who took it or is in it)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from civharm.core.hashing import file_sha256
from civharm.research.attachments import (
    PublishedCopyRefused,
    published_copy,
    store_attachment,
    stored_path,
)
from civharm.research.models import AttachmentCustody
from tests.research.helpers import make_interview

pytestmark = pytest.mark.django_db
GPS_IFD = 0x8825


def gps_jpeg(path: Path) -> Path:
    """A generated 32x24 JPEG with a camera make, a turned orientation and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "FictiveCam"
    exif[0x0112] = 6  # shown turned by 90 degrees
    exif[GPS_IFD] = {1: "N", 2: (14.0, 29.0, 3.5), 3: "W", 4: (4.0, 10.0, 57.7), 27: "GPS"}
    Image.new("RGB", (32, 24), (200, 30, 30)).save(path, "JPEG", exif=exif.tobytes())
    return path


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def test_a_photo_with_gps_exif_is_published_without_any_metadata(
    data_dir: Path, tmp_path: Path
) -> None:
    original = gps_jpeg(tmp_path / "1710410400123.jpg")
    assert Image.open(original).getexif().get_ifd(GPS_IFD) and b"GPS" in original.read_bytes()
    interview = make_interview()
    attachment, created = store_attachment(original, actor="analyst-user", interview=interview)
    assert created and attachment.media_type == "image/jpeg"
    assert attachment.file_name == f"photo-{attachment.sha256[:12]}.jpg"  # not the phone's name
    assert stored_path(attachment) == data_dir / "attachments" / attachment.sha256[:2] / (
        attachment.sha256
    )

    copy = published_copy(attachment, actor="analyst-user")

    with Image.open(copy) as clean:
        assert len(clean.getexif()) == 0 and not clean.info.get("exif")
        assert clean.size == (24, 32)  # turned upright before the orientation tag was dropped
    data = copy.read_bytes()
    assert b"GPS" not in data and b"Exif" not in data and b"FictiveCam" not in data
    assert (
        file_sha256(str(stored_path(attachment))) == attachment.sha256 == file_sha256(str(original))
    )
    steps = AttachmentCustody.objects.filter(attachment=attachment).values_list("action", "by")
    assert list(steps) == [
        ("received", "analyst-user"),
        ("stored", "analyst-user"),
        ("published_copy", "analyst-user"),
    ]


def test_png_text_chunks_are_dropped_and_storing_twice_is_one_attachment(
    data_dir: Path, tmp_path: Path
) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "GPS 14.48 -4.18")
    path = tmp_path / "scene.png"
    Image.new("RGB", (8, 8), (0, 90, 0)).save(path, "PNG", pnginfo=info)
    interview = make_interview()
    first, _ = store_attachment(path, actor="a", interview=interview)
    again, created = store_attachment(path, actor="a", interview=interview)
    assert again.pk == first.pk and not created
    copy = published_copy(first, actor="a")
    assert b"GPS" not in copy.read_bytes()
    assert Image.open(copy).getpixel((0, 0)) == (0, 90, 0)


def test_recordings_are_never_published(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "voice.wav"
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x00\x00" * 800)
    path.write_bytes(buffer.getvalue())
    attachment, _ = store_attachment(path, actor="a", interview=make_interview())
    assert attachment.media_type == "audio/wav"
    assert attachment.file_name == f"audio-{attachment.sha256[:12]}.wav" and "voice" not in str(
        attachment.custody.values_list("note", flat=True)
    )
    with translation.override("en"), pytest.raises(PublishedCopyRefused, match="voice"):
        published_copy(attachment, actor="a")
    assert not AttachmentCustody.objects.filter(action="published_copy").exists()
