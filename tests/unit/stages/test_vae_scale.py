"""Stage 3's autoencoder method with a tiny random VAE from a local folder."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from framewise.core.errors import ConfigError, ModelError
from framewise.pipeline.stages import RowContext, load_pipeline
from framewise.pipeline.stages.params import ScaleParams
from framewise.pipeline.stages.scale import ScaleStage
from framewise.pipeline.stages.video_io import Mp4Writer, iter_frames

diffusers = pytest.importorskip("diffusers")


def _tiny_vae(folder: Path) -> Path:
    model = diffusers.AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",),
        up_block_types=("UpDecoderBlock2D",),
        block_out_channels=(8,),
        layers_per_block=1,
        latent_channels=4,
        norm_num_groups=4,
        sample_size=32,
    )
    model.save_pretrained(str(folder))
    return folder


def _clip(path: Path, frames: int = 5) -> Path:
    rng = np.random.default_rng(0)
    with Mp4Writer(path, Fraction(10)) as writer:
        for _ in range(frames):
            writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    return path


def test_autoencoder_scaling_streams_frames_through_the_vae(tmp_path: Path) -> None:
    vae = _tiny_vae(tmp_path / "vae")
    source = _clip(tmp_path / "in.mp4")
    params = ScaleParams(target=32, method="autoencoder", vae=vae, vae_batch=2)
    outputs = []
    for run in ("a", "b"):
        folder = tmp_path / run
        ctx = RowContext("in.mp4", 0, tmp_path, folder)
        row = ScaleStage(params).run_row({"path": str(source)}, ctx)[0]
        assert row["scale_method"] == "autoencoder" and row["is_downscaled"]
        frames = [rgb for _, rgb in iter_frames(tmp_path / row["path"])]
        assert len(frames) == 5 and frames[0].shape == (32, 32, 3)
        outputs.append((tmp_path / row["path"]).read_bytes())
    assert outputs[0] == outputs[1]  # the posterior's mode: the same pixels every run


def test_a_folder_without_a_vae_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    params = ScaleParams(method="autoencoder", vae=tmp_path / "empty")
    with pytest.raises(ModelError, match="cannot load a VAE"):
        ScaleStage(params)


def test_autoencoder_without_vae_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "root: out\nstages:\n  - {kind: index, videos: v, labels: l.csv}\n"
        "  - kind: scale\n    method: autoencoder\n"
    )
    with pytest.raises(ConfigError, match="needs `vae:`"):
        load_pipeline(path)
