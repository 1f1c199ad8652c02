"""The scale stage's ``autoencoder`` method: frames through a user's VAE, from a local folder.

The VAE is a Hugging Face ``diffusers`` ``AutoencoderKL`` saved with ``save_pretrained``; it is
loaded with ``local_files_only`` (never downloaded). Each letterboxed frame is encoded and
decoded (the posterior's mode, so a rerun gives the same pixels), a batch of frames at a time,
streamed: memory holds one batch whatever the clip's length.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from framewise.core.errors import ModelError
from framewise.pipeline.stages.video_io import RGB


class VaeReconstructor:
    """Encode and decode frames with the VAE in ``folder``.

    Raises:
        ModelError: The folder holds no VAE diffusers can load (or diffusers is missing).
    """

    def __init__(self, folder: Path, device: str = "cpu", batch: int = 8) -> None:
        try:
            import torch
            from diffusers import AutoencoderKL

            loader: Any = AutoencoderKL  # diffusers is untyped
            model = loader.from_pretrained(str(folder), local_files_only=True)
        except (ImportError, OSError, ValueError) as exc:
            raise ModelError(
                f"cannot load a VAE ({exc})".replace("\n", " "),
                subject=folder,
                hint="give a folder saved by diffusers' AutoencoderKL.save_pretrained "
                "(config.json + weights), and install the classify extra",
            ) from None
        self._torch = torch
        self.model = model.to(device).eval()
        self.device = device
        self.batch = batch

    def _run(self, frames: list[RGB]) -> list[RGB]:
        torch = self._torch
        x = torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2).float() / 127.5 - 1.0
        with torch.no_grad():
            decoded = self.model(x.to(self.device), sample_posterior=False).sample
        out = ((decoded.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1)
        return list(out.cpu().numpy())

    def reconstruct(self, frames: Iterable[RGB]) -> Iterator[RGB]:
        """The frames after the VAE, in order, a batch at a time."""
        pending: list[RGB] = []
        for frame in frames:
            pending.append(frame)
            if len(pending) == self.batch:
                yield from self._run(pending)
                pending = []
        if pending:
            yield from self._run(pending)
