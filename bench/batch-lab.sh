#!/usr/bin/env bash
# The benchmark lab for `batch` (issue 4): a private hierarchy `.` -> `test.` -> `bench.test.`
# -> N signed children `zNNNNN.bench.test.`, served by NSD (one instance per level, so
# referrals really happen) with a validating unbound on top as the reference.
#
#   bench/batch-lab.sh build [BENCHDIR] [N]   keys, signed zones, names.txt, expected.tsv
#   bench/batch-lab.sh start [BENCHDIR]       configs, logs, pids under BENCHDIR/run
#   bench/batch-lab.sh stop  [BENCHDIR]       stops exactly the pids recorded by start
#
# Two settings for the benchmark under latency (docs/performance.md):
#   SPREAD=S build ...       the children's name server at S addresses, 127.0.90.4 to
#                            127.0.90.(3+S), child i at 127.0.90.(4 + i mod S), as a real list
#                            spreads over many DNS hosts, and bench.test. at four addresses
#                            (127.0.90.3 and .250 to .252), as a TLD has several (default 1:
#                            every child at 127.0.90.4, bench.test. at 127.0.90.3 only)
#   BENCH_DELAY_MS=D start   every server D ms away: NSD listens at 127.0.92.x and
#                            bench/delay-proxy.ts relays 127.0.90.x to it, holding each
#                            datagram D/2 ms each way (needs `npx tsc -p .` first)
#
# BENCHDIR defaults to /tmp/dnssec-doctor-bench and N to 10000. Everything generated goes
# under BENCHDIR, never into the repository. `build` needs no network; `start` and `stop` must
# run as root inside a network namespace that has only loopback, e.g.
#   unshare -n sh -c 'ip link set lo up; bench/batch-lab.sh start /tmp/dnssec-doctor-bench; sh'
#
# Child i (1..N) is, by i mod 10: 3 a DS at bench.test. with one digest digit changed (bogus),
# 5 unsigned without DS (insecure), 7 signed with signatures that expired (bogus), else healthy
# (secure). Every child is signed with ECDSAP256SHA256 by the SAME KSK/ZSK pair: generating
# 20,000 keys would only slow the build, and a validator does the same work per zone whether
# the keys differ or not (the DS digest covers the owner name, so each DS is still distinct).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/daemons.sh
source "$BENCH/../lab/daemons.sh"
ROOT_ADDR=127.0.90.1
TLD_ADDR=127.0.90.2
PARENT_ADDR=127.0.90.3
CHILD_ADDR=127.0.90.4
UNBOUND_ADDR=127.0.91.1
# Signature windows: the healthy ones from a day ago for a year (rebuild after that); the
# expired children's wholly in the past (-P lets dnssec-signzone write them).
PAST_FROM=20250101000000
PAST_TO=20250201000000
SPREAD=${SPREAD:-1}
DELAY_MS=${BENCH_DELAY_MS:-0}

