"""Interpolation (spec item 12), latent files (10.9), strips and GIFs, scripts/interpolate.py."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import torch
from PIL import Image

from cakegan import interpolate, load_latent, save_latent, save_snapshot
from cakegan.images import gif_bytes, strip, to_pil
from cakegan.latent import belongs_to
from test_invert import expressive_generator, run_script


@pytest.fixture(scope="module")
def ends() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.randn(64, generator=g), 1.7 * torch.randn(64, generator=g)


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("snapshots")
    g = expressive_generator()
    first = save_snapshot(folder / "generator-epoch-00010.safetensors", g, epoch=10)
    with torch.no_grad():
        g.dense.bias.add_(0.1)
    return first, save_snapshot(folder / "generator-epoch-00020.safetensors", g, epoch=20)


@pytest.mark.parametrize("mode", ["linear", "slerp"])
def test_endpoints_are_exact(ends, mode):
    a, b = ends
    path = interpolate(a, b, steps=7, mode=mode)
    assert path.shape == (7, 64)
    assert torch.equal(path[0], a) and torch.equal(path[-1], b)


def test_linear_is_a_straight_line(ends):
    a, b = ends
    path = interpolate(a, b, steps=5)
    assert torch.allclose(path[2], (a + b) / 2, atol=1e-6)


def test_slerp_keeps_the_norm_between_the_endpoints(ends):
    a, b = ends
    norms = interpolate(a, b, steps=9, mode="slerp").norm(dim=1)
    low, high = sorted([float(a.norm()), float(b.norm())])
    assert ((norms >= low - 1e-4) & (norms <= high + 1e-4)).all()
    assert interpolate(a, a, steps=3, mode="slerp").sub(a).abs().max() < 1e-5  # no arc: stays put


@pytest.mark.parametrize("args, message", [
    ((torch.zeros(64), torch.zeros(32)), "differ in length"),
    ((torch.ones(64), torch.ones(64), 1), "at least 2"),
    ((torch.ones(64), torch.ones(64), 3, "cubic"), "mode"),
    ((torch.ones(64), -torch.ones(64), 3, "slerp"), "opposite"),
    ((torch.ones(2, 64), torch.ones(64)), "1-D"),
    ((torch.full((64,), float("nan")), torch.ones(64)), "NaN"),
])
def test_bad_interpolation_raises_valueerror(args, message):
    with pytest.raises(ValueError, match=message):
        interpolate(*args)


def test_latent_file_round_trip_records_its_snapshot(snapshots, ends, tmp_path):
    first, second = snapshots
    path = save_latent(tmp_path / "a.safetensors", ends[0], first, source="cake.jpg", psnr=21.5)
    z, meta = load_latent(path)
    assert torch.equal(z, ends[0])
    assert meta["snapshot"] == first.name and meta["epoch"] == "10" and meta["source"] == "cake.jpg"
    assert meta["psnr"] == "21.5"
    assert belongs_to(meta, first) and not belongs_to(meta, second)
    assert path.stat().st_size < 2000
    with pytest.raises(FileExistsError):
        save_latent(path, ends[1], first)
    save_latent(path, ends[1], first, overwrite=True)
    assert torch.equal(load_latent(path)[0], ends[1])


def test_anything_but_a_latent_file_is_refused(snapshots, tmp_path):
    first, _ = snapshots
    (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 40)
    for path, message in [(first, "not a cakegan latent"), (tmp_path / "junk.safetensors", "not a readable"),
                          (tmp_path / "none.safetensors", "does not exist")]:
        with pytest.raises(ValueError, match=message):
            load_latent(path)
    with pytest.raises(ValueError, match="cannot belong"):
        save_latent(tmp_path / "b.safetensors", torch.zeros(128), first)
    vector = save_latent(tmp_path / "a.safetensors", torch.zeros(64), first)
    with pytest.raises(ValueError, match="not a cakegan generator"):
        save_latent(tmp_path / "b.safetensors", torch.zeros(64), vector)


def test_strip_and_gif():
    frames = torch.linspace(-1, 1, 5)[:, None, None, None].expand(5, 3, 8, 8)
    picture = strip(frames, scale=2)
    assert picture.size == ((5 * 10 + 2) * 2, 12 * 2)
    assert strip(list(frames), scale=1).size == strip(frames, scale=1).size == (52, 12)
    data = gif_bytes(frames, scale=3, duration_ms=50)
    with Image.open(io.BytesIO(data)) as gif:
        assert gif.format == "GIF" and gif.n_frames == 5 and gif.info["loop"] == 0
        assert gif.size == (24, 24)
    with pytest.raises(ValueError):
        gif_bytes([])


def test_interpolate_script_from_a_vector_and_a_photo(snapshots, ends, tmp_path, capsys):
    first, second = snapshots
    z_a = save_latent(tmp_path / "a.safetensors", ends[0], first)
    g = expressive_generator()
    with torch.no_grad():
        to_pil(g(ends[1][None])[0]).save(tmp_path / "b.png")
    out = tmp_path / "walk"
    args = ["--snapshot", str(first), "--a", str(z_a), "--b", str(tmp_path / "b.png"), "--steps", "6",
            "--mode", "slerp", "--inversion-steps", "10", "--restarts", "2", "--out", str(out)]
    assert run_script("interpolate.py", *args) == 0
    assert "wrote" in capsys.readouterr().out
    with Image.open(out / "interpolation.gif") as gif:
        assert gif.n_frames == 6 + 4  # there and back without repeating the ends
    assert Image.open(out / "interpolation.png").width == (6 * 34 + 2) * 4
    assert load_latent(out / "b.safetensors")[1]["source"] == "b.png"

    args[1] = str(second)  # the vector was found with another snapshot
    assert run_script("interpolate.py", *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "invert its photo again" in err and err.count("\n") == 1
