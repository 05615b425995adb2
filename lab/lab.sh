#!/usr/bin/env bash
# Starts or stops the lab: one NSD per level of the hierarchy (so referrals really happen),
# unbound resolvers, and BIND, Knot Resolver and PowerDNS Recursor validating next to them, all
# on 127.x port 53, serving the committed zones in lab/zones.
#
#   lab/lab.sh start RUNDIR   configs, logs and pids go to RUNDIR; returns once all answer
#   lab/lab.sh stop RUNDIR    stops exactly the processes recorded in RUNDIR/pids
#
# Must run as root inside a network namespace that has only loopback, e.g.
#   unshare -n sh -c 'ip link set lo up; lab/lab.sh start /tmp/lab'
set -euo pipefail

LAB=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/daemons.sh
source "$LAB/daemons.sh"
VALIDATING=127.0.53.1
NON_VALIDATING=127.0.53.11
# A second validating resolver that only test/lab/servers.test.ts queries: unbound's EDE code
# for a failure changes once the failure is cached, so pinning the codes needs a cold cache.
GROUND_TRUTH=127.0.53.2
PINNED=127.0.53.3
# Other validating resolvers, one per implementation, for comparing what real resolvers say.
BIND=127.0.53.21
KNOT=127.0.53.31
PDNS=127.0.53.41
CLOCK=127.0.53.4
WRONG_CLOCK="2026-10-01 00:00:00"

usage() { echo "usage: $0 start|stop RUNDIR" >&2; exit 2; }
die() { echo "lab.sh: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || usage
CMD=$1
RUNDIR=$(realpath -m "$2")
PIDS=$RUNDIR/pids

# The namespace check reads /proc/self/net/dev, which lists the interfaces of this process's
# network namespace. /sys/class/net is not used: after a bare `unshare -n` it still shows the
# interfaces of the namespace that mounted /sys, so it cannot tell the two apart.
check_isolated() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (the lab binds port 53); run: npm test"
	local ifaces
	ifaces=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/self/net/dev | sort | xargs)
	[[ $ifaces == lo ]] || die "refusing to start: network namespace has interfaces '$ifaces'," \
		"not only lo; run inside: unshare -n sh -c 'ip link set lo up; $0 start $RUNDIR'"
	ip link show lo | grep -q 'UP' || die "loopback is down: run 'ip link set lo up' first"
	for tool in nsd nsd-checkconf unbound unbound-checkconf named named-checkconf kresd \
		pdns_recursor dnsdist faketime dig setsid ip openssl; do
		command -v "$tool" >/dev/null || die "$tool is missing: run scripts/install-deps.sh"
	done
}

# record NAME PID: one line per started daemon; stop reads these and nothing else.
record() { echo "$1 $2" >>"$PIDS"; }

# answers ADDR ZONE [+rec [DIG_OPTION...]]: true when the server at ADDR answers ZONE's SOA with
# NOERROR (without recursion unless told: an authoritative server must answer from its own zone).
answers() {
	local out
	out=$(dig @"$1" "$2" SOA "${3:-+norec}" "${@:4}" +time=1 +tries=1 2>/dev/null) || return 1
	grep -q 'status: NOERROR' <<<"$out"
}

# wait_for NAME ADDR ZONE LOG [+rec]: bounded wait (about 15 s) for a server's first answer;
wait_for_any() { # NAME ADDRESS LOG: until the resolver answers anything at all
	local i
	for ((i = 0; i < 75; i++)); do
		dig @"$2" . SOA +time=1 +tries=1 >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	tail -n 20 "$3" >&2 2>/dev/null || true
	die "$1 did not answer at $2"
}

# gives up at once when the daemon has exited.
wait_for() {
	local i pid
	pid=$(awk -v n="$1" '$1 == n { print $2 }' "$PIDS")
	for ((i = 0; i < 75; i++)); do
		answers "$2" "$3" "${5:-+norec}" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	echo "lab.sh: $1 did not answer $3 SOA at $2; its output and log:" >&2
	tail -n 20 "$(dirname "$4")/stdout.log" "$4" >&2 2>/dev/null || true
	return 1
}

