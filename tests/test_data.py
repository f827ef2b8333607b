import io
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from cakegan import DataError, load_folder, open_image, prepare
from cakegan import data as data_module


def _photo(mode="RGB", size=(60, 40)):
    a = np.zeros((size[1], size[0], 3), np.uint8)
    a[:, : size[0] // 2] = (255, 0, 0)  # left half red, right half black
    return Image.fromarray(a).convert(mode) if mode != "RGB" else Image.fromarray(a)


@pytest.mark.parametrize("fmt,mode,suffix", [
    ("JPEG", "RGB", ".jpg"), ("PNG", "RGBA", ".png"), ("GIF", "P", ".gif"), ("JPEG", "CMYK", ".jpg"),
    ("PNG", "L", ".png"), ("WEBP", "RGB", ".webp"), ("BMP", "RGB", ".bmp"), ("PNG", "P", ".png"),
])
def test_odd_formats_become_rgb_in_range(tmp_path, fmt, mode, suffix):
    path = tmp_path / f"x{suffix}"
    _photo(mode).save(path, format=fmt)
    t = prepare(open_image(path), 32)
    assert t.shape == (3, 32, 32) and t.dtype == torch.float32
    assert t.min() >= -1 and t.max() <= 1


def test_16bit_png_keeps_its_brightness(tmp_path):
    a = np.full((20, 20), 65535 // 2, np.uint16)
    Image.fromarray(a).save(tmp_path / "deep.png")
    t = prepare(open_image(tmp_path / "deep.png"), 32)
    assert abs(t.mean().item()) < 0.05  # mid grey, not saturated white


def test_rgba_transparency_becomes_white(tmp_path):
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    assert torch.allclose(prepare(open_image(tmp_path / "clear.png"), 32), torch.ones(3, 32, 32))


def test_exif_orientation_is_applied(tmp_path):
    img = _photo(size=(60, 40))  # red on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise for display
    img.save(tmp_path / "rot.jpg", exif=exif.tobytes(), quality=95)
    upright = open_image(tmp_path / "rot.jpg")
    assert upright.size == (40, 60)
    top, bottom = np.asarray(upright)[5].mean(), np.asarray(upright)[-5].mean()
    assert top > bottom + 30  # red ends up at the top


def test_centre_crop_keeps_the_middle():
    a = np.zeros((10, 30, 3), np.uint8)
    a[:, 10:20] = 255  # white square in the middle of a wide black image
    t = prepare(Image.fromarray(a), 32)
    assert t.min() > 0.9


def test_gif_first_frame(tmp_path):
    frames = [Image.new("RGB", (16, 16), c) for c in [(255, 255, 255), (0, 0, 0)]]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert prepare(open_image(tmp_path / "anim.gif"), 32).mean() > 0.9


def test_duplicates_and_unreadable_are_skipped_and_counted(photos):
    shutil.copy(photos / "img000.png", photos / "copy.png")
    shutil.copy(photos / "img001.png", photos / "zz_copy.png")
    (photos / "broken.jpg").write_bytes(b"not a jpeg at all")
    (photos / "notes.txt").write_text("ignored: not an image suffix")
    s = load_folder(photos, 32)
    assert (s.used, s.duplicates, s.unreadable) == (40, 2, ["broken.jpg"])
    assert s.images.shape == (40, 3, 32, 32)
    assert "40 photos used, 2 skipped as duplicates, 1 skipped as unreadable (broken.jpg)" == s.describe()


def test_missing_or_empty_folder_is_one_clear_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_folder(tmp_path / "nope")
    (tmp_path / "junk.jpg").write_bytes(b"")
    with pytest.raises(DataError, match="No usable image"):
        load_folder(tmp_path)


def test_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(data_module, "MAX_PIXELS", 1000)
    buf = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buf, format="PNG")
    buf.seek(0)
    with pytest.raises(DataError, match="too large"):
        open_image(buf)


def test_shared_cakes_counts(shared_cakes):
    s = load_folder(shared_cakes, 32)
    assert (s.used, s.duplicates) == (720, 175)


def test_decoded_cache_is_reused_and_keyed_by_content(photos, decoded_cache):
    first = load_folder(photos, 32)
    files = list(decoded_cache.iterdir())
    assert len(files) == 1
    again = load_folder(photos, 32)
    assert torch.equal(first.images, again.images) and again.describe() == first.describe()
    files[0].write_bytes(b"corrupt")  # a broken cache is rebuilt, never trusted
    assert torch.equal(load_folder(photos, 32).images, first.images)
    Image.new("RGB", (8, 8), (1, 2, 3)).save(photos / "img000.png")  # new content, new key
    changed = load_folder(photos, 32)
    assert len(list(decoded_cache.iterdir())) == 2
    assert not torch.equal(changed.images, first.images)
