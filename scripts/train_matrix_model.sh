#!/usr/bin/env bash
# The tarkov model for degraded footage (issue 15, item 2), as it was made: v5 is v3
# fine-tuned on 24 renders across the degradation matrix, v6 is v5 fine-tuned on those plus 12
# renders across UI scales 0.8-1.25 (v5 missed whole post-raid screens at UI scale 0.9), v7
# (shipped) is v6 fine-tuned on all those plus 12 with colour shifts at small UI scales.
# About 1 h 40 min on a quiet 2-core machine (renders 32 min, training 14 + 27 + 18 min), plus
# ~4 min per matrix evaluation. Run from the repository root; everything lands in $PWD.
# `train_matrix_model.sh v7` runs only the last step (v6 in models/v2, renders in $OUT).
#
# Training seeds 401-436 are new (v1-v3 used 1-8 and 301-316; the matrix evaluates 951-953 and
# the model card's held-out set is 901-907: none of those may be trained on).
# Each session gets one variant of the matrix (eval/matrix.py VARIANTS) and its own degrade seed,
# so the detector sees grain, 720p/480p downscales, 1-2 Mb/s, motion blur, gamma/colour shifts,
# webcam and chat overlays and UI scales 0.8-1.25, with the same exact boxes.
# Ultralytics' own augmentations, tuned for it (`--aug`): no horizontal flips (fliplr 0, default
# 0.5: a mirrored UI never occurs, and the kill feed is always top right), wider hue and
# brightness gains (hsv_h 0.03, hsv_v 0.5; defaults 0.015, 0.4) for the gamma/colour shifts;
# scale 0.5 and translate 0.1 stay; mosaic is off throughout (every epoch is within
# close_mosaic's last 10), which keeps the screen-sized boxes whole.
set -euo pipefail
FW="${FW:-.venv/bin/python -m framewise}"
OUT="${OUT:-train5}"
AUG=(--aug fliplr=0 --aug hsv_h=0.03 --aug hsv_v=0.5)
mkdir -p "$OUT"

render() {  # seed, "name:size:degradations"
  local seed=$1 name size degrade
  IFS=: read -r name size degrade <<<"$2"
  local extra=(--short-raids)
  if (( seed % 4 == 0 )); then extra+=(--start-in-raid); fi
  nice -n 10 $FW synth --minutes 3 --seed "$seed" --size "$size" --fps 30 \
    ${degrade:+--degrade "$degrade"} --degrade-seed "$seed" "${extra[@]}" \
    --out "$OUT/s$seed-$name.mkv"
}

matrix=(
  "clean:1280x720:"
  "grain720:1920x1080:grain,downscale=720,bitrate=2M"
  "sd480:1280x720:downscale=480,bitrate=1M"
  "bitrate1M:1280x720:bitrate=1M"
  "blur:1280x720:blur"
  "colour:1280x720:gamma,colour"
  "overlays:1280x720:overlay=webcam,overlay=chat"
  "ui90:1280x720:ui-scale=0.9"
  "ui115:1280x720:ui-scale=1.15"
  "worst:1920x1080:grain,downscale=720,bitrate=1M,blur,gamma,colour,overlay=webcam,overlay=chat,ui-scale=0.9"
  "grain:1280x720:grain=14,bitrate=2M"
  "mixed:1920x1080:downscale=720,bitrate=2M,blur=8,colour,overlay=chat,ui-scale=1.1"
)
ui_scales=(
  "ui85:1280x720:ui-scale=0.85"
  "ui90g:1920x1080:ui-scale=0.9,grain,downscale=720,bitrate=2M"
  "ui95:1280x720:ui-scale=0.95,bitrate=1M"
  "ui105:1280x720:ui-scale=1.05,blur"
  "ui110:1280x720:ui-scale=1.1,gamma,colour"
  "ui120:1280x720:ui-scale=1.2,overlay=webcam"
  "ui90o:1280x720:ui-scale=0.9,overlay=webcam,overlay=chat"
  "ui80:1280x720:ui-scale=0.8"
  "ui90s:1280x720:ui-scale=0.9,downscale=480,bitrate=1M"
  "ui125:1280x720:ui-scale=1.25,grain=12"
  "worst85:1920x1080:grain,downscale=720,bitrate=1M,blur,gamma,colour,overlay=webcam,overlay=chat,ui-scale=0.85"
  "ui90c:1280x720:ui-scale=0.9,gamma,colour,bitrate=2M"
)

