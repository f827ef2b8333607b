"""Inversion (spec items 10-11): z only, weights untouched, live callback, the issue's self-test."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch import nn

from cakegan import DataError, Inversion, ModelConfig, build_generator, invert, save_snapshot
from cakegan.images import to_pil
from cakegan.invert import RECIPES, invert_batch, psnr, ramp
from cakegan.latent import load_latent
from cakegan.targets import OUT_OF_CLASS

ROOT = Path(__file__).resolve().parent.parent


def expressive_generator(arch: str = "transposed") -> nn.Module:
    """A randomly initialised generator rescaled layer by layer to unit activations.

    PyTorch's default init makes an untrained G(z) almost constant (std ~0.01), which any
    optimiser "inverts"; after rescaling, two random z differ by ~11 dB like a trained model's.
    """
    torch.manual_seed(0)
    g = build_generator(ModelConfig(arch=arch))
    with torch.no_grad():
        x = g.dense(torch.randn(64, g.latent_dim))
        g.dense.weight /= x.std()
        g.dense.bias.zero_()
        x = g.dense(torch.randn(64, g.latent_dim)).view(-1, g.start_channels, g.start_side, g.start_side)
        for layer in g.body:
            if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
                layer.bias.zero_()
                layer.weight /= layer(x).std()
            x = layer(x)
    return g.eval().requires_grad_(False)


@pytest.fixture(scope="module")
def generator() -> nn.Module:
    return expressive_generator()


@pytest.fixture(scope="module")
def own_image(generator) -> torch.Tensor:
    with torch.no_grad():
        return generator(torch.randn(1, generator.latent_dim, generator=torch.Generator().manual_seed(5)))[0]


def test_self_test_recovers_own_image_and_leaves_weights_alone(generator, own_image):
    before = {k: v.clone() for k, v in generator.state_dict().items()}
    result = invert(generator, own_image, steps=300, restarts=4, seed=0)
    assert isinstance(result, Inversion)
    assert result.psnr >= 30.0, f"self-test PSNR {result.psnr:.1f} dB"
    after = generator.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert all(p.grad is None and not p.requires_grad for p in generator.parameters())
    assert result.z.shape == (generator.latent_dim,)
    assert result.steps_run == len(result.losses) == 300 and not result.stopped
    assert min(result.losses) == pytest.approx(result.mse, rel=1e-4)
    assert torch.allclose(generator(result.z[None])[0], result.image, atol=1e-5)
    assert 2 <= len(result.frames) <= 24
    assert psnr(result.frames[0], own_image) < 20 < result.psnr  # from noise to a close imitation
    assert torch.equal(result.frames[-1], result.image)


def test_spec_recipe_stalls_where_the_default_converges(generator, own_image):
    spec = invert(generator, own_image, steps=100, recipe="spec", seed=0)
    default = invert(generator, own_image, steps=100, seed=0)
    assert spec.psnr < 15 < 25 < default.psnr
    assert RECIPES["spec"]["label"] == "spec: SGD lr 0.01, momentum 0.9"
    assert all("label" in r for r in RECIPES.values())


@pytest.mark.parametrize("recipe, lr_ramp", [("spec", False), ("default", False), (None, True), ("adam", False)])
def test_search_is_torch_sgd_or_adam_step_by_step(generator, own_image, recipe, lr_ramp):
    steps, lr = 6, 10.0
    options = {"recipe": recipe} if recipe else {"lr": lr, "lr_ramp": True}
    got = invert(generator, own_image, steps=steps, seed=3, **options).losses
    settings = RECIPES[recipe or "default"]
    z = torch.randn(1, 1, generator.latent_dim, generator=torch.Generator().manual_seed(3)).requires_grad_(True)
    sgd = (torch.optim.Adam([z], lr=settings["lr"]) if settings["optimizer"] == "adam" else
           torch.optim.SGD([z], lr=settings["lr"], momentum=settings["momentum"]))
    want = []
    for step in range(steps):
        if lr_ramp:
            sgd.param_groups[0]["lr"] = lr * ramp(step / steps)
        loss = (generator(z[0]) - own_image).square().mean()
        want.append(float(loss.detach()))
        sgd.zero_grad()
        loss.backward()
        sgd.step()
    assert got == pytest.approx(want, rel=1e-5)
    assert len(set(got)) >= steps - 1  # z moved at every step (the ramp starts at lr 0)


def test_bfloat16_search_matches_float32_quality(generator, own_image):
    exact = invert(generator, own_image, steps=100, seed=0)
    fast = invert(generator, own_image, steps=100, seed=0, precision="bfloat16")
    assert fast.losses != exact.losses  # the generator really ran in bfloat16
    assert fast.image.dtype == fast.z.dtype == torch.float32
    assert fast.psnr > 35 and exact.psnr > 35  # both far past the 30 dB of a good match
    assert torch.allclose(generator(fast.z[None])[0], fast.image, atol=0.05)  # bfloat16 rounding only
    with pytest.raises(ValueError, match="precision"):
        invert(generator, own_image, steps=1, precision="float16")


def test_callback_fires_once_per_step_and_false_stops_there(generator, own_image):
    seen = []

    def stop_at_7(step, loss, image):
        seen.append((step, loss, image))
        return step < 7

    result = invert(generator, own_image, steps=50, callback=stop_at_7, seed=0)
    assert [s for s, _, _ in seen] == list(range(1, 8))
    assert result.stopped and result.steps_run == len(result.losses) == 7
    assert all(isinstance(loss, float) and image.shape == own_image.shape for _, loss, image in seen)
    assert torch.equal(seen[-1][2], result.image)  # the callback shows the best so far
    assert seen[-1][1] == pytest.approx(result.mse, rel=1e-4)
    assert [loss for _, loss, _ in seen] == sorted((loss for _, loss, _ in seen), reverse=True)


def test_target_as_image_path_or_tensor(generator, own_image, tmp_path):
    picture = to_pil(own_image)
    picture.save(tmp_path / "t.png")
    results = [invert(generator, t, steps=2, seed=1) for t in (own_image, picture, tmp_path / "t.png")]
    assert torch.allclose(results[0].target, results[1].target, atol=1 / 127)
    assert torch.equal(results[1].target, results[2].target)
    assert torch.equal(results[1].z, results[2].z)


@pytest.mark.parametrize("bad, message", [
    (torch.zeros(3, 16, 16), "shape"),
    (torch.full((3, 32, 32), 2.0), r"\[-1, 1\]"),
    (torch.full((3, 32, 32), float("nan")), "finite"),
    (42, "image, a file path or a tensor"),
])
def test_bad_targets_raise_valueerror(generator, bad, message):
    with pytest.raises(ValueError, match=message):
        invert(generator, bad, steps=1)


def test_unreadable_file_and_bad_options(generator, own_image, tmp_path):
    (tmp_path / "x.png").write_text("not an image")
    with pytest.raises(DataError):
        invert(generator, tmp_path / "x.png", steps=1)
    with pytest.raises(ValueError, match="recipe"):
        invert(generator, own_image, recipe="fastest")
    with pytest.raises(ValueError, match="not both"):
        invert(generator, own_image, recipe="spec", lr=0.5)
    with pytest.raises(ValueError, match="at least 1"):
        invert(generator, own_image, steps=0)


def test_batchnorm_generator_in_training_mode_is_left_as_found():
    g = expressive_generator("upsample").train()
    before = {k: v.clone() for k, v in g.state_dict().items()}
    target = torch.zeros(3, 32, 32)
    invert(g, target, steps=3, restarts=2, sphere=True)
    assert g.training
    assert all(torch.equal(before[k], v) for k, v in g.state_dict().items())  # running stats too


def test_batch_of_targets_and_out_of_class_images(generator):
    pictures = [make() for make in OUT_OF_CLASS.values()]
    assert all(isinstance(p, Image.Image) and p.mode == "RGB" for p in pictures)
    results = invert_batch(generator, pictures, steps=5, restarts=2, seed=0)
    assert len(results) == len(pictures)
    for r in results:
        assert r.psnr == pytest.approx(psnr(r.image, r.target))
        assert r.steps_run == 5 and len(r.losses) == 5


def test_psnr():
    a = torch.zeros(3, 4, 4)
    assert psnr(a, a) == float("inf")
    assert psnr(a, a + 0.2) == pytest.approx(20.0)  # MSE 0.04 on a peak-to-peak of 2
    with pytest.raises(ValueError):
        psnr(a, torch.zeros(3, 2, 2))


def run_script(name: str, *args: str) -> int:
    """Run scripts/<name> as `python scripts/<name> args` would, in this process (no torch re-import)."""
    old = sys.argv
    sys.argv = [name, *args]
    try:
        runpy.run_path(str(ROOT / "scripts" / name), run_name="__main__")
    except SystemExit as e:
        return int(e.code or 0)
    finally:
        sys.argv = old
    return 0


def test_invert_script_writes_vector_strip_and_gif(generator, own_image, tmp_path, capsys):
    snapshot = save_snapshot(tmp_path / "g.safetensors", generator, epoch=7)
    to_pil(own_image).save(tmp_path / "cake.png")
    code = run_script("invert.py", "--snapshot", str(snapshot), "--image", str(tmp_path / "cake.png"),
                      "--steps", "20", "--restarts", "2", "--out", str(tmp_path / "out"))
    assert code == 0
    assert "PSNR" in capsys.readouterr().out
    z, meta = load_latent(tmp_path / "out" / "cake.safetensors")
    assert z.shape == (64,) and meta["epoch"] == "7" and meta["source"] == "cake.png"
    with Image.open(tmp_path / "out" / "cake.gif") as gif:
        assert gif.n_frames >= 2 and gif.info["loop"] == 0
    assert Image.open(tmp_path / "out" / "cake-strip.png").width > 4 * 32 * 2


def test_invert_script_bad_input_is_one_line_exit_2(generator, tmp_path, capsys):
    snapshot = save_snapshot(tmp_path / "g.safetensors", generator, epoch=0)
    (tmp_path / "notes.png").write_text("hello")
    for args in (["--snapshot", str(snapshot), "--image", str(tmp_path / "notes.png")],
                 ["--snapshot", str(tmp_path / "missing.safetensors"), "--image", "x.png"],
                 ["--snapshot", str(snapshot), "--image", str(tmp_path / "missing.png")]):
        assert run_script("invert.py", *args, "--steps", "2", "--out", str(tmp_path / "out")) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
