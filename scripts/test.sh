#!/usr/bin/env bash
# What `npm test` runs: installs what is missing, then runs the whole vitest suite (unit and
# lab projects) inside a fresh network namespace that has only loopback, so the lab's servers
# bind 127.x:53 and nothing can reach another machine. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

if ! unshare -n true 2>/dev/null; then
	echo "test.sh: cannot create a network namespace (unshare -n failed)." >&2
	echo "The lab tests need root, or a container allowed to unshare (CAP_SYS_ADMIN)." >&2
	echo "Run as root: npm test" >&2
	exit 1
fi

set +e
unshare -n sh -c 'ip link set lo up && exec npx vitest run "$@"' sh "$@"
rc=$?
set -e
exit "$rc"
