"""Walk a pydantic model's type annotations along an error's ``loc`` path.

The loader uses this to say which keys a mapping allows, which ``kind`` values a union
accepts, and to guess the key a typo meant.

Example:
    >>> from framewise.config.pipeline import PipelineConfig
    >>> expected_kinds(PipelineConfig, ("sinks", 0))
    ['journal', 'json_log', 'parquet', 'store', 'websocket']
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel


def _strip(annotation: Any) -> Any:
    """Drop ``Annotated`` wrappers."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation stands for (through unions and optionals)."""
    annotation = _strip(annotation)
    if _is_union(annotation):
        return [m for arg in get_args(annotation) for m in _models(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _kind_of(model: type[BaseModel]) -> str | None:
    """The single ``Literal`` value of a model's ``kind`` field, if it has one."""
    field = model.model_fields.get("kind")
    if field is None or get_origin(field.annotation) is not Literal:
        return None
    values = get_args(field.annotation)
    return str(values[0]) if len(values) == 1 else None


def _step(annotation: Any, part: int | str) -> list[Any]:
    """Annotations one ``loc`` part further down from ``annotation``."""
    annotation = _strip(annotation)
    if _is_union(annotation):
        members = [m for m in get_args(annotation) if m is not type(None)]
        tagged = [m for m in members if _models(m) and _kind_of(_models(m)[0]) == part]
        if tagged:
            return tagged
        return [a for m in members for a in _step(m, part)]
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in (list, tuple, set, frozenset, Sequence) and isinstance(part, int) and args:
        return [args[0]]
    if origin is dict and isinstance(part, str) and len(args) == 2:
        return [args[1]]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if isinstance(part, str) and part in annotation.model_fields:
            return [annotation.model_fields[part].annotation]
        if isinstance(part, str) and _kind_of(annotation) == part:
            return [annotation]
    return []


def _annotations_at(root: type[BaseModel], loc: Sequence[int | str]) -> list[Any]:
    current: list[Any] = [root]
    for part in loc:
        current = [a for ann in current for a in _step(ann, part)]
    return current


def data_loc(root: type[BaseModel], loc: Sequence[int | str]) -> tuple[int | str, ...]:
    """``loc`` without pydantic's union branch labels: only keys and indices of the data.

    Example:
        >>> from framewise.config.pipeline import PipelineConfig
        >>> data_loc(PipelineConfig, ("detectors", 0, "yolo_onnx", "input_size", "int"))
        ('detectors', 0, 'input_size')
    """
    out: list[int | str] = []
    current: list[Any] = [root]
    for part in loc:
        step = [a for ann in current for a in _step(ann, part)]
        models = [m for ann in current for m in _models(ann)]
        kind_tag = part in _kinds(current) and not any(part in m.model_fields for m in models)
        member_label = not step and any(_is_union(_strip(ann)) for ann in current)
        if kind_tag or member_label:
            # A discriminated union's kind tag, or a plain union's member type ("int").
            current = step or current
            continue
        out.append(part)
        current = step
    return tuple(out)


def _kinds(annotations: list[Any]) -> set[str]:
    return {k for ann in annotations for m in _models(ann) if (k := _kind_of(m)) is not None}


def allowed_keys(root: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """Sorted keys allowed in the mapping at ``loc`` (empty when it is no model).

    Example:
        >>> from framewise.config.base import SourceConfig
        >>> allowed_keys(SourceConfig, ("decode",))
        ['skip_frame', 'skip_loop_filter', 'threads']
    """
    keys = {
        name
        for ann in _annotations_at(root, loc)
        for model in _models(ann)
        for name in model.model_fields
    }
    return sorted(keys)


def expected_kinds(root: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """Sorted ``kind`` values of the union at ``loc`` (empty when it is no kind union)."""
    kinds = {
        kind
        for ann in _annotations_at(root, loc)
        for model in _models(ann)
        if (kind := _kind_of(model)) is not None
    }
    return sorted(kinds) if len(kinds) > 1 or _is_kind_union(root, loc) else []


def _is_kind_union(root: type[BaseModel], loc: Sequence[int | str]) -> bool:
    """True when ``loc`` is a discriminated union position (even with a single branch)."""
    for ann in _annotations_at(root, loc):
        if get_origin(ann) is Annotated and any(
            getattr(meta, "discriminator", None) == "kind" for meta in get_args(ann)[1:]
        ):
            return True
    return False


def close_match(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate closest to ``word`` (a likely typo), or ``None``.

    Example:
        >>> close_match("confidnce", ["confidence", "iou"])
        'confidence'
    """
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None
