#!/usr/bin/env bash
# Retrain the B1+ -> 10 g SAR surrogates on the 3D openEMS subjects, select on validation subjects, evaluate on the
# held-out test subjects against the shipped 2D models, and write a Markdown report (docs/surrogate.md, "Retrained on
# 3D subjects"). One command, resumable: every stage skips what is already done in RUN (rerun the same command after an
# interruption; training continues from its checkpoint.pt).
#
#   tools/surrogate3d/retrain.sh [RUN]            RUN defaults to /work/runs-retrain3d (kept out of the repo)
#
# Environment (defaults in brackets):
#   DATA [data/surrogate3d]  SPLIT [tools/surrogate3d/split.json]  CANDIDATES ["unet-ft cgan-ft"]
#   MINUTES [40] wall-clock budget per model   PARALLEL [2] training processes at a time   NICE [10]
#   PAIR_SHIMS [48] stored shims per subject (seed 1)   VAL_SHIMS [16]   VAL_MINUTES [5]   PATIENCE [0]
#   TEST_SHIMS [20] (seed 0)   WORST_SHIMS [40]   REPORT [docs/surrogate-eval/3d-retrained]
#   SARKIT [./sarkit] the command line (e.g. "dotnet src/SarKit.Cli/bin/Release/net10.0/SarKit.Cli.dll")
#   INSTALL [0]: 1 = copy the candidates that beat the shipped 2D U-Net on validation to models/surrogate3d/<kind>
# Candidates: <kind>-ft = fine-tune the shipped 2D model (models/surrogate/<kind>, --init-from, --base 16, lr 2e-4);
#   <kind>-scratch = the from-scratch recipe (--base 8, lr 1e-3); kind = unet, cgan or perchannel.
# Stages: split (split.py) -> pairs (sarkit surrogate evaluate --pairs-only) -> train (train3d.py, checkpoint selection
#   on validation) -> validation of the 2D baselines (validate3d.py) -> test evaluation (sarkit surrogate evaluate
#   --data3d on the test subjects, new models and the 2D baselines) -> report (retrain_report.py) -> install.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)"
cd "$repo"
RUN="${1:-/work/runs-retrain3d}"
DATA="${DATA:-data/surrogate3d}"; SPLIT="${SPLIT:-tools/surrogate3d/split.json}"
CANDIDATES="${CANDIDATES:-unet-ft cgan-ft}"; MINUTES="${MINUTES:-40}"; PARALLEL="${PARALLEL:-2}"; NICE="${NICE:-10}"
PAIR_SHIMS="${PAIR_SHIMS:-48}"; VAL_SHIMS="${VAL_SHIMS:-16}"; VAL_MINUTES="${VAL_MINUTES:-5}"; PATIENCE="${PATIENCE:-0}"
TEST_SHIMS="${TEST_SHIMS:-20}"; WORST_SHIMS="${WORST_SHIMS:-40}"; REPORT="${REPORT:-docs/surrogate-eval/3d-retrained}"; INSTALL="${INSTALL:-0}"
PY=/usr/bin/python3
read -r -a SARKIT_CMD <<< "${SARKIT:-./sarkit}"
export PYTHONPATH="$repo/surrogate${PYTHONPATH:+:$PYTHONPATH}" OMP_NUM_THREADS=1
mkdir -p "$RUN"
log() { echo "retrain.sh $(date -u +%H:%M:%S) $*" | tee -a "$RUN/retrain.log" >&2; }
ids() { "$PY" -c "import json,sys; print(','.join(json.load(open(sys.argv[1]))[sys.argv[2]]))" "$RUN/split.json" "$1"; }

# 1. split (recomputed every time: new subjects join by the rule, listed ones never move)
"$PY" tools/surrogate3d/split.py --data "$DATA" --split "$SPLIT" --out "$RUN/split.json"
TRAIN=$(ids train); VAL=$(ids validation); TEST=$(ids test)
log "split: train $TRAIN | validation $VAL | test $TEST"

# 2. pairs of the subjects that have none yet (48 stored shims, seed 1, on the shipped models' 96 x 96 x 5 mm grid)
missing=$("$PY" -c "import os,sys; print(','.join(s for s in sys.argv[2].split(',') if not os.path.exists(os.path.join(sys.argv[1], s + '.npz'))))" "$RUN/pairs" "$TRAIN,$VAL,$TEST")
if [ -n "$missing" ]; then
  log "pairs: $missing"
  rm -rf "$RUN/pairs-data"
  "$PY" tools/surrogate3d/split.py --data "$DATA" --subset "$missing" --subset-dir "$RUN/pairs-data"
  nice -n 5 "${SARKIT_CMD[@]}" surrogate evaluate --data3d "$RUN/pairs-data" --model models/surrogate/unet/model.onnx \
    --pairs-out "$RUN/pairs" --pairs-only --shims "$PAIR_SHIMS" --seed 1 | tee -a "$RUN/retrain.log"
fi

