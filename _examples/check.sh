#!/usr/bin/env bash
# Vets and tests every example module under _examples/ (each has its own
# go.mod, so the root module's ./... never reaches them) and checks gofmt.
#
#	bash _examples/check.sh
#
# Exits non-zero if any example fails; all examples are checked either way.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
failed=()
found=0
for mod in "$root"/*/go.mod; do
	[ -e "$mod" ] || continue
	found=$((found + 1))
	dir=$(dirname "$mod")
	name=${dir#"$root"/}
	echo "== $name"
	if ! (
		cd "$dir" &&
			unformatted=$(gofmt -l .) &&
			{ [ -z "$unformatted" ] || { echo "gofmt needed: $unformatted" >&2; false; }; } &&
			go vet ./... &&
			go test ./...
	); then
		failed+=("$name")
	fi
done

if [ "$found" -eq 0 ]; then
	echo "no example modules found under $root" >&2
	exit 1
fi
if [ "${#failed[@]}" -gt 0 ]; then
	echo "FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "all $found examples passed"
