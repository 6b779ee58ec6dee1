#!/bin/bash
# Byte-for-byte comparison of `audit` between two builds of pasid-ledger (e.g. main and a branch):
# every sample under samples/ and a generated trace of every era, each audited as --json, as text
# and through stdin (`audit -`); stdout, stderr and the exit status must be identical.
#
#   bench/compare-builds.sh OLD_CHECKOUT NEW_CHECKOUT [RECORDS]
#
# Each checkout must be built (npm run build: it runs bin/pasid-ledger.js). RECORDS (default
# 100000) sizes the generated traces, which the new build writes once into $TMPDIR.
set -u
OLD=$1/bin/pasid-ledger.js; NEW=$2/bin/pasid-ledger.js; N=${3:-100000}
D=${TMPDIR:-/tmp}/pasid-ledger-compare-builds; mkdir -p "$D"
# One kernel per era and per era-table boundary the generator follows (machines/profile.ts FLAGS).
KERNELS="5.5.0 5.8.0 5.10.0 5.15.0 5.18.0 6.1.0 6.2.0 6.4.0 6.6.0 6.8.0 6.9.0 6.10.0 6.11.0 6.12.93 6.13.0 6.14.0 6.15.0 6.18.0"
for k in $KERNELS; do
  f=$D/gen-$k-$N.jsonl
  [ -f "$f" ] || node "$NEW" generate --records "$N" --kernel "$k" --seed 7 -o "$f" >/dev/null || echo "generate --kernel $k failed"
done
same=0; differ=0
for f in $(cd "$2" && find samples -name '*.jsonl' | sort | sed "s|^|$2/|") "$D"/gen-*-"$N".jsonl; do
  for mode in json text stdin; do
    for side in old new; do
      bin=$OLD; [ $side = new ] && bin=$NEW
      case $mode in
        json) node "$bin" audit "$f" --json > "$D/$side.out" 2> "$D/$side.err";;
        text) node "$bin" audit "$f" > "$D/$side.out" 2> "$D/$side.err";;
        stdin) node "$bin" audit - --json < "$f" > "$D/$side.out" 2> "$D/$side.err";;
      esac
      echo $? > "$D/$side.rc"
    done
    if cmp -s "$D/old.out" "$D/new.out" && cmp -s "$D/old.err" "$D/new.err" && cmp -s "$D/old.rc" "$D/new.rc"; then
      same=$((same + 1))
    else
      differ=$((differ + 1)); echo "DIFFERS: audit ($mode) $f"
    fi
  done
done
echo "identical: $same, different: $differ"
[ $differ -eq 0 ]
