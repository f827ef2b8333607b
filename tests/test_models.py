import pytest
import torch

from cakegan import Discriminator, ModelConfig, build_generator, count_parameters, Generator


def spec_generator_params() -> int:
    dense = 64 * 1024 + 1024
    convt = sum(cin * cout * 16 + cout for cin, cout in [(64, 64), (64, 128), (128, 256)])
    return dense + convt + 256 * 3 * 25 + 3


def spec_discriminator_params() -> int:
    convs = sum(cin * cout * 16 + cout + 2 * cout for cin, cout in [(3, 32), (32, 64), (64, 64)])
    return convs + 64 * 4 * 4 + 1


@pytest.mark.parametrize("arch", ["transposed", "upsample"])
@pytest.mark.parametrize("res", [32, 64])
def test_shapes_and_range(arch, res):
    cfg = ModelConfig(arch=arch, resolution=res)
    g, d = build_generator(cfg).eval(), Discriminator(cfg).eval()
    z = torch.randn(3, cfg.latent_dim)
    x = g(z)
    assert x.shape == (3, 3, res, res)
    assert x.min() >= -1 and x.max() <= 1
    p = d.probability(x)
    assert p.shape == (3,) and ((p > 0) & (p < 1)).all()
    assert g.latent_dim == cfg.latent_dim == (64 if res == 32 else 128)


def test_spec_parameter_counts():
    cfg = ModelConfig()
    assert count_parameters(Generator(cfg)) == spec_generator_params() == 807_107
    assert count_parameters(Discriminator(cfg)) == spec_discriminator_params()


def test_spec_layers():
    g = Generator()
    convt = [m for m in g.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [m.out_channels for m in convt] == [64, 128, 256]
    assert all(m.kernel_size == (4, 4) and m.stride == (2, 2) for m in convt)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in g.modules())
    d = Discriminator()
    assert [w.shape[0] for w in d.conv_weights()] == [32, 64, 64]
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in d.modules())


def test_64px_variant_is_bigger_with_doubled_channels():
    small, big = ModelConfig(), ModelConfig(resolution=64)
    assert [w.shape[0] for w in Discriminator(big).conv_weights()] == [64, 128, 128]
    g = build_generator(big)
    assert g.start_side == 8 and g.start_channels == 128
    assert count_parameters(g) > 3 * count_parameters(build_generator(small))


def test_upsample_generator_blocks():
    g = build_generator(ModelConfig(arch="upsample"))
    convs = [m.out_channels for m in g.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs == [32, 32, 64, 64, 128, 128, 3]
    assert sum(isinstance(m, torch.nn.Upsample) for m in g.modules()) == 3


def test_l2_penalty_matches_keras_definition():
    d = Discriminator()
    expected = 0.01 * sum((w ** 2).sum() for w in d.conv_weights())
    assert torch.allclose(d.l2_penalty(0.01), expected)
    assert len(d.conv_weights()) == 3


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="architecture"):
        ModelConfig(arch="resnet")
    with pytest.raises(ValueError, match="resolution"):
        ModelConfig(resolution=48)


def test_output_conv_equals_a_plain_conv():
    from cakegan.models import OutputConv

    torch.manual_seed(0)
    fast, plain = OutputConv(16, 3, 5, padding=2), torch.nn.Conv2d(16, 3, 5, padding=2)
    plain.load_state_dict(fast.state_dict())
    for layout in (torch.contiguous_format, torch.channels_last):
        x = torch.randn(2, 16, 12, 12).contiguous(memory_format=layout).requires_grad_(True)
        assert torch.allclose(fast(x), plain(x), atol=1e-5)
        want = torch.autograd.grad(plain(x).square().sum(), [x, plain.weight, plain.bias])
        got = torch.autograd.grad(fast(x).square().sum(), [x, fast.weight, fast.bias])
        for g, w in zip(got, want):
            assert torch.allclose(g, w, rtol=1e-4, atol=1e-4)
    frozen = OutputConv(16, 3, 5, padding=2).requires_grad_(False)  # inversion: input gradient only
    x = torch.randn(1, 16, 12, 12, requires_grad=True)
    assert torch.autograd.grad(frozen(x).sum(), x)[0].shape == x.shape