#!/usr/bin/env bash
# scripts/hw-bench.sh: reproduces every number of BENCHMARKS.md "## Hardware" (issue 4), from training
# through co-simulation, lint and synthesis. Everything goes under out/hw-bench/ (logs in logs/, the
# one-page summary in summary.txt).
#
#   bash scripts/hw-bench.sh                 # every stage (18 min on 2 cores at load 7-10; Yosys ~3 GB)
#   bash scripts/hw-bench.sh cosim split     # chosen stages only (later stages need earlier outputs)
#
# Stages: build train hdl cosim split vcd lint synth bram iverilog summary.
# Environment: DATA (MNIST subset, default ../shared/data/mnist-10k beside the repository), OUT (default out/hw-bench),
# SAMPLES (co-simulated test samples per model, default 2004 = all), QUANT (default "--bits 8 --steps 64"),
# TTFS_BIN (use this ttfs binary instead of `cargo build --release`; e.g. one built from a clean checkout).
# The Verilator cache is $OUT/sim-cache (TTFS_SIM_CACHE), emptied by the cosim stage so that every
# build time it reports is a clean build. Heavy steps run one at a time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
O=${OUT:-out/hw-bench}
DATA=${DATA:-$ROOT/../shared/data/mnist-10k}
SAMPLES=${SAMPLES:-2004}
read -r -a QUANT <<<"${QUANT:---bits 8 --steps 64}"
mkdir -p "$O"
export TTFS_SIM_CACHE="$(cd "$O" && pwd)/sim-cache"
B="$O/bin/ttfs"
L="$O/logs"
mkdir -p "$O/bin" "$L" "$O/q" "$O/hdl" "$O/cosim" "$O/spikes" "$O/synth"

# model name -> training config (the 784-100-10 model "tiny" is the committed one in models/)
declare -A CONFIG=([b1]=hw-mnist-baseline [m1]=hw-mnist-mssr [b3]=hw-deep-baseline [m3]=hw-deep-mssr)
MODELS=(b1 m1 b3 m3)
# design name -> "model lanes" (lanes: comma list per layer, empty = hdl's default of 16)
declare -A DESIGN=([b1-l16]="b1 " [b1-l40]="b1 40,10" [m1-l16]="m1 " [b3-l16]="b3 " [m3-l16]="m3 "
    [tiny-l16]="tiny ")
DESIGNS=(b1-l16 b1-l40 m1-l16 b3-l16 m3-l16 tiny-l16)

