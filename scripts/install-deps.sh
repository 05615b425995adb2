#!/usr/bin/env bash
# Makes sure the tools the lab and its tests use are installed, then installs and builds the
# Node project. Idempotent: with everything present it installs nothing. Run it outside any
# network namespace (the package registry is not reachable from inside one).
set -euo pipefail
cd "$(dirname "$0")/.."

# bind9, knot-resolver and pdns-recursor are the lab's other validating resolvers; jq is for
# lab/build.sh; dnsdist fronts one lab server with broken answers (field case C19); faketime
# gives one lab resolver a wrong clock (field case C18).
PACKAGES=(nsd unbound bind9-utils bind9-dnsutils ldnsutils iproute2 util-linux bind9
	knot-resolver pdns-recursor jq openssl dnsdist faketime)
TOOLS=(nsd unbound dnssec-signzone dnssec-keygen dnssec-dsfromkey dig delv ldns-signzone ip
	unshare named kresd pdns_recursor jq openssl dnsdist faketime)
INSTALL="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${PACKAGES[*]}"

missing=()
for tool in "${TOOLS[@]}"; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done

if [[ ${#missing[@]} -gt 0 ]]; then
	echo "install-deps: missing: ${missing[*]}"
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-deps: not root; run as root: $INSTALL" >&2
		exit 1
	fi
	if ! apt-get update || ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}"
	then
		echo "install-deps: apt-get failed; run as root: $INSTALL" >&2
		exit 1
	fi
	for tool in "${missing[@]}"; do
		command -v "$tool" >/dev/null 2>&1 || {
			echo "install-deps: $tool still missing after installing ${PACKAGES[*]}" >&2
			exit 1
		}
	done
fi

# Debian's postinst may start nsd, unbound, named, kresd or pdns-recursor as services (where
# an init system runs them; a container's policy-rc.d usually forbids it). The lab runs in a
# namespace of its own, so they cannot take its port 53, but a stray resolver on the host is
# worth knowing about: report what listens on port 53 and stop nothing (never stop processes
# by name).
if command -v ss >/dev/null 2>&1; then
	listeners=$(ss -lunpH 'sport = :53' 2>/dev/null; ss -ltnpH 'sport = :53' 2>/dev/null) || true
	if [[ -n $listeners ]]; then
		echo "install-deps: note: something listens on port 53 in this namespace (the lab's"
		echo "namespace is separate, so the tests are not affected):"
		echo "$listeners"
	fi
fi

if [[ ! -d node_modules ]]; then
	npm ci
fi
npm run build
