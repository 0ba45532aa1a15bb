#!/usr/bin/env bash
# bench/train-speed.sh: training speed of `ttfs train` beside the PyTorch CPU implementation of the same
# model (bench/pytorch/ttfs_torch.py), in one run, on both network sizes and both data sets (issue 3).
#
#   bash bench/train-speed.sh              # 8,000 samples per case (~6 min on 2 idle cores)
#   N=4000 REPEAT=1 bash bench/train-speed.sh
#
# Each case trains one epoch from the same SPEC section 2 initialisation on the first N training
# samples (batch 64, Adam, unregularized), both sides on 2 threads, and reports training samples per
# second (the optimisation steps only; no test evaluation is timed). The two sides run one after the
# other, never at the same time. REPEAT runs per side, the best is kept (default 2). The table goes to
# stdout and out/train-speed/table.md; raw logs to out/train-speed/.
# Needs: Debian's python3-torch (scripts/install-deps installs it), MNIST subset in $MNIST (default
# ../shared/data/mnist-10k beside the repository), Fashion-MNIST in $FASHION (default /usr/share/datasets/fashion-mnist).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
N=${N:-8000}
REPEAT=${REPEAT:-2}
MNIST=${MNIST:-$ROOT/../shared/data/mnist-10k}
FASHION=${FASHION:-/usr/share/datasets/fashion-mnist}
O=out/train-speed
PY=/usr/bin/python3
mkdir -p "$O"
if ! $PY -c 'import torch' 2>/dev/null; then
    echo "error: PyTorch is not importable by $PY; install it with: scripts/install-deps --bench (Debian package python3-torch)" >&2
    exit 1
fi
for d in "$MNIST" "$FASHION"; do
    [ -d "$d" ] || { echo "error: data folder $d is missing (see README: data)" >&2; exit 1; }
done
cargo build --release --quiet
B=target/release/ttfs

# case name -> "data-folder kind sizes init_mu"
declare -A CASE=(
    [mnist-784-400-10]="$MNIST mnist [784,400,10] [4.0,4.0]"
    [mnist-784-400-400-400-10]="$MNIST mnist [784,400,400,400,10] [4.0,4.0,4.0,4.0]"
    [fashion-784-400-10]="$FASHION fashion [784,400,10] [3.0,4.0]"
    [fashion-784-400-400-400-10]="$FASHION fashion [784,400,400,400,10] [3.0,4.0,4.0,4.0]"
)
ORDER=(mnist-784-400-10 fashion-784-400-10 mnist-784-400-400-400-10 fashion-784-400-400-400-10)

config() { # name -> writes $O/name.toml
    read -r path kind sizes mu <<<"${CASE[$1]}"
    cat >"$O/$1.toml" <<EOF
[data]
kind = "$kind"
path = "$path"
train_limit = $N
test_limit = 1

[network]
sizes = $sizes
t_in = 1.0
t_max = 3.0
init_mu = $mu
init_sigma = 1.0

[train]
epochs = 1
batch = 64
lr = 1e-3
lr_decay = 0.8
tau = 0.1
min_slope = 0.1
silent_target_weight = 1.0
seed = 1

[regularizer]
kind = "none"
EOF
}

best() { sort -g | tail -1; }
field() { # FILE KEY: a field of the first JSON line PyTorch printed
    $PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$1" "$2"
}
{
    echo "| case | samples | ttfs samples/s | PyTorch samples/s | ratio |"
    echo "|---|---|---|---|---|"
} >"$O/table.md"
for c in "${ORDER[@]}"; do
    config "$c"
    ours=() theirs=()
    for r in $(seq "$REPEAT"); do
        rm -rf "$O/$c-ttfs"
        "$B" train --config "$O/$c.toml" --out "$O/$c-ttfs" --threads 2 >"$O/$c-ttfs-$r.log" 2>&1
        ours+=("$(tail -1 "$O/$c-ttfs/metrics.csv" | awk -F, '{print $NF}')")
        $PY bench/pytorch/ttfs_torch.py train --config "$O/$c.toml" --limit "$N" --epochs 1 --no-test \
            --threads 2 >"$O/$c-torch-$r.jsonl" 2>"$O/$c-torch-$r.err"
        theirs+=("$(field "$O/$c-torch-$r.jsonl" samples_per_s)")
    done
    o=$(printf '%s\n' "${ours[@]}" | best)
    t=$(printf '%s\n' "${theirs[@]}" | best)
    n=$(field "$O/$c-torch-1.jsonl" train_samples)
    printf '| %s | %s | %.0f | %.0f | %.1fx |\n' "$c" "$n" "$o" "$t" "$(echo "$o / $t" | bc -l)" | tee -a "$O/table.md" >&2
done
{
    echo
    echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u '+%Y-%m-%d %H:%M UTC'), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "PyTorch $($PY -c 'import torch; print(torch.__version__)') (Debian python3-torch, CPU), $(rustc --version)"
} >>"$O/table.md"
cat "$O/table.md"
