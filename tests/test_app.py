"""The explorer driven through Streamlit's AppTest: every tab, real files, a real generator."""
from __future__ import annotations

import io
import json
import struct
import time
import zlib
from pathlib import Path

import pytest
import torch
from app_support import EPOCHS, make_run
from conftest import make_photos
from PIL import Image
from streamlit.testing.v1 import AppTest

from app import catalog
from app.inversion_job import InversionJob
from app.tabs.invert import vector_bytes
from cakegan import load_generator
from cakegan.invert import invert
from cakegan.latent import belongs_to, load_latent

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "main.py")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("runs")
    make_run(folder, "tiny", ema=True)
    return folder


@pytest.fixture
def app(runs, tmp_path, monkeypatch) -> AppTest:
    """The app on a folder of runs, with nothing shipped."""
    monkeypatch.setenv("CAKEGAN_PRETRAINED", str(tmp_path / "no-pretrained"))
    monkeypatch.setenv("CAKEGAN_RUNS", str(runs))
    monkeypatch.delenv("CAKEGAN_DATA", raising=False)
    return AppTest.from_file(MAIN, default_timeout=60)


def open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state["tab"] = label
    return at.run()


def captions(at: AppTest) -> list[str]:
    return [c for img in at.get("image") for c in img.captions]


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def figure(at: AppTest) -> dict:
    (chart,) = at.get("plotly_chart")
    return json.loads(chart.proto.spec)


