import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from cakegan import ModelConfig, Run, RunError, TrainConfig, Trainer, load_folder, load_generator
from cakegan.run import Recorder

from conftest import ROOT

TINY = dict(epochs=4, save_every=2, lr_d=2e-4, lr_g=2e-4, seed=3, n_fixed=4)


def _train(path, images, epochs, resume=False, **kw):
    config = TrainConfig(**{**TINY, **kw})
    trainer = Trainer(config, images)
    run = Run(path)
    if resume:
        run.resume(trainer)
    else:
        run.create(trainer, {"used": len(images)})
    trainer.fit(epochs, [Recorder(run, config.save_every, epochs)])
    return run


@pytest.fixture
def images(photos):
    return load_folder(photos, 32).images[:32]


def _files(run):
    return {p.relative_to(run.path): p.read_bytes() for p in run.path.rglob("*") if p.is_file()}


@pytest.mark.parametrize("model", [ModelConfig(), ModelConfig(arch="upsample")])
def test_resume_is_bit_identical_and_leaves_history_untouched(tmp_path, images, model):
    straight = _train(tmp_path / "a", images, 4, model=model)
    split = _train(tmp_path / "b", images, 2, model=model)
    before = _files(split)
    _train(tmp_path / "b", images, 4, resume=True, model=model)
    def no_time(rows):
        return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]

    assert no_time(split.losses()) == no_time(straight.losses())
    assert [r["epoch"] for r in split.losses()] == [1, 2, 3, 4]
    after = _files(split)
    for name, data in before.items():
        if name.name != "losses.csv":
            assert after[name] == data, f"{name} changed on resume"
    a, b = load_generator(straight.snapshot_path(4)), load_generator(split.snapshot_path(4))
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_run_directory_layout(tmp_path, images):
    run = _train(tmp_path / "r", images, 3, ema=0.9)
    assert run.snapshot_epochs() == [0, 2, 3] and run.snapshot_epochs(ema=True) == [0, 2, 3]
    assert run.checkpoint_epochs() == [0, 2, 3]
    assert all(run.sample_path(e).exists() for e in (0, 2, 3))
    assert run.fixed_noise().shape == (4, 64)
    header = run.losses_path.read_text().splitlines()[0]
    assert header.startswith("epoch,d_loss,g_loss")
    assert run.config()["train"]["model"]["arch"] == "transposed"
    g = load_generator(run.snapshot_path(3))
    assert g.epoch == 3 and not g.training
    assert not list(run.path.rglob("*.tmp"))


def test_a_run_is_never_overwritten(tmp_path, images):
    _train(tmp_path / "r", images, 1)
    with pytest.raises(RunError, match="--resume"):
        _train(tmp_path / "r", images, 1)


def _cli(*args, **kw):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "train.py"), *args], capture_output=True,
                          text=True, **kw)


def test_cli_errors_are_one_sentence(tmp_path):
    r = _cli("--data", str(tmp_path / "missing"), "--out", str(tmp_path / "run"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "does not exist" in r.stderr
    r = _cli("--data", str(tmp_path), "--out", str(tmp_path / "run2"), "--resume")
    assert r.returncode == 2 and "no run to resume" in r.stderr
    r = _cli("--data", str(tmp_path), "--out", str(tmp_path / "run3"), "--diffaugment", "colour")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "Unknown DiffAugment operation" in r.stderr
    assert not (tmp_path / "run3").exists()


def test_sigkill_then_resume_completes_a_gap_free_run(tmp_path, photos):
    out = tmp_path / "run"
    args = ["--data", str(photos), "--out", str(out), "--epochs", "6", "--save-every", "2", "--threads", "1"]
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "train.py"), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not (out / "checkpoints" / "epoch-00002.safetensors").exists():
        time.sleep(0.05)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    r = _cli(*args, "--resume")
    assert r.returncode == 0, r.stderr
    run = Run(out)
    assert [int(row["epoch"]) for row in run.losses()] == [1, 2, 3, 4, 5, 6]
    for e in run.snapshot_epochs():
        load_generator(run.snapshot_path(e))
    assert run.snapshot_epochs() == [0, 2, 4, 6]


def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(tmp_path, photos):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "train.py"), "--data", str(photos),
                             "--out", str(out), "--epochs", "500", "--save-every", "100", "--threads", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not Run(out).losses():
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    run = Run(out)
    last = int(run.losses()[-1]["epoch"])
    assert run.checkpoint_epochs() == [0, last] and 0 < last < 500