start_nsd() { # INSTANCE: writes its config from lab/conf/nsd.conf and lab/zones/instances.txt
	local inst=$1 dir=$RUNDIR/nsd-$1 conf addrs zone file
	mkdir -p "$dir"
	conf=$dir/nsd.conf
	sed "s|@DIR@|$dir|g" "$LAB/conf/nsd.conf" >"$conf"
	addrs=$(awk -v i="$inst" '$1 == i { n = split($2, a, ","); for (k = 1; k <= n; k++) print a[k] }' \
		"$LAB/zones/instances.txt" | sort -u)
	for a in $addrs; do printf '\tip-address: %s\n' "$a" >>"$conf"; done
	printf 'remote-control:\n\tcontrol-enable: no\n' >>"$conf"
	while read -r _ _ zone file; do
		# Zone files are copied so zonesdir stays under RUNDIR and the repo is never written.
		local local_name=${file//\//_}
		cp "$LAB/zones/$file" "$dir/$local_name"
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$zone" "$local_name" >>"$conf"
	done < <(awk -v i="$inst" '$1 == i' "$LAB/zones/instances.txt")
	nsd-checkconf "$conf" || die "bad NSD config $conf"
	setsid nsd -d -c "$conf" </dev/null >"$dir/stdout.log" 2>&1 &
	record "nsd-$inst" $!
}

start_unbound() { # NAME ADDRESS MODULES ANCHOR_LINE [EXTRA_CLAUSES]
	local name=$1 addr=$2 modules=$3 anchor=$4 extra=${5:-} dir=$RUNDIR/$1 conf
	mkdir -p "$dir"
	conf=$dir/unbound.conf
	sed -e "s|@DIR@|$dir|g" -e "s|@ADDRESS@|$addr|g" -e "s|@HINTS@|$LAB/root.hints|g" \
		-e "s|@MODULES@|$modules|g" -e "s|@ANCHOR@|$anchor|g" "$LAB/conf/unbound.conf" >"$conf"
	[[ -z $extra ]] || printf '%b\n' "$extra" >>"$conf"
	unbound-checkconf "$conf" >/dev/null || die "bad unbound config $conf"
	setsid "${UNBOUND_PREFIX[@]}" unbound -d -c "$conf" </dev/null >"$dir/stdout.log" 2>&1 &
	record "$name" $!
}
# A command start_unbound runs unbound under (empty: none); the wrong-clock resolver sets it.
UNBOUND_PREFIX=()

# fill TEMPLATE OUT DIR ADDRESS: a resolver config from lab/conf with the lab's paths.
fill() {
	sed -e "s|@DIR@|$3|g" -e "s|@ADDRESS@|$4|g" -e "s|@HINTS@|$LAB/root.hints|g" \
		-e "s|@DS@|$(awk '{ print $4, $5, $6, $7 }' "$LAB/root-anchor.ds")|g" "$1" >"$2"
}

start_named() { # ADDRESS
	local dir=$RUNDIR/bind conf
	mkdir -p "$dir"
	conf=$dir/named.conf
	fill "$LAB/conf/named.conf" "$conf" "$dir" "$1"
	sed -i "s|@ANCHOR@|$LAB/root-anchor.conf|g" "$conf"
	# Quiet when it passes: it warns that a static-ds root anchor fails after a key rollover,
	# which the lab root never has.
	named-checkconf "$conf" >/dev/null 2>&1 || { named-checkconf "$conf" >&2
		die "bad named config $conf"; }
	# named binds only addresses an interface holds (unlike NSD, unbound, kresd and PowerDNS,
	# which bind any 127.x): give lo this one. replace, not add: a second start in the same
	# namespace finds it there already.
	ip addr replace "$1/32" dev lo
	# -f: foreground, logging to the file its config names; -4: no IPv6 at all. Runs as root
	# (no -u) inside the lab's namespace.
	setsid named -f -4 -c "$conf" </dev/null >"$dir/stdout.log" 2>&1 &
	record bind $!
}

# make_doh_cert ADDRESS DIR: a CA of this run (RUNDIR/doh-ca.pem, what DoH clients trust) and a
# server certificate for the IP address ADDRESS (subjectAltName IP: clients check an IP literal
# against that) as DIR/doh-server.pem and .key. Made fresh by every start, never committed; the
# CA's key is deleted once it has signed.
make_doh_cert() {
	local addr=$1 dir=$2 tmp ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
	tmp=$(mktemp -d "$RUNDIR/doh-ca.XXXXXX")
	openssl req -x509 -new "${ec[@]}" -keyout "$tmp/ca.key" -out "$RUNDIR/doh-ca.pem" \
		-days 7 -subj '/CN=dnssec-doctor lab DoH CA' \
		-addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign' \
		2>"$tmp/openssl.log" || { cat "$tmp/openssl.log" >&2; die "openssl: no DoH CA"; }
	openssl req -new "${ec[@]}" -keyout "$dir/doh-server.key" -out "$tmp/server.csr" \
		-subj "/CN=$addr" 2>"$tmp/openssl.log" ||
		{ cat "$tmp/openssl.log" >&2; die "openssl: no DoH server key"; }
	printf 'subjectAltName=IP:%s\nbasicConstraints=critical,CA:FALSE\n%s\n' "$addr" \
		'extendedKeyUsage=serverAuth' >"$tmp/ext.cnf"
	openssl x509 -req -in "$tmp/server.csr" -CA "$RUNDIR/doh-ca.pem" -CAkey "$tmp/ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 7 -extfile "$tmp/ext.cnf" \
		-out "$dir/doh-server.pem" 2>"$tmp/openssl.log" ||
		{ cat "$tmp/openssl.log" >&2; die "openssl: no DoH server certificate"; }
	rm -rf "$tmp"
}

start_kresd() { # ADDRESS
	local dir=$RUNDIR/knot conf
	mkdir -p "$dir"
	make_doh_cert "$1" "$dir"
	conf=$dir/kresd.conf
	fill "$LAB/conf/kresd.conf" "$conf" "$dir" "$1"
	sed -i "s|@ANCHOR@|$LAB/root-anchor.ds|g" "$conf"
	# -n: no interactive console; the last argument is its working directory (control
	# socket). It logs to stderr.
	setsid kresd -n -c "$conf" "$dir" </dev/null >"$dir/kresd.log" 2>&1 &
	record knot $!
}

start_pdns() { # ADDRESS
	local dir=$RUNDIR/pdns
	mkdir -p "$dir"
	fill "$LAB/conf/recursor.conf" "$dir/recursor.conf" "$dir" "$1"
	fill "$LAB/conf/recursor.lua" "$dir/recursor.lua" "$dir" "$1"
	# daemon=no in its config keeps it in the foreground; it logs to stderr. Runs as root.
	setsid pdns_recursor --config-dir="$dir" </dev/null >"$dir/recursor.log" 2>&1 &
	record pdns $!
}

# The lab's two non-NSD authoritative shapes, both unbound (real software, no shim code):
# start_notcp INSTANCE serves the instance's zones from unbound's auth-zone with TCP off, so a
# truncated answer can never be completed (field case C13); start_blackhole ADDRESS listens
# and drops every query (access-control deny), so its clients time out.
start_unbound_auth() { # NAME ADDRESS CLAUSES
	local name=$1 dir=$RUNDIR/$1 conf
	mkdir -p "$dir"
	conf=$dir/unbound.conf
	cat >"$conf" <<-EOF
		server:
			interface: $2
			port: 53
			do-ip6: no
			username: ""
			chroot: ""
			directory: "$dir"
			pidfile: "$dir/unbound.pid"
			logfile: "$dir/unbound.log"
			use-syslog: no
			do-daemonize: no
			num-threads: 1
			verbosity: 1
			module-config: "iterator"
			local-zone: "test." nodefault
	EOF
	printf '%b\nremote-control:\n\tcontrol-enable: no\n' "$3" >>"$conf"
	unbound-checkconf "$conf" >/dev/null || die "bad unbound config $conf"
	setsid unbound -d -c "$conf" </dev/null >"$dir/stdout.log" 2>&1 &
	record "$name" $!
}

start_notcp() { # INSTANCE
	local inst=$1 addr zone file at clauses="\tdo-tcp: no\n\taccess-control: 127.0.0.0/8 allow"
	mkdir -p "$RUNDIR/$inst"
	while read -r _ addr zone file; do
		at=$addr
		cp "$LAB/zones/$file" "$RUNDIR/$inst/${file//\//_}"
		clauses+="\nauth-zone:\n\tname: \"$zone\"\n\tzonefile: \"$RUNDIR/$inst/${file//\//_}\""
		clauses+="\n\tfor-downstream: yes\n\tfor-upstream: no\n\tfallback-enabled: no"
	done < <(awk -v i="$inst" '$1 == i' "$LAB/zones/instances.txt")
	start_unbound_auth "$inst" "$at" "$clauses"
}

# start_dnsdist ADDRESS ZONE BACKEND: dnsdist in front of an NSD, with the broken answers of
# field case C19: CAA questions get an empty NOERROR (no SOA, AA clear), DS questions NOTIMP.
start_dnsdist() {
	local dir=$RUNDIR/dnsdist-$1
	mkdir -p "$dir"
	cat >"$dir/dnsdist.conf" <<-EOF
		setLocal("$1:53")
		newServer({address="$3:53", checkName="$2", checkType="SOA"})
		addAction(QTypeRule(DNSQType.CAA), RCodeAction(DNSRCode.NOERROR))
		addAction(QTypeRule(DNSQType.DS), RCodeAction(DNSRCode.NOTIMP))
	EOF
	setsid dnsdist --supervised --disable-syslog -C "$dir/dnsdist.conf" </dev/null \
		>"$dir/dnsdist.log" 2>&1 &
	record "dnsdist-$1" $!
}

start_blackhole() { # ADDRESS
	start_unbound_auth "blackhole-$1" "$1" "\taccess-control: 127.0.0.0/8 deny"
}

stop() {
	stop_recorded "$PIDS" \
		"^((nsd|unbound|named|kresd) .*-c |dnsdist .*-C |pdns_recursor --config-dir=)$RUNDIR/"
}

start() {
	check_isolated
	[[ -f $LAB/zones/instances.txt ]] || die "no lab/zones/instances.txt: run lab/build.sh"
	mkdir -p "$RUNDIR"
	[[ -f $PIDS ]] && die "$PIDS exists: the lab may be running; run: $0 stop $RUNDIR"
	: >"$PIDS"
	# Whatever fails from here on (a failed command or a die), leave nothing running.
	trap 'stop' EXIT

	local inst addr zone file
	for inst in $(awk '!/^#/ { print $1 }' "$LAB/zones/instances.txt" | sort -u); do
		case $inst in
		blackhole) while read -r _ addr _; do start_blackhole "$addr"; done < \
			<(awk '$1 == "blackhole"' "$LAB/zones/instances.txt") ;;
		notcp) start_notcp "$inst" ;;
		dnsdist) while read -r _ addr zone file; do start_dnsdist "$addr" "$zone" "$file"; done < \
			<(awk '$1 == "dnsdist"' "$LAB/zones/instances.txt") ;;
		*) start_nsd "$inst" ;;
		esac
	done
	while read -r inst addr zone file; do
		for a in ${addr//,/ }; do
			case $inst in
			blackhole) ;; # it never answers, by design
			notcp) wait_for notcp "$a" "$zone" "$RUNDIR/notcp/unbound.log" ;;
			dnsdist) wait_for "dnsdist-$a" "$a" "$zone" "$RUNDIR/dnsdist-$a/dnsdist.log" ;;
			*) wait_for "nsd-$inst" "$a" "$zone" "$RUNDIR/nsd-$inst/nsd.log" ;;
			esac
		done
	done < <(grep -v '^#' "$LAB/zones/instances.txt")

	start_unbound unbound-validating "$VALIDATING" "validator iterator" \
		"trust-anchor-file: \"$LAB/root-anchor.ds\""
	start_unbound unbound-nonvalidating "$NON_VALIDATING" "iterator" \
		"# no trust anchor: this resolver does not validate"
	start_unbound unbound-groundtruth "$GROUND_TRUTH" "validator iterator" \
		"trust-anchor-file: \"$LAB/root-anchor.ds\""
	# Validating, but sent to the stale secondary alone: what a resolver that picks that
	# server concludes (the shared one retries the fresh server and hides the fault).
	# Pinned to the bad server of each scenario one server of two spoils (expect.via).
	local stubs
	stubs=$(jq -r '.zones[] | select(.scenario.expect.via? != null)
		| "stub-zone:\\n\\tname: \"\(.zone)\"\\n\\tstub-addr: \(.scenario.expect.via)"' \
		"$LAB/manifest.json")
	start_unbound unbound-pinned "$PINNED" "validator iterator" \
		"trust-anchor-file: \"$LAB/root-anchor.ds\"" "$stubs"
	# Field case C18: a validator whose clock is wrong. libfaketime sets this unbound's clock to
	# a fixed time before every lab signature's inception (2026-11-01), as after a VM snapshot
	# revert; the clock still runs from there.
	# Preloaded with env, not the faketime wrapper, which forks: the pid recorded must be
	# unbound's own, for stop.
	local fake
	fake=$(compgen -G '/usr/lib/*/faketime/libfaketime.so.1' | head -n 1) ||
		die "libfaketime.so.1 not found: run scripts/install-deps.sh"
	UNBOUND_PREFIX=(env "LD_PRELOAD=$fake" "FAKETIME=@$WRONG_CLOCK")
	start_unbound unbound-clock "$CLOCK" "validator iterator" \
		"trust-anchor-file: \"$LAB/root-anchor.ds\""
	UNBOUND_PREFIX=()
	start_named "$BIND"
	start_kresd "$KNOT"
	start_pdns "$PDNS"
	# Ready when each resolves the lab root's SOA (a neutral name: no scenario gets cached).
	wait_for unbound-validating "$VALIDATING" . "$RUNDIR/unbound-validating/unbound.log" +rec
	wait_for unbound-nonvalidating "$NON_VALIDATING" . \
		"$RUNDIR/unbound-nonvalidating/unbound.log" +rec
	wait_for unbound-groundtruth "$GROUND_TRUTH" . "$RUNDIR/unbound-groundtruth/unbound.log" +rec
	wait_for unbound-pinned "$PINNED" . "$RUNDIR/unbound-pinned/unbound.log" +rec
	# Answers, if only SERVFAIL (the root's keys are "not yet valid" on its clock).
	wait_for_any unbound-clock "$CLOCK" "$RUNDIR/unbound-clock/unbound.log"
	wait_for bind "$BIND" . "$RUNDIR/bind/named.log" +rec
	wait_for knot "$KNOT" . "$RUNDIR/knot/kresd.log" +rec
	# kresd opened its DoH socket with the one on port 53; this checks the certificate chain.
	answers "$KNOT" . +rec +https +tls-ca="$RUNDIR/doh-ca.pem" ||
		{ tail -n 20 "$RUNDIR/knot/kresd.log" >&2; die "knot: no DoH answer at https://$KNOT/"; }
	wait_for pdns "$PDNS" . "$RUNDIR/pdns/recursor.log" +rec
	trap - EXIT
	echo "lab running: pids in $PIDS, logs in $RUNDIR"
}

case $CMD in
start) start ;;
stop) stop ;;
*) usage ;;
esac
