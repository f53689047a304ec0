#!/usr/bin/env bash
# Stress-test housekeeping (test/sources/git/stress.test.ts), far more aggressive than a Git host's,
# until the stop file exists. Appends "cycle N" per cycle and "# failed: COMMAND" per failure to LOG.
set -u
live=$1 log=$2 stop=$3
cd "$live"
cycle=0
run() { git "$@" >/dev/null 2>&1 || echo "# failed: $*" >>"$log"; }
while [ ! -e "$stop" ]; do
  cycle=$((cycle + 1))
  run gc --auto --quiet
  if [ $((cycle % 4)) -eq 0 ]; then run repack -q -d --write-midx; else run repack -q -a -d; fi
  run pack-refs --all
  run prune --expire=10.seconds.ago # never --expire=now: that corrupts the live repository itself
  run commit-graph write --reachable
  echo "cycle $cycle" >>"$log"
  sleep 0.5
done
