"""Open and run ONNX Runtime sessions, turning its failures into :class:`ModelError`.

ONNX Runtime is imported only when a session is opened: it belongs to the ``detect`` extra,
and a pipeline that never runs an ONNX model should not need it installed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from framewise.core.errors import ModelError

if TYPE_CHECKING:
    import onnxruntime

logger = logging.getLogger(__name__)

CPU = "CPUExecutionProvider"

ProviderSpec = str | tuple[str, dict[str, Any]]
"""An execution provider name, or a ``(name, options)`` pair as ONNX Runtime takes them."""

_INPUT_DTYPES: dict[str, type[np.floating[Any]]] = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
}

# The exception classes ONNX Runtime's native layer raises (all plain Exception subclasses).
_ORT_ERROR_NAMES = (
    "Fail",
    "InvalidArgument",
    "NoSuchFile",
    "NoModel",
    "EngineError",
    "RuntimeException",
    "InvalidProtobuf",
    "ModelLoaded",
    "NotImplemented",
    "InvalidGraph",
    "EPFail",
    "ModelLoadCanceled",
    "ModelRequiresCompilation",
    "NotFound",
)

EXPORT_HINT = "point to an ONNX export, e.g. `yolo export model=best.pt format=onnx`"


@dataclass(frozen=True)
class SessionInfo:
    """What an open session's single image input and first output look like.

    Attributes:
        path: The model file.
        input_name: Name of the image input (Ultralytics: ``images``).
        output_name: Name of the detection output (Ultralytics: ``output0``).
        input_dtype: float32, or float16 for ``half=True`` exports.
        batch_size: Fixed batch size, or ``None`` when the batch axis is dynamic.
        fixed_spatial: Fixed (height, width), or ``None`` when either is dynamic.
        output_shape: The output's three dimensions, ``None`` where dynamic.
        metadata: The model's ``metadata_props``.
    """

    path: Path
    input_name: str
    output_name: str
    input_dtype: type[np.floating[Any]]
    batch_size: int | None
    fixed_spatial: tuple[int, int] | None
    output_shape: tuple[int | None, int | None, int | None]
    metadata: Mapping[str, str]

    @property
    def dynamic_spatial(self) -> bool:
        """Whether the model takes any input height and width."""
        return self.fixed_spatial is None


def open_session(
    path: Path, providers: Sequence[ProviderSpec], intra_op_threads: int
) -> tuple[onnxruntime.InferenceSession, SessionInfo]:
    """Load ``path`` into an ONNX Runtime session on the available providers.

    Raises:
        ModelError: onnxruntime is missing, or the file is missing, not ONNX, or does not
            take one N×3×H×W float image.
    """
    try:
        import onnxruntime as ort
    except ImportError as error:
        raise ModelError(
            "onnxruntime is not installed",
            subject=path,
            hint="install the detect extra: pip install 'framewise[detect]'",
        ) from error
    if not path.exists():
        raise ModelError(
            "model file not found", subject=path, hint=f"check the path, or {EXPORT_HINT}"
        )
    if not path.is_file():
        raise ModelError("model path is not a file", subject=path, hint=EXPORT_HINT)
    options = ort.SessionOptions()
    options.intra_op_num_threads = intra_op_threads
    # One image batch at a time flows through a sequential graph: extra inter-op threads idle.
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # ONNX Runtime's own warnings (unused initialisers and the like) are noise for users.
    options.log_severity_level = 3
    chosen = choose_providers(providers, ort.get_available_providers(), path)
    try:
        session = ort.InferenceSession(str(path), sess_options=options, providers=chosen)
    except ort_errors() as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        raise ModelError(
            f"not a loadable ONNX model ({first_line[:160]})", subject=path, hint=EXPORT_HINT
        ) from error
    active = session.get_providers()
    for name in (_provider_name(p) for p in chosen):
        if name not in active:
            logger.warning(
                "%s: execution provider %s failed to start; running without it", path, name
            )
    return session, _describe(path, session)


def choose_providers(
    requested: Sequence[ProviderSpec], available: Sequence[str], path: Path
) -> list[ProviderSpec]:
    """Keep the requested providers ONNX Runtime reports as available, CPU always last.

    A requested provider that is missing is logged as a warning, not raised: the same
    config then runs on a laptop without a GPU, only slower.
    """
    chosen: list[ProviderSpec] = []
    for spec in requested:
        name = _provider_name(spec)
        if name in available:
            chosen.append(spec)
        else:
            logger.warning(
                "%s: execution provider %s is not available in this onnxruntime (has %s); "
                "skipping it (install onnxruntime-gpu or the matching build to use it)",
                path,
                name,
                ", ".join(available),
            )
    if CPU not in (_provider_name(spec) for spec in chosen):
        chosen.append(CPU)
    return chosen


def run_session(
    session: onnxruntime.InferenceSession, info: SessionInfo, blob: NDArray[Any]
) -> NDArray[np.float32]:
    """Run the model on an N×3×H×W blob and return its first output as float32.

    Raises:
        ModelError: ONNX Runtime refused the input or failed while running.
    """
    try:
        outputs = session.run([info.output_name], {info.input_name: blob})
    except ort_errors() as error:
        raise ModelError(
            f"inference failed on input {tuple(blob.shape)}: {str(error).strip()[:200]}",
            subject=info.path,
            hint="check that the model is a YOLO detection export that fits this input",
        ) from error
    return np.asarray(outputs[0], dtype=np.float32)


def ort_errors() -> tuple[type[Exception], ...]:
    """The exception classes ONNX Runtime's native layer raises."""
    from onnxruntime.capi import onnxruntime_pybind11_state as state

    found = (getattr(state, name, None) for name in _ORT_ERROR_NAMES)
    return tuple(cls for cls in found if isinstance(cls, type) and issubclass(cls, Exception))


def _describe(path: Path, session: onnxruntime.InferenceSession) -> SessionInfo:
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1:
        names = [i.name for i in inputs]
        raise ModelError(f"expected one image input, found {names}", subject=path, hint=EXPORT_HINT)
    image = inputs[0]
    shape = [d if isinstance(d, int) and d > 0 else None for d in image.shape]
    if len(shape) != 4 or shape[1] not in (3, None) or image.type not in _INPUT_DTYPES:
        raise ModelError(
            f"input '{image.name}' is {image.type} {image.shape}, expected float N×3×H×W",
            subject=path,
            hint=EXPORT_HINT,
        )
    output = outputs[0]
    out_shape = [d if isinstance(d, int) and d > 0 else None for d in output.shape]
    if len(out_shape) != 3:
        raise ModelError(
            f"output '{output.name}' has shape {output.shape}; a detection head has 3 axes",
            subject=path,
            hint="export a detection model (not segment, pose or classify)",
        )
    height, width = shape[2], shape[3]
    return SessionInfo(
        path=path,
        input_name=image.name,
        output_name=output.name,
        input_dtype=_INPUT_DTYPES[image.type],
        batch_size=shape[0],
        fixed_spatial=(height, width) if height is not None and width is not None else None,
        output_shape=(out_shape[0], out_shape[1], out_shape[2]),
        metadata=dict(session.get_modelmeta().custom_metadata_map),
    )


def _provider_name(spec: ProviderSpec) -> str:
    return spec if isinstance(spec, str) else spec[0]
