#!/usr/bin/env bash
# Stress-test pusher (test/sources/git/stress.test.ts): pushes to a live bare repository until the
# stop file exists: branches and annotated tags created, moved and deleted, pushes of more than
# receive.unpackLimit objects kept as packs. Runs at git's own pace, outside the test's event loop.
# Appends "EPOCH_MS REF VALUE" (VALUE "-" for a delete) to LOG once `git push` returned.
set -u
id=$1 work=$2 live=$3 log=$4 stop=$5
cd "$work"
root=$(git rev-parse HEAD)
declare -A branches=() tags=()
step=0
now() { date +%s%3N; }
push() { # REF VALUE PUSH-ARGS...
  local ref=$1 value=$2
  shift 2
  if git push -q "$@" 2>/dev/null; then
    echo "$(now) $ref $value" >>"$log"
  else
    echo "# failed push $ref" >>"$log"
  fi
}
random_key() { # NAME-OF-ASSOCIATIVE-ARRAY
  local -n map=$1
  local keys=("${!map[@]}")
  echo "${keys[RANDOM % ${#keys[@]}]}"
}
while [ ! -e "$stop" ]; do
  step=$((step + 1))
  roll=$((RANDOM % 100))
  if [ $roll -lt 10 ]; then
    git checkout -q --detach "$root" # diverge: what is deleted next becomes unreachable, and prune removes it
  elif [ $roll -lt 25 ] && [ ${#branches[@]} -gt 0 ]; then
    ref=$(random_key branches)
    unset "branches[$ref]"
    push "$ref" - "$live" ":$ref"
  elif [ $roll -lt 35 ] && [ ${#tags[@]} -gt 0 ]; then
    ref=$(random_key tags)
    unset "tags[$ref]"
    push "$ref" - "$live" ":$ref"
  elif [ $roll -lt 50 ]; then
    ref=refs/tags/p$id-t$step
    git tag -a -m "tag $step" "p$id-t$step"
    tags[$ref]=1
    push "$ref" "$(git rev-parse "$ref")" "$live" "$ref"
  else
    ref=refs/heads/p$id/b$((RANDOM % 6))
    for i in $(seq $((1 + RANDOM % 3))); do
      echo "$id $step $i $RANDOM" >"f-$id-$step-$i.txt"
      git add "f-$id-$step-$i.txt" && git commit -q -m "p$id $step $i"
    done
    branches[$ref]=1
    push "$ref" "$(git rev-parse HEAD)" --force "$live" "HEAD:$ref"
  fi
done
