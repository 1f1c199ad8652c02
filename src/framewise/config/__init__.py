"""Typed configuration: pipeline YAML models, the state machine table, and their loaders.

Example:
    >>> from framewise.config import PipelineConfig, parse_config
    >>> cfg = parse_config("detectors: [{kind: yolo_onnx, model: m.onnx}]", PipelineConfig)
    >>> cfg.detectors[0].kind
    'yolo_onnx'
"""

from framewise.config.base import (
    BASE_DIR_KEY,
    SOURCE_CONFIGS,
    AnySourceConfig,
    ConfigPath,
    DecodeOptions,
    DeviceSourceConfig,
    FileSourceConfig,
    FolderSourceConfig,
    ImageFolderSourceConfig,
    ReplaySourceConfig,
    SourceConfig,
    StreamSourceConfig,
    StrictModel,
)
from framewise.config.detectors import (
    DETECTOR_CONFIGS,
    DetectorConfig,
    FieldConfig,
    FieldParserConfig,
    OcrConfig,
    YoloOnnxConfig,
    detector_name,
)
from framewise.config.loader import load_config, parse_config
from framewise.config.pipeline import (
    FILTER_CONFIGS,
    SINK_CONFIGS,
    ConfirmSettings,
    EpisodeFilterConfig,
    FilterConfig,
    JsonLogSinkConfig,
    PipelineConfig,
    SinkConfig,
    StoreSinkConfig,
    TrackingSettings,
    WebSocketSinkConfig,
    load_pipeline,
)
from framewise.config.state_machine import (
    ContextRuleSpec,
    EventRuleSpec,
    StateMachineSpec,
    StateSpec,
    load_state_machine,
)

__all__ = [
    "BASE_DIR_KEY",
    "DETECTOR_CONFIGS",
    "FILTER_CONFIGS",
    "SINK_CONFIGS",
    "SOURCE_CONFIGS",
    "AnySourceConfig",
    "ConfigPath",
    "ConfirmSettings",
    "ContextRuleSpec",
    "DecodeOptions",
    "DetectorConfig",
    "DeviceSourceConfig",
    "EpisodeFilterConfig",
    "EventRuleSpec",
    "FieldConfig",
    "FieldParserConfig",
    "FileSourceConfig",
    "FilterConfig",
    "FolderSourceConfig",
    "ImageFolderSourceConfig",
    "JsonLogSinkConfig",
    "OcrConfig",
    "PipelineConfig",
    "ReplaySourceConfig",
    "SinkConfig",
    "SourceConfig",
    "StateMachineSpec",
    "StateSpec",
    "StoreSinkConfig",
    "StreamSourceConfig",
    "StrictModel",
    "TrackingSettings",
    "WebSocketSinkConfig",
    "YoloOnnxConfig",
    "detector_name",
    "load_config",
    "load_pipeline",
    "load_state_machine",
    "parse_config",
]
