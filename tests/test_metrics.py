"""Offline metrics: SWD tells real photos from noise and blur; evaluate.py scores a run."""
from __future__ import annotations

import csv

import pytest
import torch

from cakegan import ModelConfig, build_generator, save_snapshot
from cakegan.data import image_files, open_image, prepare
from cakegan.metrics import (GAUSSIAN_5X5, holdout_psnr, laplacian_pyramid, pyr_down, pyr_up,
                             sliced_wasserstein)
from conftest import make_photos
from test_invert import expressive_generator, run_script


PALETTE = torch.tensor([[0.6, 0.1, -0.5], [0.9, 0.9, 0.8], [0.9, 0.3, -0.8], [-0.2, -0.4, -0.6]])


def scenes(n: int, seed: int) -> torch.Tensor:
    """(n, 3, 32, 32) photo-like pictures: flat patches of a few colours, hard edges, sensor grain."""
    g = torch.Generator().manual_seed(seed)
    images = PALETTE[torch.randint(0, 4, (n,), generator=g)][:, :, None, None].expand(n, 3, 32, 32).clone()
    for _ in range(6):
        x0, y0 = torch.randint(0, 28, (2, n), generator=g)
        w, h = torch.randint(2, 10, (2, n), generator=g)
        colour = PALETTE[torch.randint(0, 4, (n,), generator=g)]
        for i in range(n):
            images[i, :, y0[i]:y0[i] + h[i], x0[i]:x0[i] + w[i]] = colour[i, :, None, None]
    return (images + 0.1 * torch.randn(images.shape, generator=g)).clamp(-1, 1)


def blur(images: torch.Tensor) -> torch.Tensor:
    """Lose the finest octave, as a 16x16 picture shown at 32x32 would."""
    return pyr_up(pyr_down(images))


def assert_swd_separates(real: torch.Tensor) -> None:
    half = len(real) // 2
    a, b = real[:half], real[half:2 * half]
    same = sliced_wasserstein(a, b)
    noise = sliced_wasserstein(a, torch.rand_like(b) * 2 - 1)
    blurred = sliced_wasserstein(a, blur(b))
    assert same * 2 < blurred and same * 2 < noise, (same, blurred, noise)


def test_swd_real_vs_real_far_below_noise_and_blur():
    assert_swd_separates(scenes(128, seed=0))


def test_swd_on_the_shared_cake_photos(shared_cakes):
    files = image_files(shared_cakes)[:128]
    assert_swd_separates(torch.stack([prepare(open_image(p), 32) for p in files]))


def test_swd_is_deterministic_and_checks_shapes():
    a, b = scenes(16, seed=1), scenes(16, seed=2)
    assert sliced_wasserstein(a, b) == sliced_wasserstein(a, b)
    assert sliced_wasserstein(a, b, seed=1) != sliced_wasserstein(a, b)
    with pytest.raises(ValueError, match="same shape"):
        sliced_wasserstein(a, b[:8])
    with pytest.raises(ValueError, match="at least 16"):
        sliced_wasserstein(a[..., :8, :8], b[..., :8, :8])


def test_laplacian_pyramid_adds_back_up_to_the_image():
    x = scenes(2, seed=3)
    levels = laplacian_pyramid(x)
    assert [lv.shape[-1] for lv in levels] == [32, 16]
    assert torch.allclose(levels[0] + pyr_up(levels[1]), x, atol=1e-6)
    assert GAUSSIAN_5X5.sum() == pytest.approx(1.0)


def test_holdout_psnr_is_higher_for_what_the_generator_can_make():
    g = expressive_generator()
    with torch.no_grad():
        own = g(torch.randn(2, g.latent_dim, generator=torch.Generator().manual_seed(5)))
    assert holdout_psnr(g, own, steps=30) > holdout_psnr(g, scenes(2, seed=4), steps=30) + 3


def test_evaluate_script_scores_every_snapshot(tmp_path, capsys):
    run = tmp_path / "run"
    for epoch in (0, 10):
        torch.manual_seed(epoch)
        save_snapshot(run / "snapshots" / f"generator-epoch-{epoch:05d}.safetensors",
                      build_generator(ModelConfig()), epoch)
    data, holdout = make_photos(tmp_path / "data", n=20), make_photos(tmp_path / "holdout", n=4, seed=1)
    args = [str(run), "--data", str(data), "--holdout", str(holdout), "--samples", "16",
            "--holdout-count", "2", "--steps", "5"]
    assert run_script("evaluate.py", *args, "--recipe", "adam", "--restarts", "2", "--out", "adam.csv",
                      "--epochs", "10") == 0
    assert "held-out photos (Adam lr 0.05, 5 steps, best of 2)" in capsys.readouterr().out
    assert [r["epoch"] for r in csv.DictReader(open(run / "adam.csv"))] == ["10"]
    assert not (run / "metrics.csv").exists()
    assert run_script("evaluate.py", *args) == 0  # replaces metrics.csv: it is derived data
    rows = list(csv.DictReader(open(run / "metrics.csv")))
    assert [r["epoch"] for r in rows] == ["0", "10"]
    assert all(float(r["swd"]) > 0 and float(r["holdout_psnr"]) > 0 for r in rows)
    picked = capsys.readouterr().out.split("Pick epoch ")[1].split(":")[0]
    assert [r["epoch"] for r in rows if r["suggested"] == "1"] == [picked]

    before = {r["epoch"]: r for r in rows}
    assert run_script("evaluate.py", *args, "--epochs", "10", "--steps", "40", "--update") == 0
    updated = {r["epoch"]: r for r in csv.DictReader(open(run / "metrics.csv"))}
    assert updated.keys() == {"0", "10"} and updated["0"] == before["0"]  # kept as it was
    assert updated["10"]["holdout_psnr"] != before["10"]["holdout_psnr"]  # scored again (40 steps)
    assert sum(r["suggested"] == "1" for r in updated.values()) == 1  # picked among all rows
    capsys.readouterr()

    assert run_script("evaluate.py", str(tmp_path / "nothing"), "--data", str(data),
                      "--holdout", str(holdout)) == 2
    assert capsys.readouterr().err.startswith("error: ")