colour_small_ui=(
  "c90:1280x720:ui-scale=0.9,gamma,colour"
  "c85:1280x720:ui-scale=0.85,gamma=0.75,colour=0.15"
  "c95:1280x720:ui-scale=0.95,gamma=1.35,colour,bitrate=2M"
  "c80:1280x720:ui-scale=0.8,gamma=1.25,colour=0.1"
  "c90b:1280x720:ui-scale=0.9,gamma=0.7,colour,blur"
  "c90g:1920x1080:ui-scale=0.9,gamma,colour,grain,downscale=720,bitrate=2M"
  "c100:1280x720:gamma=1.4,colour=0.15"
  "c90o:1280x720:ui-scale=0.9,gamma,colour,overlay=webcam,overlay=chat"
  "u90:1280x720:ui-scale=0.9,bitrate=1M"
  "u88:1280x720:ui-scale=0.88,gamma=0.8"
  "c92:1280x720:ui-scale=0.92,gamma=1.3,colour=0.12"
  "c85s:1280x720:ui-scale=0.85,gamma,colour,downscale=480,bitrate=1M"
)
STAGE="${1:-all}"  # all, or v7 to run only the last fine-tune (v6 in models/v2)

if [[ "$STAGE" == all ]]; then
# v5: seeds 401-424, the matrix's variants twice; 8 epochs from the shipped v3.
seed=401
for round in 1 2; do
  for v in "${matrix[@]}"; do render "$seed" "$v"; seed=$((seed + 1)); done
done
nice -n 10 $FW dataset yolo "$OUT"/s4[01]*.mkv "$OUT"/s42[0-4]-*.mkv --out ds5 --fps 0.5 \
  --val-share 0.15 --balance 0.03
# v3's weights from the last commit that shipped them (git history keeps every model).
git -C "$(dirname "$0")" show 2d1078c:src/framewise/profiles/tarkov/model/yolo11n_tarkov.pt > v3.pt
nice -n 10 $FW train yolo --data ds5/data.yaml --from v3.pt --models models \
  --epochs 8 --imgsz 320 --batch 16 --workers 1 "${AUG[@]}"          # -> models/v1 (v5)

# v6: seeds 425-436 across UI scales; 10 epochs from v5 on all 36 sessions.
for v in "${ui_scales[@]}"; do render "$seed" "$v"; seed=$((seed + 1)); done
nice -n 10 $FW dataset yolo "$OUT"/s4*.mkv --out ds6 --fps 0.5 --val-share 0.15 --balance 0.03
nice -n 10 $FW train yolo --data ds6/data.yaml --from models/v1/model.pt --models models \
  --epochs 10 --imgsz 320 --batch 16 --workers 1 "${AUG[@]}"         # -> models/v2 (v6)

fi

# v7: seeds 437-448, gamma/colour shifts at UI scales 0.8-0.95 (v6 missed a survived screen
# under the colour shift and found one 2.8 s late at UI 0.9); 5 epochs from v6 on all 48.
seed=437
for v in "${colour_small_ui[@]}"; do render "$seed" "$v"; seed=$((seed + 1)); done
nice -n 10 $FW dataset yolo "$OUT"/s4*.mkv --out ds7 --fps 0.5 --val-share 0.15 --balance 0.03
nice -n 10 $FW train yolo --data ds7/data.yaml --from models/v2/model.pt --models models \
  --epochs 5 --imgsz 320 --batch 16 --workers 1 "${AUG[@]}"          # -> models/v3 (v7)

# The matrix (README, "Degraded footage"): renders are shared, runs kept per model.
for m in v1 v2 v3; do
  nice -n 10 $FW eval-matrix --seeds 951,952 --minutes 2 --model "models/$m/model.onnx" \
    --out "matrix_$m.json" --work matrix_cells
done
