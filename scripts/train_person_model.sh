#!/usr/bin/env bash
# A person model trained on one camera's own footage (issue 22, item 4): the way a user would
# make the people profile's detector theirs. vtest.avi (PETS09-S2L1, 480x360, 795 frames) is
# "their camera": its first 60 % (frames 0-476, every 2nd; every 8th of those for val) with the
# MOT ground truth's boxes train YOLO11n from its YAML (no pretrained weights), the last 40 %
# (477-794) stay held out for bench/people.py --model --start 477.
# Measured on a loaded 2-core machine (load 5-9): 12-14 s an epoch at --imgsz 320, batch 16;
# the 60 epochs took 14.2 min (src/framewise/profiles/people/model/MODEL_CARD.md).
# `framewise train yolo` exports model.onnx (opset 17), checks it against the .pt on the val
# images and writes MODEL_CARD.md in the run folder.
set -euo pipefail
FW="${FW:-.venv/bin/python -m framewise}"
PY="${PY:-.venv/bin/python}"
OUT="${OUT:-/tmp/p22d}"
EPOCHS="${EPOCHS:-60}"
mkdir -p "$OUT"
nice -n 10 $PY scripts/train_person_model.py --out "$OUT/ds" --every 2 --val-every 8
nice -n 10 $FW train yolo --data "$OUT/ds/data.yaml" --out "$OUT/run" \
  --epochs "$EPOCHS" --imgsz 320 --batch 16 --workers 1
# Held-out score beside HOG (vtest's last 40 %), then the other camera (TUD-Campus, all frames).
# Activation 0.5: this model's scores run lower than HOG's (chosen on frames 0-476, see the card).
nice -n 10 $PY bench/people.py --model "$OUT/run/model.onnx" --activation 0.5 --only vtest \
  --start 477
nice -n 10 $PY bench/people.py --model "$OUT/run/model.onnx" --activation 0.5 --only TUD-Campus
