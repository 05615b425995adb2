#!/usr/bin/env bash
# The million-name memory run of issue 4: `dnssec-doctor batch` over a generated list of
# 1,000,000 names in the zones of the bench lab (bench/batch-lab.sh, N = 10,000), with the
# peak memory of the whole process (VmHWM, worker threads included) read from /proc while it
# runs. The list (BENCHDIR/million.txt) is, per child zone, its apex, www and 98 names that
# do not exist (NXDOMAIN, proven by NSEC in the signed zones), all type A, zone by zone.
#
#   bench/batch-million.sh [BENCHDIR] [extra batch options]
#
# Run it as batch-lab.sh's README says, inside the lab's network namespace, with the lab
# started. The results go to /dev/null (the summary to stderr): the run measures memory and
# speed, and 6 GB of JSON lines would measure the disk.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(realpath -m "${1:-/tmp/dnssec-doctor-bench}")
shift || true
LIST=$DIR/million.txt
[[ -f $DIR/root-anchor.ds ]] || { echo "no bench lab in $DIR" >&2; exit 1; }
if [[ ! -f $LIST ]]; then
	awk 'BEGIN { for (i = 1; i <= 10000; i++) { z = sprintf("z%05d.bench.test.", i)
		print z " A"; print "www." z " A"
		for (h = 0; h < 98; h++) printf "h%02d.%s A\n", h, z } }' >"$LIST"
fi
start=$SECONDS
node "$REPO/dist/src/cli/bin.js" batch "$LIST" --out /dev/null --allow-net 127.0.0.0/8 \
	--resolvers none --root-hints 127.0.90.1 --trust-anchor "$DIR/root-anchor.ds" "$@" &
pid=$!
peak=0
# VmHWM is the peak so far: the last reading before the process ends is the run's peak.
while kill -0 "$pid" 2>/dev/null; do
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	[[ -n $hwm ]] && peak=$hwm
	sleep 0.5
done
set +e
wait "$pid"
rc=$?
set -e
printf 'exit %d after %d s; peak memory (VmHWM, last reading): %d MB\n' "$rc" \
	$((SECONDS - start)) $((peak / 1024))
