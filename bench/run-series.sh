#!/usr/bin/env bash
# The runs behind the README's scale-out table, one after another on one machine:
#   WEIQUAN_TEST_POSTGRES_DURABLE=1 scripts/with-test-postgres.sh bench/run-series.sh bench/results/DATE
# (a throwaway PostgreSQL with fsync on; the URL comes from WEIQUAN_TEST_POSTGRES_URL).
# Each run appends its JSON lines to OUT-NAME.jsonl. SOAK=0 skips the five-minute soak.
set -euo pipefail
out=${1:?usage: $0 OUTPUT_PREFIX}
url=${WEIQUAN_TEST_POSTGRES_URL:?run under scripts/with-test-postgres.sh}
bench=(env PYTHONPATH="$(pwd)" .venv/bin/weiquan bench)  # PYTHONPATH: the PTB peer from bench/
"${bench[@]}" --users 1000 | tee -a "$out-sqlite.jsonl"
"${bench[@]}" --users 500 --database-url "$url" | tee -a "$out-postgresql.jsonl"
for workers in 1 2 4; do
    "${bench[@]}" --users 300 --clients 64 --workers "$workers" --database-url "$url" \
        | tee -a "$out-postgresql-workers.jsonl"
done
if [[ ${SOAK:-1} != 0 ]]; then
    "${bench[@]}" --webhook 200 --duration 300 --every 30 --workers 2 --users 1000 --database-url "$url" \
        | tee -a "$out-soak.jsonl"
fi
