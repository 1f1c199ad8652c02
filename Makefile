# The two commands: `make demo` and `make test`. Each sets up .venv on a fresh machine
# (Python 3.11 + the package registries) and is safe to run again.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS ?= store,detect,dev,pose,task,classify,otio
STAMP  := $(VENV)/.installed-$(shell echo "$(EXTRAS)" | tr ',' '-')

# Training (Ultralytics, AGPL-3.0), which `make test` needs too. Defined before the rules: make
# expands a rule's prerequisites as it reads it. The `train` extra holds its dependencies minus
# opencv-python (its GUI cv2 would clash with our headless one), so Ultralytics itself goes in
# with --no-deps; `pip check` then names only opencv-python as missing. Its own stamp, not the
# .installed-* one, so `make install` and `make train-deps` never undo each other.
ULTRALYTICS := ultralytics==8.4.190
TRAIN_STAMP := $(VENV)/.train-$(subst ==,-,$(ULTRALYTICS))
# datumaro (CVAT's dataset library) for the interop tests: the dev extra holds its dependencies;
# it goes in with --no-deps because it asks for pillow 12 (the project has 13).
DATUMARO := datumaro==1.13.12
INTEROP_STAMP := $(VENV)/.interop-$(subst ==,-,$(DATUMARO))
# DVR-Scan, the motion profile's anchor in bench/motion.py: it asks for opencv-contrib < 4.13
# beside our headless 4.14 and needs none of contrib for MOG2/KNN, so it goes in with --no-deps;
# the dev extra holds what it imports (scenedetect 0.6.7, numpy, pillow, platformdirs, tqdm).
DVRSCAN := dvr-scan-headless==1.8.2.1
DVRSCAN_STAMP := $(VENV)/.dvrscan-$(subst ==,-,$(DVRSCAN))
# MediaPipe for pose/hand features: 0.10.21 is the last release with its models inside. Its
# metadata asks for numpy < 2, GUI opencv-contrib, jax and sounddevice, none of which pose/hands
# need, so it goes in with --no-deps; the pose extra holds what it imports.
MEDIAPIPE := mediapipe==0.10.21
POSE_STAMP := $(VENV)/.pose-$(subst ==,-,$(MEDIAPIPE))
# Batched annotation (issue 18): transformers for the tagger, open-vocabulary detector,
# segmenter and CLIP stages; the tests build tiny models with it. Its torch is the train extra's,
# so `make demo` (which runs none of these models) never installs it.
ANNOTATE_STAMP := $(VENV)/.annotate-transformers-5.25.0
# Many machines (issue 21): the ray extra, for the tests that start a two-node Ray cluster.
RAY_STAMP := $(VENV)/.ray-2.60.0
# The people profile (issue 22): ByteTrack (Roboflow's trackers) and TrackEval (MOT scores) ask
# for opencv-python, a second cv2 beside our headless one, so they go in with --no-deps; the
# people extra holds what they import.
PEOPLE := trackers==2.6.1 trackeval==1.3.0
PEOPLE_STAMP := $(VENV)/.people-trackers-2.6.1-trackeval-1.3.0

.PHONY: demo test lint typecheck install tools bench clean train-deps

demo: $(STAMP) $(POSE_STAMP) $(PEOPLE_STAMP)
	$(BIN)/framewise demo
	# W1: a short two-camera session on the synthetic stereo rig, checked and scored.
	$(BIN)/framewise synth-stereo --out demo-output/w1 --seed 3 --pitches 2 --poses 10
	$(BIN)/framewise calibrate --camera left=demo-output/w1/calibration_left.mp4 \
		--camera right=demo-output/w1/calibration_right.mp4 --baseline-m 0.8 --out demo-output/w1/calibration
	$(BIN)/framewise record --camera left=demo-output/w1/left.mp4 --camera right=demo-output/w1/right.mp4 \
		--config demo-output/w1/rec.yaml --session demo-output/w1/recordings/session-demo
	$(BIN)/framewise verify-session demo-output/w1/recordings/session-demo
	$(BIN)/framewise eval-record demo-output/w1/recordings/session-demo --truth demo-output/w1/truth.json

test: $(STAMP) $(TRAIN_STAMP) $(INTEROP_STAMP) $(DVRSCAN_STAMP) $(POSE_STAMP) $(ANNOTATE_STAMP) $(RAY_STAMP) $(PEOPLE_STAMP) tools
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	rm -f $(VENV)/.installed-*
	touch $@


train-deps: $(TRAIN_STAMP)

$(TRAIN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[train]"
	$(BIN)/python -m pip install --quiet --no-deps $(ULTRALYTICS)
	rm -f $(VENV)/.train-*
	touch $@

$(POSE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[pose]"
	$(BIN)/python -m pip install --quiet --no-deps $(MEDIAPIPE)
	rm -f $(VENV)/.pose-*
	touch $@

$(ANNOTATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[annotate]"
	rm -f $(VENV)/.annotate-*
	touch $@

$(RAY_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[ray]"
	rm -f $(VENV)/.ray-*
	touch $@

$(PEOPLE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[people]"
	$(BIN)/python -m pip install --quiet --no-deps $(PEOPLE)
	rm -f $(VENV)/.people-*
	touch $@

$(INTEROP_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps $(DATUMARO)
	rm -f $(VENV)/.interop-*
	touch $@

$(DVRSCAN_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps $(DVRSCAN)
	rm -f $(VENV)/.dvrscan-*
	touch $@

# Tests and benchmarks use the ffmpeg command (to serve live streams, make lavfi clips);
# a fresh machine has none, so take Debian's package.
tools:
	@command -v ffmpeg >/dev/null 2>&1 || { \
	  echo "installing ffmpeg (Debian package) for tests and benchmarks"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq ffmpeg >/dev/null; }
	@[ -x /usr/bin/chromium ] || { echo "installing chromium (Debian package) for the review UI's browser tests"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@{ command -v curl && command -v jq; } >/dev/null 2>&1 || { echo "installing curl and jq (Debian packages) for the studio's curl walkthrough test"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq curl jq >/dev/null; }
	@{ command -v sbatch && [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/munged ]; } >/dev/null 2>&1 || { echo "installing slurm-wlm and munge (Debian packages) for the test that runs the stages on a one-node SLURM"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq slurm-wlm munge >/dev/null; }

bench: $(STAMP) tools
	$(BIN)/python bench/decode.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache demo-output .bench
