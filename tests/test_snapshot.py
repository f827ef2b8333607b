import pickle

import pytest
import torch
from safetensors.torch import save_file

from cakegan import ModelConfig, build_generator, load_generator, save_snapshot
from cakegan.files import write_atomic


@pytest.fixture
def snapshot(tmp_path):
    torch.manual_seed(0)
    g = build_generator(ModelConfig(arch="upsample"))
    return save_snapshot(tmp_path / "g.safetensors", g, epoch=7), g


def test_round_trip_rebuilds_the_same_generator(snapshot):
    path, g = snapshot
    h = load_generator(path)
    assert h.epoch == 7 and h.latent_dim == 64 and h.resolution == 32 and not h.training
    assert not any(p.requires_grad for p in h.parameters())
    z = torch.randn(2, 64)
    assert torch.allclose(h(z), g.eval()(z), atol=1e-5)  # same weights; memory layout may round differently


def test_float16_snapshots_load_as_float32(tmp_path):
    g = build_generator(ModelConfig())
    path = save_snapshot(tmp_path / "half.safetensors", g, 1, dtype=torch.float16)
    assert path.stat().st_size < 0.6 * save_snapshot(tmp_path / "full.safetensors", g, 1).stat().st_size
    h = load_generator(path)
    assert h.dense.weight.dtype == torch.float32
    assert torch.allclose(h.dense.weight, g.dense.weight, atol=1e-3)


def _meta(path):
    from safetensors import safe_open
    with safe_open(str(path), "pt") as f:
        return f.metadata()


@pytest.mark.parametrize("breakage,message", [
    ("garbage", "not a readable safetensors"),
    ("truncated", "not a readable safetensors"),
    ("pickle", "not a readable safetensors"),
    ("no_metadata", "not a cakegan generator snapshot"),
    ("wrong_keys", "wrong or missing layers"),
    ("wrong_shape", "has shape"),
    ("nan", "NaN or infinite"),
    ("missing", "does not exist"),
])
def test_anything_but_a_snapshot_is_a_clear_value_error(tmp_path, snapshot, breakage, message):
    path, g = snapshot
    bad = tmp_path / "bad.safetensors"
    tensors = {k: v.clone() for k, v in g.state_dict().items()}
    if breakage == "garbage":
        bad.write_bytes(b"\x00\x01hello" * 100)
    elif breakage == "truncated":
        bad.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif breakage == "pickle":
        bad.write_bytes(pickle.dumps({"dense.weight": [1.0, 2.0]}))
    elif breakage == "no_metadata":
        save_file(tensors, str(bad))
    elif breakage == "wrong_keys":
        tensors["extra.weight"] = torch.zeros(1)
        save_file(tensors, str(bad), metadata=_meta(path))
    elif breakage == "wrong_shape":
        tensors["dense.weight"] = torch.zeros(3, 3)
        save_file(tensors, str(bad), metadata=_meta(path))
    elif breakage == "nan":
        tensors["dense.weight"][0, 0] = float("nan")
        save_file(tensors, str(bad), metadata=_meta(path))
    with pytest.raises(ValueError, match=message):
        load_generator(bad)


def test_atomic_write_leaves_nothing_on_failure_and_never_overwrites(tmp_path):
    target = tmp_path / "x.bin"

    def crash(tmp):
        open(tmp, "wb").write(b"half")
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        write_atomic(target, crash)
    assert list(tmp_path.iterdir()) == []
    write_atomic(target, lambda tmp: open(tmp, "wb").write(b"first"))
    with pytest.raises(FileExistsError):
        write_atomic(target, lambda tmp: open(tmp, "wb").write(b"second"))
    assert target.read_bytes() == b"first"
