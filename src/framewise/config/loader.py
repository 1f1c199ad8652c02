r"""Load YAML or JSON configuration into pydantic models, with line-numbered one-line errors.

The text is composed into YAML's node tree first (JSON is read by ``json`` and composed as
YAML only for its line marks). A pydantic error's ``loc`` path is then walked through that
tree to the offending key, so the message names the file, the line and what to do::

    pipeline.yaml:7: detectors[0].confidnce: unknown key — remove it or fix its spelling
    (did you mean 'confidence'?)

Example:
    >>> from framewise.config.base import SourceConfig
    >>> parse_config("detection_fps: 5\n", SourceConfig).detection_fps
    5.0
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from framewise.config.base import BASE_DIR_KEY
from framewise.config.schema_walk import allowed_keys, close_match, data_loc, expected_kinds
from framewise.core.errors import ConfigError
from framewise.core.jsonfile import strict_loads

M = TypeVar("M", bound=BaseModel)
Format = Literal["yaml", "json"]


def load_config(path: str | Path, model: type[M], *, context: Mapping[str, Any] | None = None) -> M:
    """Read a ``.yaml``/``.yml``/``.json`` file and validate it as ``model``.

    Relative paths inside the file are resolved against the file's folder.

    Raises:
        ConfigError: The file is missing, unreadable, not valid YAML/JSON, or does not
            validate; the message names the file and line.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "configuration file not found", subject=file, hint="check the path"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            "is a folder, not a configuration file", subject=file, hint="name the .yaml file"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            "not UTF-8 text", subject=file, hint="save the file as UTF-8 YAML or JSON"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read: {exc.strerror}", subject=file, hint="check its permissions"
        ) from None
    fmt: Format = "json" if file.suffix.lower() == ".json" else "yaml"
    ctx = {BASE_DIR_KEY: file.parent.resolve(), **(context or {})}
    return parse_config(text, model, source=str(file), fmt=fmt, context=ctx)


def parse_config(
    text: str,
    model: type[M],
    *,
    source: str = "<string>",
    fmt: Format = "yaml",
    context: Mapping[str, Any] | None = None,
) -> M:
    """Validate configuration text as ``model``; ``source`` names it in error messages.

    Raises:
        ConfigError: The text is not valid YAML/JSON or does not validate.
    """
    data, root = _parse_json(text, source) if fmt == "json" else _parse_yaml(text, source)
    if data is None:
        raise ConfigError(
            "the file is empty", subject=source, hint="write the settings as a mapping of keys"
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"the top level is a {type(data).__name__}, not a mapping of keys",
            subject=f"{source}:1",
            hint="start the file with `key: value` lines",
        )
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as exc:
        raise _to_config_error(exc, model, root, source) from None


def _parse_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _reject_duplicate_keys(root, source)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(
            f"invalid YAML: {problem}",
            subject=where,
            hint="check the indentation, colons and quotes on that line",
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", subject=source, hint="check the syntax") from None
    finally:
        loader.dispose()
    return data, root


def _parse_json(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    try:
        data = strict_loads(text)  # NaN/Infinity are not JSON: refused with their line
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"invalid JSON: {exc.msg}",
            subject=f"{source}:{exc.lineno}",
            hint="check commas, quotes and brackets on that line",
        ) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        # JSON that YAML 1.1 cannot read (tabs, some escapes): errors then carry no line.
        root = None
    return data, root


def _reject_duplicate_keys(node: yaml.Node, source: str) -> None:
    """Raise on a key written twice in one mapping (PyYAML would keep the last silently)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                line = key.start_mark.line + 1
                if key.value in seen:
                    raise ConfigError(
                        f"key {key.value!r} appears twice in one mapping "
                        f"(first at line {seen[key.value]})",
                        subject=f"{source}:{line}",
                        hint="keep one of them",
                    )
                seen[key.value] = line
            _reject_duplicate_keys(value, source)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item, source)


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the deepest node on ``loc`` (the key's line for mapping entries).

    ``loc`` parts that are no key in the file (a union's tag, a missing key) are skipped, so
    a missing key points at its parent mapping.
    """
    if root is None:
        return None
    node: yaml.Node = root
    marked: yaml.Node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    marked, node = key, value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            marked = node = node.value[part]
    return int(marked.start_mark.line) + 1


def _loc_text(loc: tuple[int | str, ...]) -> str:
    """``detectors[0].confidence`` from a data loc."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _hint(error: ErrorDetails, model: type[BaseModel]) -> str:
    loc, kind = error["loc"], error["type"]
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1])
        guess = close_match(str(loc[-1]), allowed)
        hint = "remove it or fix its spelling"
        if guess:
            hint += f" (did you mean {guess!r}?)"
        return hint + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
    if kind == "missing":
        return f"add the required key {loc[-1]!r}" if loc else "add the required keys"
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        kinds = expected_kinds(model, loc)
        return f"set kind to one of: {', '.join(kinds)}" if kinds else "set a valid kind"
    return "change the value on that line"


def _to_config_error(
    exc: ValidationError, model: type[BaseModel], root: yaml.Node | None, source: str
) -> ConfigError:
    errors = exc.errors(include_url=False)
    # A plain union reports one error per member at the same place; say them as one.
    groups: dict[tuple[int | str, ...], list[ErrorDetails]] = {}
    for error in errors:
        groups.setdefault(data_loc(model, error["loc"]), []).append(error)
    loc, group = next(iter(groups.items()))
    first = group[0]
    line = _line_of(root, loc)
    messages = list(dict.fromkeys(e["msg"].removeprefix("Value error, ") for e in group))
    message = "; or ".join(messages)
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "required key is missing"
    where = _loc_text(loc)
    text = f"{where}: {message}" if where else message
    if len(groups) > 1:
        text += f" (and {len(groups) - 1} more error{'s' if len(groups) > 2 else ''})"
    subject = f"{source}:{line}" if line is not None else source
    return ConfigError(text, subject=subject, hint=_hint(first, model))
