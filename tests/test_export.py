import subprocess
import sys

import torch
from PIL import Image

from cakegan import Run, TrainConfig, Trainer, load_folder, load_generator
from cakegan.run import Recorder

from conftest import ROOT


def test_export_ships_float16_snapshots_that_load_and_match(tmp_path, photos):
    config = TrainConfig(epochs=2, save_every=1, n_fixed=4, ema=0.5)
    trainer = Trainer(config, load_folder(photos, 32).images[:32])
    run = Run(tmp_path / "run")
    run.create(trainer, {})
    trainer.fit(2, [Recorder(run, 1, 2)])
    for table in ("metrics.csv", "metrics-ema-calibration.csv"):  # every evaluate.py table travels
        (run.path / table).write_text("epoch,swd,holdout_psnr\n2,20.0,17.0\n")
    dest = tmp_path / "pretrained" / "tiny"
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "export.py"), str(run.path), str(dest),
                        "--epochs", "0", "2", "7", "--checkpoint"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    shipped = Run(dest)
    assert shipped.snapshot_epochs() == [0, 2] and shipped.snapshot_epochs(ema=True) == [0, 2]
    assert shipped.checkpoint_epochs() == [2] and len(shipped.losses()) == 2
    z = shipped.fixed_noise()
    a, b = load_generator(shipped.snapshot_path(2)), load_generator(run.snapshot_path(2))
    assert (a(z) - b(z)).abs().max() < 0.02  # float16 weights, same pictures
    assert shipped.snapshot_path(2).stat().st_size < 0.6 * run.snapshot_path(2).stat().st_size
    assert torch.equal(shipped.fixed_noise(), run.fixed_noise())
    assert (dest / "metrics-ema-calibration.csv").read_text() == (run.path / "metrics.csv").read_text()
    picture = Image.open(dest / "evolution.png")  # one row of the 4 fixed vectors per epoch
    assert picture.size == (3 * (4 * 34 + 2), 3 * (2 * 34 + 2))

    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "export.py"), str(run.path), str(dest),
                        "--epochs", "0", "1", "2", "--raw-epochs", "2"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert shipped.snapshot_epochs() == [2] and shipped.snapshot_epochs(ema=True) == [0, 1, 2]
    assert shipped.checkpoint_epochs() == []  # replaced as a whole, without --checkpoint this time

    # Re-exporting a shipped model that kept some epochs only as EMA snapshots keeps them all.
    again = tmp_path / "pretrained" / "again"
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "export.py"), str(dest), str(again),
                        "--epochs", "0", "1", "2"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert Run(again).snapshot_epochs(ema=True) == [0, 1, 2] and Run(again).snapshot_epochs() == [2]
