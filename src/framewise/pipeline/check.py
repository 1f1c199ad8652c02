"""Is this the footage the pipeline was made for? Figures a run gathers, judged at its end.

A profile's ``expect:`` block says what its footage looks like (the share of sampled frames in
which its stages find something; how rarely its state machine meets a forbidden transition).
A run that falls short still finishes, and its events are kept, but it warns, and the log's
metadata carries the figures (``footage_check``), so nobody takes invented events at face
value.

Example:
    >>> check = FootageCheck.judge(expect, frames=900, covered=12, counts={"anomaly": 3})
    ... # doctest: +SKIP
    >>> check.ok, check.message  # doctest: +SKIP
    (False, 'this footage does not look like what ... was made for: ...')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from framewise.config.pipeline import FootageCheckConfig


@dataclass(frozen=True)
class FootageCheck:
    """The figures and the verdict.

    Attributes:
        frames: Sampled frames judged.
        coverage: Share of them with a detection scored ``expect.confident`` or more.
        anomaly_share: Refused state changes among all state changes (``None``: none seen).
        ok: The footage looks like the pipeline's own (or the run was too short to tell).
        message: Why not, in one line ("" when ok).
    """

    frames: int
    coverage: float
    anomaly_share: float | None
    ok: bool
    message: str

    @classmethod
    def judge(
        cls,
        expect: FootageCheckConfig,
        *,
        frames: int,
        covered: int,
        counts: Mapping[str, int],
        pipeline: str = "this pipeline",
    ) -> FootageCheck:
        """Judge a run's figures against ``expect``."""
        coverage = covered / frames if frames else 0.0
        refused = counts.get("anomaly", 0)
        moves = refused + counts.get("state_transition", 0)
        share = refused / moves if moves else None
        reasons = []
        if frames >= expect.min_frames:
            if coverage < expect.min_coverage:
                reasons.append(
                    f"its model was sure (≥ {expect.confident:.2g}) of something in {coverage:.0%} "
                    f"of {frames} sampled frames (its own footage: ≥ {expect.min_coverage:.0%})"
                )
            if share is not None and share > expect.max_anomaly_share:
                reasons.append(
                    f"its state machine refused {refused} of {moves} state changes "
                    f"(its own footage: ≤ {expect.max_anomaly_share:.0%})"
                )
        message = ""
        if reasons:
            message = (
                f"this footage does not look like what {pipeline} was made for: "
                + "; ".join(reasons)
                + " — its events are likely wrong; check a few in `framewise review`"
            )
        return cls(frames, round(coverage, 4), share, not reasons, message)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures for the log's metadata."""
        share = None if self.anomaly_share is None else round(self.anomaly_share, 4)
        return {
            "frames": self.frames,
            "coverage": self.coverage,
            "anomaly_share": share,
            "ok": self.ok,
            "message": self.message,
        }