def png(colour=(0, 160, 80), size=(48, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def test_opens_on_the_newest_epoch_with_grid_and_loss_curves(app):
    at = ok(app.run())
    assert any("No model is shipped yet" in i.value for i in at.sidebar.info)
    assert at.selectbox(key="epoch").value == EPOCHS[-1]
    assert at.toggle(key="ema").value, "EMA snapshots exist, so the averaged generator is used"
    assert f"Fixed noise, epoch {EPOCHS[-1]}" in captions(at)
    spec = figure(at)
    assert [t["name"] for t in spec["data"]] == ["D loss", "G loss", "D(x): real judged real",
                                                 "D(G(z)): fake judged real"]
    assert len(spec["data"][0]["x"]) == EPOCHS[-1]
    assert spec["layout"]["shapes"][0]["x0"] == EPOCHS[-1]


def test_epoch_slider_moves_the_grid_and_the_mark_then_use_this_epoch(app):
    at = ok(app.run())
    at.select_slider(key="history_epoch").set_value(EPOCHS[1]).run()
    assert f"Fixed noise, epoch {EPOCHS[1]}" in captions(ok(at))
    assert figure(at)["layout"]["shapes"][0]["x0"] == EPOCHS[1]
    grids = {img.captions[0]: img.value[0] for img in at.get("image")}
    assert len(set(grids.values())) == len(grids), "different epochs draw different grids"
    next(b for b in at.button if b.label == "Use this epoch").click().run()
    assert at.selectbox(key="epoch").value == EPOCHS[1]
    assert f"epoch {EPOCHS[1]}" in ok(at).caption[0].value


def test_compare_epochs_side_by_side(app):
    at = ok(app.run())
    at.multiselect(key="compared_epochs").set_value([EPOCHS[0], EPOCHS[2]]).run()
    assert {"Epoch 0", f"Epoch {EPOCHS[2]}"} <= set(captions(ok(at)))


def test_metrics_csv_is_shown_when_evaluate_has_run(app, runs):
    metrics = runs / "tiny" / "metrics-ema.csv"  # the app opens on the EMA snapshots
    metrics.write_text("epoch,swd,suggested\n" + "".join(f"{e},{50 - e},{int(e == 20)}\n" for e in EPOCHS))
    try:
        at = ok(app.run())
        assert len(at.dataframe) == 1
        next(b for b in at.button if b.label == "evaluate.py suggests epoch 20: use it").click().run()
        assert ok(at).selectbox(key="epoch").value == 20
        # A table that suggests an epoch whose snapshot is gone offers no button to a missing epoch.
        metrics.write_text("epoch,swd,suggested\n" + "".join(f"{e},{50 - e},0\n" for e in EPOCHS)
                           + "15,1,1\n")
        at = ok(app.run())
        assert not [b for b in at.button if b.label.startswith("evaluate.py suggests")]
    finally:
        metrics.unlink()


def test_sample_is_reproducible_and_new_batch_changes_it(app):
    at = ok(open_tab(app, "Sample"))
    first = at.get("image")[0].value
    assert at.get("download_button")
    next(b for b in at.button if b.label == "New batch").click().run()
    assert at.number_input(key="seed").value == 1
    assert ok(at).get("image")[0].value != first
    at.number_input(key="seed").set_value(0).run()
    assert ok(at).get("image")[0].value == first, "the same seed gives the same images"


def bomb_png(side: int = 8_000) -> bytes:
    """A 64-megapixel PNG of a few bytes: the header promises far more than the file holds."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("content, message", [
    (b"this is not a picture", "not an image we can read"),
    (bomb_png(), "too large"),
], ids=["not-an-image", "decompression-bomb"])
def test_bad_upload_is_one_clear_error(app, content, message):
    at = ok(open_tab(app, "Invert"))
    at.radio(key="target_source").set_value("Upload a photo").run()
    at.file_uploader(key="upload").upload("cake.png", content, "image/png").run()
    assert len(ok(at).error) == 1
    assert message in at.error[0].value
    assert at.button(key="invert").disabled


def test_invert_an_upload_then_keep_a_and_b_and_interpolate(app):
    at = ok(open_tab(app, "Invert"))
    at.number_input(key="steps").set_value(15)
    at.number_input(key="restarts").set_value(2)
    at.radio(key="target_source").set_value("Upload a photo").run()
    at.file_uploader(key="upload").upload("green.png", png(), "image/png").run()
    assert "Target: green.png" in captions(ok(at))
    at.button(key="invert").click().run()
    assert any(c.startswith("Reconstruction: PSNR") for c in captions(ok(at)))
    assert "From random to best imitation" in captions(at)
    assert {b.label for b in at.get("download_button")} == {"Download GIF", "Download vector"}
    at.button(key="keep_A").click().run()
    at.radio(key="target_source").set_value("Image this model generates").run()
    at.button(key="invert").click().run()
    at.button(key="keep_B").click().run()
    assert "A: green.png; B: generated, seed 0" in ok(at).caption[-1].value
    at = ok(open_tab(at, "Interpolate"))
    for slot in "AB":
        assert at.radio(key=f"source_{slot}").value == "kept"
    at.radio(key="interp_mode").set_value("slerp")
    at.slider(key="interp_steps").set_value(5).run()
    assert "A to B, slerp, 5 steps" in captions(ok(at))
    assert [b.label for b in at.get("download_button")] == ["Download GIF"]


def test_interpolate_between_random_vectors(app):
    at = ok(open_tab(app, "Interpolate"))
    assert at.radio(key="source_A").options == ["random seed"]
    assert "A to B, linear, 8 steps" in captions(at)


def test_stop_ends_the_search_early_and_keeps_the_best(runs):
    g = load_generator(runs / "tiny" / "snapshots" / f"generator-epoch-{EPOCHS[-1]:05d}.safetensors")
    before = {k: v.clone() for k, v in g.state_dict().items()}
    job = InversionJob(g, torch.zeros(3, 32, 32), steps=100_000, restarts=1, recipe="default",
                       label="grey", snapshot=Path("s"))
    deadline = time.monotonic() + 30
    while job.step < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    assert job.wait(30)
    assert job.error is None and job.result.stopped
    assert 3 <= job.result.steps_run < 100_000 and job.frames
    assert all(torch.equal(v, g.state_dict()[k]) for k, v in before.items()), "the shared model changed"


def test_data_tab_previews_photos_and_their_augmentations(app, tmp_path):
    at = ok(open_tab(app, "Data & augmentation"))
    assert at.main.info[-1].value.startswith("Give a folder of photos")
    at.text_input(key="data_folder").set_value(str(make_photos(tmp_path / "photos", n=6))).run()
    assert len(ok(at).get("image")) == 4
    at.text_input(key="data_folder").set_value(str(tmp_path / "missing")).run()
    assert len(ok(at).error) == 1 and "does not exist" in at.error[0].value


def test_invert_a_photo_from_the_data_folder(app, tmp_path):
    app.session_state["tab"] = "Invert"
    app.session_state["data_folder"] = str(make_photos(tmp_path / "photos", n=3))
    at = ok(app.run())
    at.radio(key="target_source").set_value("Photo from the data folder").run()
    assert "Target: img000.png" in captions(ok(at))


@pytest.mark.parametrize("typed, message", [
    ("missing-dir", "neither a run directory"),
    ("not-a-snapshot.safetensors", "not a readable safetensors file"),
])
def test_bad_paths_are_one_clear_error(app, tmp_path, typed, message):
    (tmp_path / "not-a-snapshot.safetensors").write_bytes(b"garbage")
    app.session_state["typed_path"] = str(tmp_path / typed)
    at = ok(app.run())
    assert len(at.sidebar.error) == 1 and message in at.sidebar.error[0].value


def test_a_lone_snapshot_file_samples_but_has_no_history(app, runs):
    app.session_state["typed_path"] = str(runs / "tiny" / "snapshots" / "generator-epoch-00010.safetensors")
    at = ok(app.run())
    assert "Epoch history needs a run directory" in at.main.info[-1].value
    assert captions(ok(open_tab(at, "Sample")))[0].startswith("generator-epoch-00010.safetensors, epoch 10")


def test_opens_on_the_shipped_default_model_and_epoch(runs, tmp_path, monkeypatch):
    shipped = tmp_path / "pretrained"
    for name in ("alpha", "beta"):
        make_run(shipped, name)
    (shipped / "DEFAULT").write_text("beta 10\n")
    monkeypatch.setenv("CAKEGAN_PRETRAINED", str(shipped))
    monkeypatch.setenv("CAKEGAN_RUNS", str(runs))
    at = ok(AppTest.from_file(MAIN, default_timeout=60).run())
    assert at.selectbox(key="model").options == ["shipped: beta", "shipped: alpha", f"{runs.name}: tiny"]
    assert at.selectbox(key="epoch").value == 10
    assert not at.sidebar.info, "a shipped model exists"


def test_model_card_names_the_recommended_epoch(tmp_path):
    run = make_run(tmp_path, "carded")
    (run / "MODEL_CARD.md").write_text("# Card\n\n**Recommended epoch:** 20 (lowest SWD)\n")
    assert catalog.recommended_epoch(run) == 20
    assert catalog.default_epoch(run, list(EPOCHS)) == 20


def test_invert_a_bundled_out_of_class_image(app):
    app.session_state["tab"] = "Invert"
    at = ok(app.run())
    at.radio(key="target_source").set_value("Out-of-class image").run()
    at.selectbox(key="bundled_target").set_value("checkerboard").run()
    assert "Target: checkerboard" in captions(ok(at))


def test_the_history_slider_follows_the_sidebar_epoch(app):
    at = ok(app.run())
    at.selectbox(key="epoch").set_value(EPOCHS[2]).run()
    assert ok(at).select_slider(key="history_epoch").value == EPOCHS[2]
    at.toggle(key="ema").set_value(False).run()
    assert "(EMA)" not in ok(at).caption[0].value


def test_the_downloaded_vector_loads_and_names_its_snapshot(runs, tmp_path):
    snapshot = runs / "tiny" / "snapshots" / f"generator-epoch-{EPOCHS[1]:05d}.safetensors"
    result = invert(load_generator(snapshot), torch.zeros(3, 32, 32), steps=2)
    (tmp_path / "z.safetensors").write_bytes(vector_bytes(result, snapshot))
    z, meta = load_latent(tmp_path / "z.safetensors")
    assert torch.equal(z, result.z) and belongs_to(meta, snapshot)


def test_a_broken_snapshot_in_the_history_is_one_clear_error(tmp_path, monkeypatch):
    run = make_run(tmp_path / "runs", "damaged")
    (run / "snapshots" / "generator-epoch-00000.safetensors").write_bytes(b"cut short")
    monkeypatch.setenv("CAKEGAN_PRETRAINED", str(tmp_path / "none"))
    monkeypatch.setenv("CAKEGAN_RUNS", str(tmp_path / "runs"))
    at = ok(AppTest.from_file(MAIN, default_timeout=60).run())
    assert f"Fixed noise, epoch {EPOCHS[-1]}" in captions(at), "the chosen epoch still shows"
    assert len(at.error) == 1 and "not a readable safetensors file" in at.error[0].value
