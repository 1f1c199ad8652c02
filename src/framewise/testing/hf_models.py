"""Random-weight ``transformers`` checkpoints for tests and benchmarks, built from configs.

Each builder writes a ``save_pretrained`` folder (model + processor) that the annotation
stages load through the same offline path users take. ``full=False`` (tests) makes models of a
few hundred kilobytes that run in milliseconds; ``full=True`` (``bench/annotate.py``) keeps the
published architectures' sizes — CLIP ViT-B/32, OWLv2 base, Grounding DINO Swin-T, SAM ViT-B,
BLIP base — so timings are real while weights stay random. Tokenizers are built from a small
vocabulary passed in directly (``transformers`` 5 ignores ``vocab_file=``): a word list plus
single letters, so any lower-case prompt tokenizes.

Example:
    >>> folder = tiny_clip(tmp_path / "clip")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WORDS = (
    "a", "photo", "of", "the", "red", "blue", "green", "car", "dog", "cat", "person",
    "tree", "sky", "road", "building", "text", "ball", "square", "circle",
)  # fmt: skip
"""Whole words the test tokenizers know (anything else is spelt letter by letter)."""

LETTERS = "abcdefghijklmnopqrstuvwxyz"
BOS, EOS = 1, 3
"""Start and end token ids of :func:`clip_tokenizer` (the text configs must say so)."""


def _transformers() -> Any:
    import transformers

    return transformers


def clip_tokenizer(max_length: int = 77) -> Any:
    """A CLIP BPE tokenizer over :data:`WORDS` and single letters (no merges)."""
    # Fillers at ids 0 and 2: OWL takes a query whose first id is 0 for padding, and CLIP
    # pools at the highest id (not at the end token) when the end token's id is 2.
    vocab = {"!": 0, "<|startoftext|>": BOS, "#": 2, "<|endoftext|>": EOS}
    for word in WORDS:
        vocab[f"{word}</w>"] = len(vocab)
    for letter in LETTERS:
        vocab.setdefault(letter, len(vocab))
        vocab.setdefault(f"{letter}</w>", len(vocab))
    return _transformers().CLIPTokenizerFast(
        vocab=vocab,
        merges=[],
        unk_token="<|endoftext|>",
        bos_token="<|startoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        model_max_length=max_length,
    )


_SPECIAL = {"bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": EOS}


def _layers(full: bool, hidden: int, layers: int, heads: int) -> dict[str, int]:
    if full:
        return {}
    return {
        "hidden_size": hidden,
        "intermediate_size": hidden * 2,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
    }


def tiny_clip(folder: Path, *, full: bool = False) -> Path:
    """A CLIP checkpoint (32-pixel input when tiny; ViT-B/32 when full) at ``folder``."""
    tf = _transformers()
    tokenizer = clip_tokenizer()
    side = 224 if full else 32
    text = {"vocab_size": len(tokenizer), **_SPECIAL, **_layers(full, 32, 2, 4)}
    vision = {"image_size": side, "patch_size": 32 if full else 8, **_layers(full, 32, 2, 4)}
    config = tf.CLIPConfig(
        text_config=text, vision_config=vision, projection_dim=512 if full else 16
    )
    images = tf.CLIPImageProcessor(
        size={"shortest_edge": side}, crop_size={"height": side, "width": side}
    )
    tf.CLIPModel(config).save_pretrained(folder)
    tf.CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(folder)
    return folder


def tiny_owlv2(folder: Path, *, full: bool = False) -> Path:
    """An OWLv2 checkpoint (64-pixel input when tiny; base/16 at 960 when full)."""
    tf = _transformers()
    tokenizer = clip_tokenizer(max_length=16)
    side = 960 if full else 64
    text = {
        "vocab_size": len(tokenizer),
        "max_position_embeddings": 16,
        **_SPECIAL,
        **_layers(full, 32, 2, 4),
    }
    vision = {"image_size": side, "patch_size": 16, **_layers(full, 32, 2, 4)}
    config = tf.Owlv2Config(
        text_config=text, vision_config=vision, projection_dim=512 if full else 32
    )
    images = tf.Owlv2ImageProcessor(size={"height": side, "width": side})
    tf.Owlv2ForObjectDetection(config).save_pretrained(folder)
    tf.Owlv2Processor(image_processor=images, tokenizer=tokenizer).save_pretrained(folder)
    return folder


def tiny_grounding_dino(folder: Path, *, full: bool = False) -> Path:
    """A Grounding DINO checkpoint (tiny Swin + BERT; Swin-T + BERT-base when full)."""
    tf = _transformers()
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, ".": 5}
    for word in (*WORDS, *LETTERS):
        vocab.setdefault(word, len(vocab))
    tokenizer = tf.BertTokenizerFast(vocab=vocab, do_lower_case=True)
    if full:
        config = tf.GroundingDinoConfig(
            text_config={"model_type": "bert", "vocab_size": len(vocab)}
        )
        images = tf.GroundingDinoImageProcessor()
    else:
        config = tf.GroundingDinoConfig(
            backbone_config={
                "model_type": "swin",
                "embed_dim": 8,
                "depths": [1, 1, 1, 1],
                "num_heads": [1, 1, 1, 1],
                "window_size": 4,
                "image_size": 64,
                "out_features": ["stage2", "stage3", "stage4"],
                "out_indices": [2, 3, 4],
            },
            text_config={
                "model_type": "bert",
                "vocab_size": len(vocab),
                "hidden_size": 32,
                "num_hidden_layers": 1,
                "num_attention_heads": 2,
                "intermediate_size": 32,
                "max_position_embeddings": 64,
            },
            d_model=32,
            encoder_layers=1,
            decoder_layers=2,  # one layer leaves the tied box heads nothing to tie to
            encoder_ffn_dim=32,
            decoder_ffn_dim=32,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            num_queries=12,
            num_feature_levels=3,
            encoder_n_points=2,
            decoder_n_points=2,
            max_text_len=32,
        )
        images = tf.GroundingDinoImageProcessor(size={"shortest_edge": 64, "longest_edge": 96})
    tf.GroundingDinoForObjectDetection(config).save_pretrained(folder)
    tf.GroundingDinoProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(folder)
    return folder


def tiny_sam(folder: Path, *, full: bool = False) -> Path:
    """A SAM checkpoint (64-pixel input when tiny; ViT-B at 1024 when full)."""
    tf = _transformers()
    if full:
        config = tf.SamConfig()
        images = tf.SamImageProcessor()
    else:
        config = tf.SamConfig(
            vision_config={
                **_layers(False, 32, 2, 4),
                "image_size": 64,
                "patch_size": 16,
                "output_channels": 32,
                "window_size": 4,
                "global_attn_indexes": [1],
                "mlp_dim": 64,
                "num_pos_feats": 16,
            },
            prompt_encoder_config={
                "hidden_size": 32,
                "image_size": 64,
                "patch_size": 16,
                "mask_input_channels": 4,
                "image_embedding_size": 4,
            },
            mask_decoder_config={
                "hidden_size": 32,
                "num_hidden_layers": 2,
                "num_attention_heads": 2,
                "mlp_dim": 32,
                "iou_head_hidden_dim": 16,
            },
        )
        images = tf.SamImageProcessor(
            size={"longest_edge": 64},
            pad_size={"height": 64, "width": 64},
            mask_size={"longest_edge": 16},
            mask_pad_size={"height": 16, "width": 16},
        )
    tf.SamModel(config).save_pretrained(folder)
    tf.SamProcessor(image_processor=images).save_pretrained(folder)
    return folder


def tiny_blip(folder: Path, *, full: bool = False) -> Path:
    """A BLIP captioning checkpoint (32-pixel input when tiny; BLIP base at 384 when full).

    The tiny one's weights are drawn wider than BLIP's default (``initializer_range`` 0.5)
    so its greedy captions depend on the picture: crops mapped to the wrong box would show.
    """
    tf = _transformers()
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "[DEC]": 5, ".": 6}
    for word in (*WORDS, *LETTERS):
        vocab.setdefault(word, len(vocab))
    tokenizer = tf.BertTokenizerFast(vocab=vocab, do_lower_case=True, bos_token="[DEC]")
    special = {"bos_token_id": 5, "pad_token_id": 0, "sep_token_id": 3, "eos_token_id": 3}
    if full:
        config = tf.BlipConfig(text_config={"vocab_size": len(vocab), **special})
        images = tf.BlipImageProcessor()
    else:
        wide = {**_layers(False, 32, 2, 4), "initializer_range": 0.5}
        text = {
            "vocab_size": len(vocab),
            "encoder_hidden_size": 32,
            "max_position_embeddings": 64,
            **special,
            **wide,
        }
        vision = {"image_size": 32, "patch_size": 8, **wide}
        config = tf.BlipConfig(text_config=text, vision_config=vision, projection_dim=16)
        images = tf.BlipImageProcessor(size={"height": 32, "width": 32})
    tf.BlipForConditionalGeneration(config).save_pretrained(folder)
    tf.BlipProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(folder)
    return folder