log() { printf '[hw-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# timed NAME CMD...: runs CMD with stdout+stderr in $L/NAME.log, wall time and load average appended.
timed() {
    local name=$1
    shift
    log "$name: $*"
    local t0 t1 rc=0
    t0=$(date +%s.%N)
    { echo "# $*"; echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"; } >"$L/$name.log"
    "$@" >>"$L/$name.log" 2>&1 || rc=$?
    t1=$(date +%s.%N)
    printf '# wall %.1f s, load after: %s, exit %d\n' "$(awk "BEGIN{print $t1 - $t0}")" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" "$rc" >>"$L/$name.log"
    if [ "$rc" -ne 0 ]; then
        log "$name FAILED (exit $rc), see $L/$name.log"
        tail -n 20 "$L/$name.log" >&2
        return "$rc"
    fi
}
qmodel() { echo "$O/q/$1.safetensors"; }

stage_build() {
    if [ -n "${TTFS_BIN:-}" ]; then
        log "build: using TTFS_BIN=$TTFS_BIN"
        cp "$TTFS_BIN" "$B"
    else
        timed build cargo build --release
        cp target/release/ttfs "$B"
    fi
    {
        echo "date: $(date -u)"
        echo "nproc: $(nproc)"
        lscpu | grep 'Model name'
        grep MemTotal /proc/meminfo
        rustc --version
        verilator --version
        iverilog -V 2>&1 | head -n 1 || true
        yosys -V || true
        echo "binary: ${TTFS_BIN:-target/release/ttfs}"
        echo "git: $(git rev-parse --short HEAD); uncommitted changes in: $(git status --short --untracked-files=no | awk '{print $2}' | tr "\n" " ")"
    } >"$O/machine.txt"
}

stage_train() {
    for m in "${MODELS[@]}"; do
        rm -rf "$O/train-${CONFIG[$m]}"
        timed "train-$m" "$B" train --config "configs/${CONFIG[$m]}.toml" --out "$O/train-${CONFIG[$m]}"
    done
}

stage_hdl() {
    for m in "${MODELS[@]}"; do
        timed "quantize-$m" "$B" quantize --model "$O/train-${CONFIG[$m]}/model.safetensors" --out-file "$(qmodel "$m")" "${QUANT[@]}"
    done
    timed quantize-tiny "$B" quantize --model models/mnist-small-784-100-10/model.safetensors \
        --out-file "$(qmodel tiny)" "${QUANT[@]}"
    for d in "${DESIGNS[@]}"; do
        read -r m lanes <<<"${DESIGN[$d]}"
        local extra=()
        [ -n "$lanes" ] && extra=(--lanes "$lanes")
        timed "hdl-$d" "$B" hdl --model "$(qmodel "$m")" --out "$O/hdl/$d" "${extra[@]}"
    done
}

# Verilator, event log (no VCD), all test samples; the first run of each design builds it (clean cache).
stage_cosim() {
    rm -rf "$TTFS_SIM_CACHE"
    for d in b1-l16 b1-l40 m1-l16 b3-l16 m3-l16; do
        read -r m _ <<<"${DESIGN[$d]}"
        timed "cosim-$d" "$B" cosim --design "$O/hdl/$d" --model "$(qmodel "$m")" --data "$DATA" \
            --samples "$SAMPLES" --no-trace --out "$O/cosim/$d"
    done
}

# Cycles split into event-driven and step-driven parts, per layer, from golden's integer spike trains
# and the manifest (the architecture's lower bound: sum_l groups_l * (1 + e_l + n_steps) + s_l).
stage_split() {
    for d in b1-l16 m1-l16 b3-l16 m3-l16; do
        read -r m _ <<<"${DESIGN[$d]}"
        timed "spikes-$m" "$B" dump-spikes --model "$(qmodel "$m")" --data "$DATA" --with-inputs \
            --sample-list "0-$((SAMPLES - 1))" --out-file "$O/spikes/$m.csv"
        python3 - "$O/hdl/$d/manifest.json" "$O/spikes/$m.csv" "$SAMPLES" >"$O/split-$d.txt" <<'PY'
import csv, json, sys
man = json.load(open(sys.argv[1])); n = int(sys.argv[3])
N = man["n_steps"]; layers = man["layers"]; L = len(layers); sizes = man["sizes"]
ev = [0] * (L + 1)      # spikes of layer l with step < n_steps (the events layer l+1 absorbs)
sp = [0] * (L + 1)      # all spikes of layer l
with open(sys.argv[2]) as f:
    r = csv.reader(f)
    head = next(r)
    for row in r:
        s, l, step = int(row[0]), int(row[1]), int(row[3])
        if s >= n: continue
        sp[l] += 1
        if step < N: ev[l] += 1
g = [x["groups"] for x in layers]
out = {"samples": n, "n_steps": N, "sizes": sizes, "groups": g,
       "spikes_per_layer": [x / n for x in sp],
       "firing_rate_hidden": [sp[l] / n / sizes[l] for l in range(1, L)]}
out["mean_hidden_rate"] = sum(out["firing_rate_hidden"]) / (L - 1)
event_cycles = [g[l] * ev[l] / n for l in range(L)]          # layer l+1 absorbing layer l's events
step_cycles = [g[l] * (1 + N) for l in range(L)]
spike_cycles = [sp[l + 1] / n for l in range(L)]
sops = [sp[l] / n * sizes[l + 1] for l in range(L)]
out.update(event_cycles=event_cycles, step_cycles=step_cycles, spike_cycles=spike_cycles,
           bound=sum(event_cycles) + sum(step_cycles) + sum(spike_cycles),
           sops=sum(sops), sops_per_layer=sops, hidden_sops=sum(sops[1:]),
           hidden_event_cycles=sum(event_cycles[1:]))
for k, v in out.items():
    if isinstance(v, list):
        v = " ".join(str(x) if isinstance(x, int) else f"{x:.3f}" if x < 10 else f"{x:.1f}" for x in v)
    elif isinstance(v, float): v = f"{v:.3f}"
    print(f"{k:20} {v}")
PY
        cat "$O/split-$d.txt" >>"$L/spikes-$m.log"
    done
}

# Throughput with a waveform: ports-only VCD (500 samples) and every signal (20 samples); the same
# 500 samples without VCD for comparison. VCDs are deleted afterwards (KEEP_VCD=1 keeps them).
stage_vcd() {
    local d=b1-l16 q
    q=$(qmodel b1)
    mkdir -p "$O/vcd"
    timed vcd-none "$B" cosim --design "$O/hdl/$d" --model "$q" --data "$DATA" --samples 500 --no-trace \
        --out "$O/cosim/vcd-none"
    timed vcd-ports "$B" cosim --design "$O/hdl/$d" --model "$q" --data "$DATA" --samples 500 \
        --trace-depth 1 --vcd "$O/vcd/ports.vcd" --out "$O/cosim/vcd-ports"
    timed vcd-full "$B" cosim --design "$O/hdl/$d" --model "$q" --data "$DATA" --samples 20 \
        --vcd "$O/vcd/full.vcd" --out "$O/cosim/vcd-full"
    ls -l "$O/vcd" >>"$L/vcd-full.log"
    [ "${KEEP_VCD:-0}" = 1 ] || rm -f "$O/vcd/ports.vcd" "$O/vcd/full.vcd"
}

stage_lint() {
    for d in b1-l16 b1-l40 b3-l16; do
        timed "lint-$d" bash -c "cd '$O/hdl/$d' && verilator --lint-only -Wall -Wno-fatal --top-module ttfs_top ttfs_top.v"
        {
            echo "# warnings: $(grep -c '^%Warning' "$L/lint-$d.log" || true)"
            echo "# waivers in the generated text:"
            grep -n 'lint_off\|verilator ' "$O/hdl/$d/ttfs_top.v" || echo "#   none"
        } >>"$L/lint-$d.log"
    done
}

# One Yosys run on the 784-400-10 design through `ttfs synth` (the toolchain crate plans it: generic
# `synth -top ttfs_top` split at its `fine` label, so the memories inferred by `memory -nomap` ($mem_v2,
# what FPGA flows map to block RAM) are counted before the generic flow maps them to flip-flops; then
# the rest of synth and stat). Latches fail the command. Work files in $O/synth/<stage>/.
stage_synth() {
    local d=b1-l16
    timed synth /usr/bin/time -v "$B" synth --design "$O/hdl/$d" --family generic --out "$O/synth/generic" \
        --json "$O/synth/generic.json"
}

# Block RAM inference on a real FPGA target: Yosys `synth_ecp5` (Lattice ECP5; DP16KD = 18 kbit block
# RAM, TRELLIS_DPR16X4 = distributed RAM) on the same design; about a minute.
stage_bram() {
    local d=b1-l16
    timed bram /usr/bin/time -v "$B" synth --design "$O/hdl/$d" --family ecp5 --out "$O/synth/ecp5" \
        --json "$O/synth/ecp5.json"
}

stage_iverilog() {
    timed cosim-tiny-iverilog "$B" cosim --design "$O/hdl/tiny-l16" --model "$(qmodel tiny)" --data "$DATA" \
        --samples 5 --simulator iverilog --trace-depth 1 --out "$O/cosim/tiny-iverilog"
}

stage_summary() {
    {
        cat "$O/machine.txt"
        for f in "$L"/train-*.log; do echo "== $f"; grep -E 'epoch 8/8|epoch 6/8|epoch 6/6|model written|^# wall' "$f" || true; done
        for m in "${MODELS[@]}"; do echo "== $m metrics"; tail -n 1 "$O/train-${CONFIG[$m]}/metrics.csv"; done
        for f in "$L"/cosim-*.log "$L"/vcd-*.log; do
            echo "== $f"
            grep -E '^(simulator|samples|accuracy|spikes|SOPs|cycles|cycle model|throughput|waveform|WARNING|#)|mismatch|differ' "$f" || true
        done
        for f in "$O"/split-*.txt; do echo "== $f"; cat "$f"; done
        for f in "$L"/lint-*.log; do echo "== $f"; grep -E '^(#|%Warning)' "$f" || true; done
        for f in "$L"/synth.log "$L"/bram.log; do
            echo "== $f"
            grep -E '^(#|ttfs synth|cells|memories|LUTs|flip-flops|block RAM|distributed RAM|latches|  [$A-Z])|Maximum resident' "$f" || true
        done
    } >"$O/summary.txt"
    log "summary in $O/summary.txt"
}

STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && STAGES=(build train hdl cosim split vcd lint synth bram iverilog summary)
for s in "${STAGES[@]}"; do
    declare -F "stage_$s" >/dev/null || { log "unknown stage $s"; exit 2; }
done
T0=$(date +%s)
for s in "${STAGES[@]}"; do
    "stage_$s"
done
log "done in $(($(date +%s) - T0)) s"
