#!/usr/bin/env bash
# Reviews every stack file of a pull request's head with the code of THIS checkout (the trusted
# base), against the base's stack files: the head's stack files are read as data, never run.
#   review-stacks.sh <base stacks dir> <head stacks dir> <output markdown>
# Exit 1 when a stack has findings (the review is still written), 2 on a usage error.
set -uo pipefail
if [ $# -ne 3 ]; then echo "usage: review-stacks.sh <base stacks dir> <head stacks dir> <output markdown>" >&2; exit 2; fi
base_dir=$1 head_dir=$2 out=$3
plans=$(mktemp -d)
status=0
: > "$out"
for head_file in "$head_dir"/Pulumi.*.yaml; do
  [ -e "$head_file" ] || continue
  stack=$(basename "$head_file" .yaml); stack=${stack#Pulumi.}
  base_args=()
  if [ -f "$base_dir/Pulumi.$stack.yaml" ]; then
    if npm run -s plan -- --stack-file "$base_dir/Pulumi.$stack.yaml" --json > "$plans/$stack.json"; then
      base_args=(--base "$plans/$stack.json")
    else
      echo "note: the base of stack $stack does not plan; reviewing it without an access diff" >&2
    fi
  fi
  npm run -s verify -- --stack-file "$head_file" --markdown "${base_args[@]}" >> "$out" || status=1
  echo >> "$out"
done
exit $status
