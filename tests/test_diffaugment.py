import pytest
import torch

from cakegan import TrainConfig, Trainer, load_folder
from cakegan.config import parse_policy
from cakegan.diffaugment import diff_augment


def _images(n=8, size=32):
    return torch.rand(n, 3, size, size, generator=torch.Generator().manual_seed(0)) * 2 - 1


def test_policy_parsing_and_a_clear_error_for_a_typo():
    assert parse_policy("") == ()
    assert parse_policy(" color, cutout ") == ("color", "cutout")
    with pytest.raises(ValueError, match="'colour'.*color, translation, cutout"):
        parse_policy("colour,cutout")


def test_translation_shifts_each_image_by_at_most_an_eighth_with_zero_fill():
    x = _images()
    y = diff_augment(x, ("translation",))
    padded = torch.nn.functional.pad(x, (4, 4, 4, 4))
    shifts = set()
    for i in range(len(x)):
        found = [(dy, dx) for dy in range(-4, 5) for dx in range(-4, 5)
                 if torch.equal(y[i], padded[i, :, 4 + dy:36 + dy, 4 + dx:36 + dx])]
        assert found, f"image {i} is not a shifted copy"
        shifts.add(found[0])
    assert len(shifts) > 1, "every image got the same shift"


def test_cutout_zeroes_one_square_of_at_most_half_the_size_and_nothing_else():
    x = _images() + 3  # no pixel is zero before
    y = diff_augment(x, ("cutout",))
    for i in range(len(x)):
        hole = y[i, 0] == 0
        assert (y[i, :, ~hole] == x[i, :, ~hole]).all()
        assert (y[i, :, hole] == 0).all()
        rows, cols = hole.any(1).nonzero(), hole.any(0).nonzero()
        h, w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        assert 1 <= h <= 16 and 1 <= w <= 16 and hole.sum() == h * w, "not one square"


def test_color_changes_each_image_differently_but_keeps_the_layout():
    x = _images()
    y = diff_augment(x, ("color",))
    assert not torch.allclose(x, y)
    # Brightness, saturation and contrast are affine per image: the pixel order inside a channel's
    # grey level survives, so the augmented image is still correlated with the original.
    for i in range(len(x)):
        a, b = x[i].mean(0).flatten(), y[i].mean(0).flatten()
        assert torch.corrcoef(torch.stack([a, b]))[0, 1] > 0.99


def test_gradients_reach_the_generator_through_every_operation():
    x = _images().requires_grad_(True)
    diff_augment(x, parse_policy("color,translation,cutout")).square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_trainer_with_diffaugment_and_mirror_trains_and_records_both(photos):
    images = load_folder(photos, 32).images
    config = TrainConfig(lr_d=1e-3, lr_g=1e-3, beta1=0.5, mirror=True, diffaugment="translation,cutout")
    t = Trainer(config, images)
    g0 = [p.clone() for p in t.generator.parameters()]
    t.fit(1)
    assert any(not torch.equal(a, b) for a, b in zip(g0, t.generator.parameters()))
    saved = TrainConfig.from_dict(config.to_dict())
    assert saved.mirror and saved.diffaugment == "translation,cutout"
    old = config.to_dict()
    del old["mirror"], old["diffaugment"]  # a run directory written before these options existed
    assert TrainConfig.from_dict(old).diffaugment == "" and not TrainConfig.from_dict(old).mirror


def test_mirror_flips_about_half_the_photos_and_changes_nothing_else(photos):
    images = load_folder(photos, 32).images
    t = Trainer(TrainConfig(mirror=True, batch_size=8), images)
    flipped = kept = 0
    for batch in t.batches():
        for x in batch:
            same = (images == x).flatten(1).all(1).any()
            mirrored = (images.flip(3) == x).flatten(1).all(1).any()
            assert same or mirrored, "a batch image is neither a photo nor its mirror"
            flipped += int(mirrored and not same)
            kept += int(same)
    assert 0.25 < flipped / (flipped + kept) < 0.75
