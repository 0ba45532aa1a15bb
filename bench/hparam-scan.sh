#!/usr/bin/env bash
# bench/hparam-scan.sh: one-at-a-time variations of SPEC section 2's settings for the unregularized
# 784-400-10 on the MNIST subset, several seeds each (BENCHMARKS.md, "Initial weight spread").
#
#   bash bench/hparam-scan.sh                      # 24 variants x 3 seeds, ~8 min on 2 idle cores
#   SEEDS="1 2 3 4 5" bash bench/hparam-scan.sh sig025 sig05 sig075   # chosen variants only
#
# The reference point "spec" is configs/mnist-baseline.toml with init_sigma = 1 (SPEC's values
# throughout); every other variant changes the keys listed for it. Runs are deterministic, so the table
# is reproduced exactly. Output: out/hparam-scan/<variant>-s<seed>/ and out/hparam-scan/table.md
# (test accuracy mean +- sample standard deviation over seeds, hidden firing rate, train accuracy).
# Finished runs in out/hparam-scan are reused, not retrained: delete the folder after changing a config.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
O=out/hparam-scan
SEEDS=${SEEDS:-1 2 3}
mkdir -p "$O"
cargo build --release --quiet
B=target/release/ttfs

declare -A VARIANT=(
    [spec]="" [tau05]="tau=0.05" [tau2]="tau=0.2" [tau3]="tau=0.3"
    [lr2]="lr=2e-3" [lr3]="lr=3e-3" [dec7]="lr_decay=0.7" [dec9]="lr_decay=0.9"
    [b32]="batch=32" [b128]="batch=128"
    [ms05]="min_slope=0.05" [ms2]="min_slope=0.2" [ms5]="min_slope=0.5"
    [mu3]="init_mu=[3.0,3.0]" [mu6]="init_mu=[6.0,4.0]"
    [sig2]="init_sigma=2.0" [sig075]="init_sigma=0.75" [sig05]="init_sigma=0.5"
    [sig025]="init_sigma=0.25" [sig01]="init_sigma=0.1" [sig004]="init_sigma=0.04"
    [sig05lr2]="init_sigma=0.5 lr=2e-3" [sig05tau05]="init_sigma=0.5 tau=0.05"
    [sig05e12]="init_sigma=0.5 epochs=12"
)
ORDER=(spec tau05 tau2 tau3 lr2 lr3 dec7 dec9 b32 b128 ms05 ms2 ms5 mu3 mu6 sig2 sig075 sig05 sig025
    sig01 sig004 sig05lr2 sig05tau05 sig05e12)
[ $# -gt 0 ] && ORDER=("$@")

for v in "${ORDER[@]}"; do
    [ -n "${VARIANT[$v]+x}" ] || { echo "error: unknown variant $v (known: ${!VARIANT[*]})" >&2; exit 2; }
done
for v in "${ORDER[@]}"; do
    for s in $SEEDS; do
        cfg="$O/$v-s$s.toml"
        # SPEC's sigma = 1 first; the variant's keys override it (keys in [network] or [train])
        sed -e 's/^init_sigma = .*/init_sigma = 1.0/' -e "s/^seed = .*/seed = $s/" configs/mnist-baseline.toml >"$cfg"
        for kv in ${VARIANT[$v]}; do
            sed -i "s/^${kv%%=*} = .*/${kv%%=*} = ${kv#*=}/" "$cfg"
        done
        if [ ! -f "$O/$v-s$s/model.safetensors" ]; then
            "$B" train --config "$cfg" --out "$O/$v-s$s" >"$O/$v-s$s.log" 2>&1
        fi
        echo "$v $s $(tail -1 "$O/$v-s$s/metrics.csv")"
    done
done | tee "$O/runs.txt" | awk '
    { split($3, a, ","); n = $1; if (!(n in c)) order[++k] = n
      s[n] += a[4]; q[n] += a[4] ^ 2; c[n]++; r[n] += a[5]; t[n] += a[3] }
    END {
      print "| variant | seeds | test accuracy % | hidden rate | train accuracy % |"
      print "|---|---|---|---|---|"
      for (i = 1; i <= k; i++) { n = order[i]; m = s[n] / c[n]
        var = c[n] > 1 ? (q[n] - c[n] * m * m) / (c[n] - 1) : 0; if (var < 0) var = 0
        printf "| %s | %d | %.2f +- %.2f | %.3f | %.2f |\n", n, c[n], 100 * m, 100 * sqrt(var), r[n] / c[n], 100 * t[n] / c[n] }
    }' | tee "$O/table.md"
