#!/usr/bin/env bash
# The shipped audit cards (data/results/audit-card-*.json): every published implementation
# at its documented defaults and every preset, depths 1-4, the whole battery, 5 seeds.
# Cells are computed into a scratch store; only the cards are shipped (a card answers
# `eqgnn audit MODEL` at once; its cells are recomputed only if asked with --force).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${EQGNN_CARD_STORE:-$HOME/.cache/eqgnn/audit-cells}
models=(pyg:schnet pyg:dimenet++ pyg:visnet mace:mace
        preset:schnet preset:dimenet preset:tfn preset:mace)
for model in "${models[@]:$((${1:-1} - 1))}"; do
  echo "== $model"
  EQGNN_STORE=$scratch .venv/bin/python -m eqgnn audit "$model" --layers 1,2,3,4
done
cp "$scratch"/audit-card-*.json data/results/