usage() { echo "usage: $0 build|start|stop [BENCHDIR] [N]" >&2; exit 2; }
die() { echo "batch-lab.sh: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 3 ]] || usage
CMD=$1
DIR=$(realpath -m "${2:-/tmp/dnssec-doctor-bench}")
N=${3:-10000}
RUN=$DIR/run
PIDS=$RUN/pids

# --- build ------------------------------------------------------------------------------------

# keygen KEYDIR ZONE KSK|ZSK -> the key's base name (K<zone>+013+<tag>)
keygen() {
	local args=(-q -K "$1" -a ECDSAP256SHA256 -L 300 -n ZONE)
	[[ $3 == KSK ]] && args+=(-f KSK)
	dnssec-keygen "${args[@]}" "$2"
}

# sign_infra ZONE SOURCE OUT KEYDIR: an infrastructure zone with keys of its own; prints the
# KSK's SHA-256 DS line (what its parent publishes).
sign_infra() {
	local zone=$1 src=$2 out=$3 keydir=$4 ksk zsk
	ksk=$(keygen "$keydir" "$zone" KSK)
	zsk=$(keygen "$keydir" "$zone" ZSK)
	cat "$src" "$keydir/$ksk.key" "$keydir/$zsk.key" >"$src.keys"
	dnssec-signzone -q -o "$zone" -N keep -O full -s now-86400 -e now+31536000 -K "$keydir" \
		-d "$keydir" -f "$out" "$src.keys" >/dev/null
	rm -f "$src.keys"
	dnssec-dsfromkey -2 "$keydir/$ksk.key"
}

# parent_addrs: the addresses of bench.test.'s servers (ns1, ns2, ...).
parent_addrs() {
	if ((SPREAD > 1)); then echo "$PARENT_ADDR 127.0.90.250 127.0.90.251 127.0.90.252"
	else echo "$PARENT_ADDR"; fi
}

# child_addr I: the address of child I's name server.
child_addr() {
	if ((SPREAD > 1)); then echo "127.0.90.$((4 + $1 % SPREAD))"; else echo "$CHILD_ADDR"; fi
}

# sign_children FIRST LAST: one worker of the parallel child signing (run by xargs, exported
# variables). Per zone only dnssec-signzone is a new process: the source zone and the renamed
# copies of the shared key files are written with shell builtins.
sign_children() {
	local first=$1 last=$2 i label zone work=$WDIR/w$1 ksk zsk
	mkdir -p "$work"
	local ksk_line zsk_line ksk_priv zsk_priv
	ksk_line=$(grep -v '^;' "$TDIR/$TKSK.key")
	zsk_line=$(grep -v '^;' "$TDIR/$TZSK.key")
	ksk_priv=$(<"$TDIR/$TKSK.private")
	zsk_priv=$(<"$TDIR/$TZSK.private")
	for ((i = first; i <= last; i++)); do
		printf -v label 'z%05d' "$i"
		zone=$label.bench.test.
		{
			printf '$TTL 300\n'
			printf '%s SOA ns1.%s hostmaster.%s 1 3600 900 1209600 300\n' "$zone" "$zone" "$zone"
			printf '%s NS ns1.%s\n%s A 127.0.99.%d\n' "$zone" "$zone" "$zone" $((i % 250 + 1))
			printf 'ns1.%s A %s\nwww.%s A 127.0.99.%d\n' "$zone" "$(child_addr "$i")" "$zone" \
				$((i % 250 + 1))
		} >"$work/src.db"
		if ((i % 10 == 5)); then
			mv "$work/src.db" "$ZDIR/$label.db"
			continue
		fi
		ksk=K$zone+013+${TKSK##*+}
		zsk=K$zone+013+${TZSK##*+}
		printf '%s\n' "$zone${ksk_line#tmpl.}" >"$work/$ksk.key"
		printf '%s\n' "$zone${zsk_line#tmpl.}" >"$work/$zsk.key"
		printf '%s\n' "$ksk_priv" >"$work/$ksk.private"
		printf '%s\n' "$zsk_priv" >"$work/$zsk.private"
		printf '%s\n%s\n' "$zone${ksk_line#tmpl.}" "$zone${zsk_line#tmpl.}" >>"$work/src.db"
		local window=(-s now-86400 -e now+31536000)
		((i % 10 == 7)) && window=(-s "$PAST_FROM" -e "$PAST_TO" -P)
		dnssec-signzone -q -o "$zone" -N keep -O full "${window[@]}" -K "$work" -d "$DSDIR" \
			-f "$ZDIR/$label.db" "$work/src.db" >/dev/null
		rm -f "$work/$ksk.key" "$work/$zsk.key" "$work/$ksk.private" "$work/$zsk.private"
	done
	rm -rf "$work"
}

# parent_ns: bench.test.'s NS records and their addresses, for bench.test. and for test.
parent_ns() {
	local n=0 a
	for a in $(parent_addrs); do
		n=$((n + 1))
		printf 'bench.test. NS ns%d.bench.test.\nns%d.bench.test. A %s\n' "$n" "$n" "$a"
	done
}

build() {
	[[ $N =~ ^[0-9]+$ && $N -ge 10 && $N -le 99999 ]] || die "N must be 10..99999, not $N"
	[[ $SPREAD =~ ^[0-9]+$ && $SPREAD -ge 1 && $SPREAD -le 200 ]] ||
		die "SPREAD must be 1..200, not $SPREAD"
	for tool in dnssec-keygen dnssec-signzone dnssec-dsfromkey xargs; do
		command -v "$tool" >/dev/null || die "$tool is missing"
	done
	[[ -f $PIDS ]] && die "$PIDS exists: the bench lab may be running; run: $0 stop $DIR"
	rm -rf "$DIR"
	mkdir -p "$DIR/keys" "$DIR/zones/children" "$DIR/ds" "$DIR/work"
	local t0=$SECONDS

	# The children's shared key pair, made for a placeholder owner and renamed per zone.
	export TDIR=$DIR/keys/children ZDIR=$DIR/zones/children DSDIR=$DIR/ds WDIR=$DIR/work
	export CHILD_ADDR PAST_FROM PAST_TO SPREAD
	mkdir -p "$TDIR"
	TKSK=$(keygen "$TDIR" tmpl. KSK)
	TZSK=$(keygen "$TDIR" tmpl. ZSK)
	export TKSK TZSK
	export -f sign_children child_addr

	# Chunks of 250 zones, as many signers at once as there are cores.
	local jobs
	jobs=$(nproc)
	local ts=$SECONDS
	for ((s = 1; s <= N; s += 250)); do
		echo "$s $((s + 249 > N ? N : s + 249))"
	done | xargs -P "$jobs" -L 1 bash -c 'sign_children "$0" "$1"'
	local sign_s=$((SECONDS - ts))
	[[ $(find "$ZDIR" -name 'z*.db' | wc -l) -eq $N ]] || die "not every child zone was written"

	# bench.test.: a delegation (NS, glue, DS) per child; a changed DS digit for i mod 10 = 3.
	local src=$DIR/zones/bench.test.src i label zone ds
	{
		printf '$TTL 300\n'
		printf 'bench.test. SOA ns1.bench.test. hostmaster.bench.test. 1 3600 900 1209600 300\n'
		parent_ns
		for ((i = 1; i <= N; i++)); do
			printf -v label 'z%05d' "$i"
			zone=$label.bench.test.
			printf '%s NS ns1.%s\nns1.%s A %s\n' "$zone" "$zone" "$zone" "$(child_addr "$i")"
			((i % 10 == 5)) && continue
			ds=$(<"$DSDIR/dsset-$zone")
			# dnssec-signzone writes the digest in two words; join them, then change the 10th
			# hex digit for the mismatch children.
			read -r _ _ _ tag alg dt d1 d2 <<<"$ds"
			d1=$d1${d2:-}
			if ((i % 10 == 3)); then
				local c=${d1:9:1} r=A
				[[ $c == A ]] && r=B
				d1=${d1:0:9}$r${d1:10}
			fi
			printf '%s DS %s %s %s %s\n' "$zone" "$tag" "$alg" "$dt" "$d1"
		done
	} >"$src"
	mkdir -p "$DIR/keys/bench.test"
	local bench_ds test_ds root_ds
	bench_ds=$(sign_infra bench.test. "$src" "$DIR/zones/bench.test.db" "$DIR/keys/bench.test")

	src=$DIR/zones/test.src
	{
		printf '$TTL 300\n'
		printf 'test. SOA ns1.test. hostmaster.test. 1 3600 900 1209600 300\n'
		printf 'test. NS ns1.test.\nns1.test. A %s\n' "$TLD_ADDR"
		printf 'a.root-servers.test. A %s\n' "$ROOT_ADDR"
		parent_ns
		printf '%s\n' "$bench_ds"
	} >"$src"
	mkdir -p "$DIR/keys/test"
	test_ds=$(sign_infra test. "$src" "$DIR/zones/test.db" "$DIR/keys/test")

	src=$DIR/zones/root.src
	{
		printf '$TTL 300\n'
		printf '. SOA a.root-servers.test. hostmaster.root-servers.test. 1 1800 900 604800 300\n'
		printf '. NS a.root-servers.test.\na.root-servers.test. A %s\n' "$ROOT_ADDR"
		printf 'test. NS ns1.test.\nns1.test. A %s\n%s\n' "$TLD_ADDR" "$test_ds"
	} >"$src"
	mkdir -p "$DIR/keys/root"
	root_ds=$(sign_infra . "$src" "$DIR/zones/root.db" "$DIR/keys/root")
	echo "$root_ds" >"$DIR/root-anchor.ds"
	printf '.                    3600000 NS a.root-servers.test.\n' >"$DIR/root.hints"
	printf 'a.root-servers.test. 3600000 A  %s\n' "$ROOT_ADDR" >>"$DIR/root.hints"

	# The list for `batch` and the designed verdict of each name.
	for ((i = 1; i <= N; i++)); do
		printf -v label 'z%05d' "$i"
		printf '%s.bench.test. A\n' "$label"
	done >"$DIR/names.txt"
	for ((i = 1; i <= N; i++)); do
		printf -v label 'z%05d' "$i"
		case $((i % 10)) in
		3) printf '%s.bench.test.\tbogus\tDS_DIGEST_MISMATCH\n' "$label" ;;
		5) printf '%s.bench.test.\tinsecure\t-\n' "$label" ;;
		7) printf '%s.bench.test.\tbogus\tRRSIG_EXPIRED\n' "$label" ;;
		*) printf '%s.bench.test.\tsecure\t-\n' "$label" ;;
		esac
	done >"$DIR/expected.tsv"
	echo "$SPREAD" >"$DIR/spread"
	rm -rf "$DIR/work" "$DIR"/zones/*.src
	printf 'children %d, signing %d s with %d signers, build %d s\n' "$N" "$sign_s" "$jobs" \
		$((SECONDS - t0)) | tee "$DIR/build.log"
}

# --- start / stop -----------------------------------------------------------------------------

# Same test as lab/lab.sh: /proc/self/net/dev lists this namespace's interfaces (/sys/class/net
# may still show the host's after a bare `unshare -n`).
check_isolated() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (the servers bind port 53)"
	local ifaces
	ifaces=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/self/net/dev | sort | xargs)
	[[ $ifaces == lo ]] || die "refusing to start: network namespace has interfaces '$ifaces'," \
		"not only lo; run inside: unshare -n sh -c 'ip link set lo up; $0 start $DIR'"
	ip link show lo | grep -q 'UP' || die "loopback is down: run 'ip link set lo up' first"
	for tool in nsd nsd-checkconf unbound unbound-checkconf dig setsid; do
		command -v "$tool" >/dev/null || die "$tool is missing: run scripts/install-deps.sh"
	done
}

record() { echo "$1 $2" >>"$PIDS"; }

answers() { # ADDR ZONE [+rec]
	local out
	out=$(dig @"$1" "$2" SOA "${3:-+norec}" +time=1 +tries=1 2>/dev/null) || return 1
	grep -q 'status: NOERROR' <<<"$out"
}

wait_for() { # NAME ADDR ZONE [+rec]: bounded (about 120 s: NSD reads every child zone first)
	local i pid
	pid=$(awk -v n="$1" '$1 == n { print $2 }' "$PIDS")
	for ((i = 0; i < 600; i++)); do
		answers "$2" "$3" "${4:-+norec}" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	echo "batch-lab.sh: $1 did not answer $3 SOA at $2; its log:" >&2
	tail -n 20 "$RUN/$1/stdout.log" "$RUN/$1/"*.log >&2 2>/dev/null || true
	return 1
}

start_nsd() { # NAME "ADDRESS..." ZONESDIR then ZONE FILE pairs on stdin
	local name=$1 addrs=$2 zdir=$3 dir=$RUN/$1 conf zone file addr
	mkdir -p "$dir"
	conf=$dir/nsd.conf
	{
		printf 'server:\n\tport: 53\n\tdo-ip4: yes\n\tdo-ip6: no\n'
		for addr in $addrs; do printf '\tip-address: %s\n' "$(backend "$addr")"; done
		# Root in a loopback-only namespace: no user switch, no chroot, nothing written back.
		printf '\tusername: ""\n\tchroot: ""\n\tdatabase: ""\n\tzonesdir: "%s"\n' "$zdir"
		printf '\tzonelistfile: "%s/zone.list"\n\txfrdfile: "%s/xfrd.state"\n' "$dir" "$dir"
		printf '\txfrdir: "%s"\n\tpidfile: "%s/nsd.pid"\n\tlogfile: "%s/nsd.log"\n' "$dir" \
			"$dir" "$dir"
		# Every client shares 127.0.0.0/24: Debian's default rate limit would drop the bench.
		printf '\trrl-ratelimit: 0\n\tserver-count: 1\n\tverbosity: 1\n'
		printf 'remote-control:\n\tcontrol-enable: no\n'
		while read -r zone file; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$zone" "$file"
		done
	} >"$conf"
	nsd-checkconf "$conf" || die "bad NSD config $conf"
	setsid nsd -d -c "$conf" </dev/null >"$dir/stdout.log" 2>&1 &
	record "$name" $!
}

start_unbound() {
	local dir=$RUN/unbound conf=$RUN/unbound/unbound.conf
	mkdir -p "$dir"
	cat >"$conf" <<-EOF
	server:
	  interface: $UNBOUND_ADDR
	  port: 53
	  do-ip4: yes
	  do-ip6: no
	  access-control: 127.0.0.0/8 allow
	  username: ""
	  chroot: ""
	  directory: "$dir"
	  pidfile: "$dir/unbound.pid"
	  logfile: "$dir/unbound.log"
	  use-syslog: no
	  do-daemonize: no
	  verbosity: 1
	  num-threads: 2
	  so-reuseport: yes
	  msg-cache-size: 256m
	  rrset-cache-size: 512m
	  key-cache-size: 128m
	  root-hints: "$DIR/root.hints"
	  trust-anchor-file: "$DIR/root-anchor.ds"
	  do-not-query-localhost: no
	  local-zone: "test." nodefault
	  module-config: "validator iterator"
	remote-control:
	  control-enable: no
	EOF
	unbound-checkconf "$conf" >/dev/null || die "bad unbound config $conf"
	setsid unbound -d -c "$conf" </dev/null >"$dir/stdout.log" 2>&1 &
	record unbound $!
}

# backend ADDRESS: where NSD listens for ADDRESS: the address itself, or with BENCH_DELAY_MS
# the relay's back end (127.0.90.x -> 127.0.92.x).
backend() {
	if ((DELAY_MS > 0)); then echo "${1/#127.0.90./127.0.92.}"; else echo "$1"; fi
}

start_proxy() { # ADDRESS...: one relay each, to its backend
	local script=$BENCH/../dist/bench/delay-proxy.js pairs=() addr dir=$RUN/delay-proxy
	[[ -f $script ]] || die "$script is missing: run npx tsc -p . first"
	for addr in "$@"; do pairs+=("$addr=$(backend "$addr")"); done
	mkdir -p "$dir"
	setsid node "$script" "$DELAY_MS" "${pairs[@]}" </dev/null >"$dir/stdout.log" 2>&1 &
	record delay-proxy $!
}

stop() {
	stop_recorded "$PIDS" "^((nsd|unbound) -d -c $RUN/|node \\S*delay-proxy\\.js )"
}

start() {
	check_isolated
	[[ -f $DIR/names.txt && -f $DIR/root-anchor.ds ]] || die "no bench lab in $DIR: run $0 build"
	mkdir -p "$RUN"
	[[ -f $PIDS ]] && die "$PIDS exists: the bench lab may be running; run: $0 stop $DIR"
	: >"$PIDS"
	[[ $DELAY_MS =~ ^[0-9]+$ && $DELAY_MS -le 10000 ]] ||
		die "BENCH_DELAY_MS must be 0..10000, not $DELAY_MS"
	local children=() i
	SPREAD=$(cat "$DIR/spread" 2>/dev/null || echo 1)
	for ((i = 0; i < SPREAD; i++)); do children+=("127.0.90.$((4 + i))"); done
	trap 'stop' EXIT
	# shellcheck disable=SC2046 # the addresses are words
	((DELAY_MS > 0)) && start_proxy "$ROOT_ADDR" "$TLD_ADDR" $(parent_addrs) "${children[@]}"
	echo ". root.db" | start_nsd nsd-root "$ROOT_ADDR" "$DIR/zones"
	echo "test. test.db" | start_nsd nsd-test "$TLD_ADDR" "$DIR/zones"
	echo "bench.test. bench.test.db" | start_nsd nsd-bench "$(parent_addrs)" "$DIR/zones"
	awk '{ z = $1; f = $1; sub(/\.bench\.test\.$/, "", f); print z, f ".db" }' "$DIR/names.txt" |
		start_nsd nsd-children "${children[*]}" "$DIR/zones/children"
	wait_for nsd-root "$ROOT_ADDR" .
	wait_for nsd-test "$TLD_ADDR" test.
	wait_for nsd-bench "$PARENT_ADDR" bench.test.
	# The last child of the list: NSD answers once it has read every zone.
	wait_for nsd-children "$CHILD_ADDR" "$(tail -n 1 "$DIR/names.txt" | awk '{ print $1 }')"
	start_unbound
	wait_for unbound "$UNBOUND_ADDR" . +rec
	trap - EXIT
	echo "bench lab running: pids in $PIDS, logs in $RUN"
}

case $CMD in
build) build ;;
start) start ;;
stop) stop ;;
*) usage ;;
esac
