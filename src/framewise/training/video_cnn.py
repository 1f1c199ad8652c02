"""Video networks on scaled clips: a tiny 3-D CNN for tests, torchvision's ``r3d_18``.

Clips are read streamed (frames sampled by time, :mod:`framewise.features.frames`),
resized to ``size × size`` and stacked as ``(3, T, size, size)`` floats in [0, 1]. ``r3d_18``
is built without weights; a user's checkpoint (a ``state_dict`` in a local ``.pt``) is loaded
when given — nothing is downloaded. On a GPU training uses AMP, and halves the batch on an
out-of-memory error instead of failing.

Example:
    >>> net = make_network("cnn3d_tiny", classes=2)  # doctest: +SKIP
    >>> fit_network(net, clips, y, epochs=1, batch_size=4, device="cpu", seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from framewise.core.errors import ModelError
from framewise.features.frames import sampled_frames


class TinyCnn3d(nn.Module):
    """Two 3-D convolutions, global pooling and a linear head (~3k parameters)."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv3d(3, 8, kernel_size=3, padding=1),
            nn.BatchNorm3d(8),
            nn.ReLU(),
            nn.MaxPool3d(2),
            nn.Conv3d(8, 16, kernel_size=3, padding=1),
            nn.BatchNorm3d(16),
            nn.ReLU(),
            nn.AdaptiveAvgPool3d(1),
        )
        self.head = nn.Linear(16, classes)

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        """Logits for a batch ``(N, 3, T, H, W)``."""
        out: torch.Tensor = self.head(self.features(clips).flatten(1))
        return out


def make_network(name: str, classes: int, checkpoint: Path | None = None) -> nn.Module:
    """``cnn3d_tiny`` or ``r3d_18`` (no weights, or the user's local checkpoint).

    Raises:
        ModelError: The checkpoint cannot be loaded into the network.
    """
    if name == "cnn3d_tiny":
        return TinyCnn3d(classes)
    from torchvision.models.video import r3d_18

    net = r3d_18(weights=None)
    if checkpoint is not None:
        try:
            state = torch.load(checkpoint, map_location="cpu", weights_only=True)
            net.load_state_dict(state, strict=False)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelError(
                f"cannot load the checkpoint ({exc})",
                subject=checkpoint,
                hint="give a state_dict saved with torch.save(model.state_dict(), path)",
            ) from None
    net.fc = nn.Linear(int(net.fc.in_features), classes)
    built: nn.Module = net
    return built


def load_clip(path: Path, frames: int, size: int) -> npt.NDArray[np.float32]:
    """A clip as ``(3, frames, size, size)`` floats in [0, 1] (last frame repeated if short)."""
    picked = [
        cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA)
        for _, rgb in sampled_frames(path, frames)
    ]
    if not picked:
        raise ModelError("holds no frames", subject=path, hint="check stage 3's clips")
    picked += [picked[-1]] * (frames - len(picked))
    stack = np.stack(picked).astype(np.float32) / 255.0
    return np.ascontiguousarray(stack.transpose(3, 0, 1, 2))


def _batches(count: int, size: int, rng: np.random.Generator) -> list[npt.NDArray[np.int64]]:
    order = rng.permutation(count)
    return [order[i : i + size] for i in range(0, count, size)]


def fit_network(
    net: nn.Module,
    clips: npt.NDArray[np.float32],
    labels: Sequence[int],
    *,
    epochs: int,
    batch_size: int,
    device: str,
    seed: int,
) -> nn.Module:
    """Train ``net`` on ``clips`` (``N × 3 × T × H × W``) for ``epochs`` epochs."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net.to(device).train()
    optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3)
    use_amp = device.startswith("cuda")
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    size = batch_size
    for _ in range(epochs):
        for index in _batches(len(clips), size, rng):
            if len(index) < 2 and len(clips) > 1:
                continue  # batch norm needs two clips
            x = torch.from_numpy(clips[index]).to(device)
            try:
                with torch.autocast(device_type="cuda", enabled=use_amp):
                    loss = nn.functional.cross_entropy(net(x), y[index].to(device))
                optimiser.zero_grad()
                scaler.scale(loss).backward()  # type: ignore[no-untyped-call]
                scaler.step(optimiser)
                scaler.update()
            except torch.OutOfMemoryError:
                if size == 1:
                    raise
                size = max(1, size // 2)  # a smaller batch, instead of a failed fold
                torch.cuda.empty_cache()
    return net


@torch.no_grad()
def predict_network(
    net: nn.Module, clips: npt.NDArray[np.float32], device: str
) -> npt.NDArray[np.float64]:
    """Class probabilities ``(N, classes)``."""
    net.to(device).eval()
    out = [
        torch.softmax(net(torch.from_numpy(clips[i : i + 8]).to(device)).float(), dim=1).cpu()
        for i in range(0, len(clips), 8)
    ]
    return torch.cat(out).numpy().astype(np.float64)