# 3. training, at most $PARALLEL at a time; a finished candidate (config.json + model.onnx) is skipped
train_one() {
  local cand=$1 kind=${1%-*} recipe=${1##*-} out="$RUN/$1" args=()
  if [ -f "$out/config.json" ] && [ -f "$out/model.onnx" ]; then log "$cand: done"; return 0; fi
  case "$recipe" in
    ft) args=(--init-from "models/surrogate/$kind/model.onnx" --base 16 --lr 2e-4) ;;
    scratch) args=(--base 8 --lr 1e-3) ;;
    *) echo "retrain.sh: candidate '$cand': recipe must be ft or scratch" >&2; return 2 ;;
  esac
  local batch=8; [ "$kind" = perchannel ] && batch=4
  log "$cand: training ($MINUTES min budget)"
  mkdir -p "$out"
  /usr/bin/time -f "%e s wall %U user %S sys %M KB" -a -o "$out/time.txt" \
    nice -n "$NICE" "$PY" -m sarkit_surrogate.train3d --pairs "$RUN/pairs" --train "$TRAIN" --val "$VAL" \
    --model "$kind" "${args[@]}" --batch "$batch" --levels 4 --minutes "$MINUTES" --val-shims "$VAL_SHIMS" \
    --val-minutes "$VAL_MINUTES" --patience "$PATIENCE" --log-every 10 --threads 1 --out "$out" --onnx >> "$out/train.log" 2>&1
  log "$cand: finished ($(tail -1 "$out/time.txt"))"
}
pids=()
for cand in $CANDIDATES; do
  train_one "$cand" & pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do sleep 10; done
done
for p in "${pids[@]}"; do wait "$p"; done

# 4. the 2D baselines (and the models now in models/surrogate3d, unless trained or selected on a validation subject)
#    on the same validation cases
if [ ! -f "$RUN/val_baselines.json" ]; then
  vargs=(--model models/surrogate/unet/model.onnx --model models/surrogate/cgan/model.onnx)
  for m in models/surrogate3d/*/model.onnx; do [ -f "$m" ] && vargs+=(--model "$m"); done
  nice -n "$NICE" "$PY" -m sarkit_surrogate.validate3d --pairs "$RUN/pairs" --val "$VAL" --val-shims "$VAL_SHIMS" \
    "${vargs[@]}" --skip-overlap --out "$RUN/val_baselines.json"
fi

# 5. test evaluation: the new models and the shipped 2D U-Net and cGAN, on the test subjects only
if [ ! -f "$RUN/test_eval.json" ]; then
  rm -rf "$RUN/test-data"
  "$PY" tools/surrogate3d/split.py --data "$DATA" --subset "$TEST" --subset-dir "$RUN/test-data"
  margs=()
  for cand in $CANDIDATES; do mkdir -p "$RUN/eval-models/$cand"; cp "$RUN/$cand/model.onnx" "$RUN/$cand/config.json" "$RUN/eval-models/$cand/"; margs+=(--model "$RUN/eval-models/$cand/model.onnx"); done
  for b in unet cgan; do mkdir -p "$RUN/eval-models/2d-$b"; cp models/surrogate/$b/model.onnx models/surrogate/$b/config.json "$RUN/eval-models/2d-$b/"; margs+=(--model "$RUN/eval-models/2d-$b/model.onnx"); done
  log "test evaluation: $TEST"
  /usr/bin/time -f "%e s wall %U user %S sys %M KB" -o "$RUN/test_eval.time" nice -n 5 "${SARKIT_CMD[@]}" surrogate evaluate --data3d "$RUN/test-data" "${margs[@]}" \
    --shims "$TEST_SHIMS" --seed 0 --worst-shims "$WORST_SHIMS" --plots "$RUN/plots" --json > "$RUN/test_eval.json.tmp"
  mv "$RUN/test_eval.json.tmp" "$RUN/test_eval.json"
fi

# 6. report (Markdown + plots) into the repo
mkdir -p "$REPORT"
cp "$RUN"/plots/*.svg "$RUN"/plots/*.png "$REPORT/" 2>/dev/null || true
"$PY" tools/surrogate3d/retrain_report.py --run "$RUN" --candidates "$CANDIDATES" --out "$REPORT/report.md"
log "report: $REPORT/report.md"

# 7. install the candidates that beat the shipped 2D U-Net on validation (matched P(under) 13 %)
if [ "$INSTALL" = 1 ]; then
  "$PY" tools/surrogate3d/retrain_report.py --run "$RUN" --candidates "$CANDIDATES" --winners | while read -r cand; do
    kind=${cand%-*}; mkdir -p "models/surrogate3d/$kind"
    cp "$RUN/$cand/model.onnx" "models/surrogate3d/$kind/model.onnx"
    "$PY" -c "import json,sys; c=json.load(open(sys.argv[1])); [c.pop(k, None) for k in ('pairs','out')]; json.dump(c, open(sys.argv[2],'w'), indent=2)" "$RUN/$cand/config.json" "models/surrogate3d/$kind/config.json"
    log "installed $cand -> models/surrogate3d/$kind"
  done
fi
