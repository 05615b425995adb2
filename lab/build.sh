#!/usr/bin/env bash
# Regenerates the lab from scratch: keys, signed zones, DS sets, the lab trust anchor and
# lab/manifest.json. Run by a developer when the lab's design changes; its output is committed
# and the tests only read it. Every key tag, digest and time in the manifest is taken from the
# output or the arguments of BIND's tools (dnssec-keygen, dnssec-signzone, dnssec-dsfromkey),
# never computed here, so the manifest is an independent reference for dnssec-doctor's tests.
# One zone (nsec3-iter) is signed by ldns-signzone instead, with keys dnssec-keygen made.
#
# Private keys are generated in a temporary directory and deleted on exit: nothing in the lab
# needs a later re-sign with the same keys (signatures run to 2036). Re-running this script
# makes new keys everywhere, the lab root's KSK (the trust anchor) included.
set -euo pipefail

LAB=$(cd "$(dirname "$0")" && pwd)
ZONES=$LAB/zones

# Signature windows (dnssec-signzone -s/-e). The lab must stay valid for years, so the default
# window runs ten years; the broken scenarios use windows wholly in the past or in the future.
VALID_FROM=20261101000000
VALID_TO=20361101000000
PAST_FROM=20250101000000
PAST_TO=20260101000000
FUTURE_FROM=20400101000000
FUTURE_TO=20450101000000
SERIAL=2026120401
OLD_SERIAL=2026110101
# NSEC3 additional iterations of scenario nsec3-iter. Chosen by experiment as a count where the
# lab's four validating resolvers disagree: they split only from 51 to 150 (lab/README.md).
# Signed by ldns-signzone, which signs any count (dnssec-signzone 9.18 stops at 150), so the
# scenario can move above 150 without changing signer.
NSEC3_ITER_COUNT=100

for tool in dnssec-keygen dnssec-signzone dnssec-dsfromkey ldns-signzone jq; do
	command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing" >&2; exit 1; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -rf "$ZONES"
mkdir -p "$ZONES"

# Manifest pieces, filled in as zones are built.
ZONE_ENTRIES=()
# Lines the parent zones get: delegations (NS, glue, DS) per parent.
LAB_DELEGATIONS=""
# name server instance table for lab.sh: instance, addresses, zone, zone file.
INSTANCES=()

iso() { # 20261101000000 -> 2026-11-01T00:00:00Z
	local t=$1
	echo "${t:0:4}-${t:4:2}-${t:6:2}T${t:8:2}:${t:10:2}:${t:12:2}Z"
}

# keygen DIR ZONE ALG KSK|ZSK [BITS] -> prints the key's base name (K<zone>+<alg>+<tag>).
keygen() {
	local dir=$1 zone=$2 alg=$3 role=$4 bits=${5:-}
	local args=(-q -K "$dir" -a "$alg" -L 300 -n ZONE)
	[[ -n $bits ]] && args+=(-b "$bits")
	[[ $role == KSK ]] && args+=(-f KSK)
	dnssec-keygen "${args[@]}" "$zone"
}

# key_json KEYFILE.key -> {"tag","algorithm","flags"} from the K file name and its DNSKEY line.
key_json() {
	local file=$1 base tag alg flags
	base=$(basename "$file" .key)
	tag=$((10#${base##*+}))
	alg=${base%+*}
	alg=$((10#${alg##*+}))
	flags=$(awk '!/^;/ { for (i = 1; i <= NF; i++) if ($i == "DNSKEY") { print $(i + 1); exit } }' \
		"$file")
	jq -cn --argjson tag "$tag" --argjson alg "$alg" --argjson flags "$flags" \
		--arg file "lab/${file#"$LAB"/}" \
		'{tag: $tag, algorithm: $alg, flags: $flags, file: $file}'
}

# ds_line KEYFILE.key -> the SHA-256 DS record printed by dnssec-dsfromkey.
ds_line() { dnssec-dsfromkey -2 "$1"; }

# ds_json "<owner> IN DS tag alg digesttype digest" -> {"tag","algorithm","digestType","digest"}
ds_json() {
	local owner class type tag alg dt digest
	read -r owner class type tag alg dt digest <<<"$1"
	[[ $class == IN && $type == DS ]] || { echo "unexpected DS line: $1" >&2; exit 1; }
	jq -cn --argjson tag "$tag" --argjson alg "$alg" --argjson dt "$dt" --arg d "$digest" \
		'{tag: $tag, algorithm: $alg, digestType: $dt, digest: $d}'
}

# sign SRC OUT ZONE FROM TO KSKBASE ZSKBASE KEYDIR DSDIR [extra dnssec-signzone args...]
# The public keys are appended to a copy of the source so the DNSKEY RRset is in the zone;
# -O full writes one record per line, which keeps the later edits of broken zones simple.
sign() {
	local src=$1 out=$2 zone=$3 from=$4 to=$5 ksk=$6 zsk=$7 keydir=$8 dsdir=$9
	shift 9
	local input=$WORK/input.$$.db k
	cat "$src" "$keydir/$ksk.key" "$keydir/$zsk.key" >"$input"
	# Keys published beside the pair (standby, revoked, second algorithm): SIGN_EXTRA_KEYS.
	for k in "${SIGN_EXTRA_KEYS[@]}"; do cat "$keydir/$k.key" >>"$input"; done
	dnssec-signzone -q -o "$zone" -N keep -O full -s "$from" -e "$to" -K "$keydir" \
		-d "$dsdir" -f "$out" -k "$keydir/$ksk.key" "$@" "$input" "$keydir/$zsk.key" >/dev/null
	rm -f "$input"
}

# sign_ldns SRC OUT ZONE FROM TO KSKBASE ZSKBASE KEYDIR ITERATIONS: NSEC3 without salt and
# with ITERATIONS additional iterations, by ldns-signzone, with keys dnssec-keygen made (ldns
# reads BIND's key files; it adds the DNSKEYs from the .key files). Its warning about
# iteration counts above 100 is the point of the scenario, so stderr is dropped when it works.
sign_ldns() {
	local src=$1 out=$2 zone=$3 from=$4 to=$5 ksk=$6 zsk=$7 keydir=$8 iter=$9
	ldns-signzone -n -t "$iter" -o "$zone" -i "$from" -e "$to" -f "$out" "$src" \
		"$keydir/$ksk" "$keydir/$zsk" 2>"$WORK/ldns.err" || { cat "$WORK/ldns.err" >&2; exit 1; }
}

# add_zone ZONE PARENT SERVERS_JSON SIGNED DENIAL KEYS_JSON DS_JSON FROM TO SERIAL FILE
#          SCENARIO_JSON [EXTRA_JSON]
add_zone() {
	local from=null to=null extra=${13:-'{}'}
	[[ $8 != - ]] && from="\"$(iso "$8")\""
	[[ $9 != - ]] && to="\"$(iso "$9")\""
	ZONE_ENTRIES+=("$(jq -cn --arg zone "$1" --arg parent "$2" --argjson servers "$3" \
		--argjson signed "$4" --argjson denial "$5" --argjson keys "$6" --argjson ds "$7" \
		--argjson from "$from" --argjson to "$to" --argjson serial "${10}" --arg file "${11}" \
		--argjson scenario "${12}" --argjson extra "$extra" \
		'{zone: $zone, parent: (if $parent == "" then null else $parent end),
		  servers: $servers, signed: $signed, denial: $denial, keys: $keys,
		  dsAtParent: $ds, inception: $from, expiration: $to, serial: $serial,
		  file: $file, scenario: $scenario} + $extra')")
}

# scenario_json QUERY STATUS BROKEN_ZONE CODE DESCRIPTION VIA RCODE QTYPE FINDINGS_JSON ANSWER
# FINDINGS_JSON lists the other finding codes the report must carry (warnings of a secure
# zone, side findings); ANSWER is the address the final A record holds, "" for none.
scenario_json() {
	jq -cn --arg q "$1" --arg status "$2" --arg broken "$3" --arg code "$4" --arg d "$5" \
		--arg via "$6" --arg rcode "$7" --arg qtype "$8" --argjson findings "$9" \
		--arg answer "${10}" \
		'{query: $q, type: $qtype, description: $d,
		  answer: (if $answer == "" then null else $answer end),
		  expect: ({status: $status,
		    brokenZone: (if $broken == "" then null else $broken end),
		    code: (if $code == "" then null else $code end),
		    findings: $findings}
		    + (if $via == "" then {} else {via: $via} end)
		    + (if $rcode == "" then {} else {rcode: $rcode} end))}'
}

# second_server LABEL N -> the address of the scenario's second name server, if it has one:
# 127.0.41.N serves the zone (a copy of some kind) or is lame, 127.0.42.N never answers.
second_server() {
	case $1 in
	stale | glue-mismatch | nsec3-partial | lame) echo "127.0.41.$2" ;;
	timeout | signer-stopped) echo "127.0.42.$2" ;;
	esac
}

# write_scenario_source FILE ZONE N LABEL SERIAL -> the unsigned content of a scenario zone.
write_scenario_source() {
	local file=$1 zone=$2 n=$3 label=$4 serial=$5 ns2 apex_ttl=""
	ns2=$(second_server "$label" "$n")
	# A TTL that outlives every signature of the lab (they expire in 2036): about 12.7 years.
	[[ $label == ttl-long ]] && apex_ttl=400000000
	{
		echo "\$TTL 300"
		echo "$zone SOA ns1.$zone hostmaster.$zone $serial 3600 900 1209600 300"
		echo "$zone NS ns1.$zone"
		[[ -n $ns2 ]] && echo "$zone NS ns2.$zone"
		echo "$zone $apex_ttl A 127.0.99.$n"
		echo "$zone TXT \"scenario $label\""
		echo "ns1.$zone A 127.0.40.$n"
		[[ -n $ns2 ]] && echo "ns2.$zone A $ns2"
		echo "www.$zone A 127.0.99.$n"
		case $label in
		# A healthy zone whose alias leads into a broken one: the broken one must be named.
		cname) echo "alias.$zone CNAME www.expired.lab.test." ;;
		wildcard | wildcard-no-proof) echo "*.w.$zone A 127.0.99.$n" ;;
		dname) echo "d.$zone DNAME $zone" ;;
		# An unsigned zone's alias into a wildcard of a signed one (field case C15).
		cname-insecure) echo "portal.$zone CNAME x.w.wildcard.lab.test." ;;
		# RFC 8078 4: the zone asks its parent to delete the DS.
		cds-delete) echo "$zone CDS 0 0 0 00"; echo "$zone CDNSKEY 0 3 0 AA==" ;;
		esac
	} >"$file"
}

# --- scenario zones under lab.test., one NSD instance on 127.0.40.N -------------------------

scenario() {
	local n=$1 label=$2
	local zone="$label.lab.test." dir="$ZONES/$label" keydir="$WORK/keys/$label"
	mkdir -p "$dir" "$keydir"
	write_scenario_source "$dir/source.db" "$zone" "$n" "$label" "$SERIAL"

	local alg=ECDSAP256SHA256 bits="" denial='"NSEC"' signed=true
	local from=$VALID_FROM to=$VALID_TO signargs=() ds_lines="" keys='[]' extra='{}'
	local status=secure broken="" code="" via="" desc servers="[\"127.0.40.$n\"]" query=$zone
	local rcode="" signer=dnssec-signzone qtype=A findings='[]' answer="127.0.99.$n"
	local ns2 extra_ksks=() extra_keys=() child="" childkind=signed iter=$NSEC3_ITER_COUNT
	local insecure_at=""
	ns2=$(second_server "$label" "$n")
	case $label in
	rsa) alg=RSASHA256 bits=2048 desc="healthy zone signed with RSASHA256 (8), 2048-bit keys" ;;
	ecdsa) desc="healthy zone signed with ECDSAP256SHA256 (13)" ;;
	ed25519) alg=ED25519 desc="healthy zone signed with ED25519 (15)" ;;
	nsec3)
		signargs=(-3 - -H 0) denial='"NSEC3"'
		desc="healthy zone with NSEC3, 0 extra iterations, no salt (RFC 9276)" ;;
	insecure)
		signed=false denial=null status=insecure
		desc="unsigned zone, no DS at lab.test.: an insecure delegation proven by NSEC" ;;
	ds-mismatch)
		status=bogus broken=$zone code=DS_DIGEST_MISMATCH
		desc="DS at lab.test. has the KSK's tag and algorithm but one digest digit changed" ;;
	ds-stale)
		status=bogus broken=$zone code=DS_NO_MATCHING_DNSKEY
		desc="DS at lab.test. names an old KSK that is gone; the zone is signed by a new KSK" ;;
	unsigned)
		signed=false denial=null status=bogus broken=$zone code=DNSKEY_MISSING
		desc="DS at lab.test. for a discarded key, but the zone is served unsigned" ;;
	expired)
		from=$PAST_FROM to=$PAST_TO signargs=(-P) status=bogus broken=$zone code=RRSIG_EXPIRED
		desc="every signature expired (valid $PAST_FROM to $PAST_TO)" ;;
	future)
		from=$FUTURE_FROM to=$FUTURE_TO signargs=(-P) status=bogus broken=$zone
		code=RRSIG_NOT_YET_VALID
		desc="every signature not yet valid (valid $FUTURE_FROM to $FUTURE_TO)" ;;
	unsigned-answer)
		status=bogus broken=$zone code=RRSIG_MISSING
		desc="the RRSIG over the apex A RRset was deleted after signing" ;;
	bad-sig)
		status=bogus broken=$zone code=RRSIG_INVALID
		desc="one base64 character of the apex A RRSIG's signature was changed" ;;
	stale)
		status=bogus broken=$zone code=RRSIG_EXPIRED via=127.0.41.13
		servers='["127.0.40.13","127.0.41.13"]'
		desc="ns1 (127.0.40.13) serves a fresh copy; ns2 (127.0.41.13) an old copy whose"
		desc+=" signatures expired (serial $OLD_SERIAL, valid $PAST_FROM to $PAST_TO)" ;;
	cname)
		query="alias.$zone" status=bogus broken=expired.lab.test. code=RRSIG_EXPIRED
		answer="127.0.99.$(number_of expired)"
		desc="healthy zone; alias.$zone is a CNAME to www.expired.lab.test., whose signatures"
		desc+=" expired" ;;
	ds-unknown-alg)
		status=insecure
		desc="signed zone whose only DS names algorithm 100, which no validator implements:"
		desc+=" insecure, not bogus (RFC 4035 5.2)" ;;
	nxdomain)
		signargs=(-3 - -H 0) denial='"NSEC3"' query="nope.$zone" rcode=NXDOMAIN
		desc="a name that does not exist, in a healthy NSEC3 zone: NXDOMAIN proven by NSEC3" ;;
	nsec3-iter)
		# Secure, as most validators (limit 150) and dnssec-doctor judge it; Knot's stricter
		# limit is the disagreement the resolver comparison must explain.
		signer=ldns denial='"NSEC3"' query="nope.$zone" rcode=NXDOMAIN status=secure
		extra=$(jq -cn --argjson i "$NSEC3_ITER_COUNT" --arg v "ldns-signzone: $(ldns-signzone -v)" \
			'{signer: $v, nsec3: {iterations: $i, salt: ""}}')
		desc="nope.$zone does not exist; NSEC3 with $NSEC3_ITER_COUNT extra iterations, no salt."
		desc+=" Above its limit a validator may call the proof insecure (RFC 9276 3.2): Knot"
		desc+=" Resolver 5.6 (limit 50) answers NXDOMAIN without AD; unbound 1.17, BIND 9.18"
		desc+=" and PowerDNS Recursor 4.8 (limit 150) validate it (AD). None sends EDE 27" ;;
	# --- denial of existence (RFC 4035 5.4, 5155 8) ---
	nodata)
		query="www.$zone" qtype=TXT answer=""
		desc="www.$zone has an A record but no TXT: NODATA, proven by the NSEC at www, whose"
		desc+=" type bitmap lacks TXT" ;;
	nsec-nx)
		query="nope.$zone" rcode=NXDOMAIN answer=""
		desc="nope.$zone does not exist: NXDOMAIN proven by NSEC, one record covering the name"
		desc+=" and one showing that no wildcard could have answered" ;;
	nsec3-no-proof)
		signargs=(-3 - -H 0) denial='"NSEC3"' query="nope.$zone" rcode=NXDOMAIN answer=""
		status=bogus broken=$zone code=NSEC_PROOF_MISSING
		desc="every NSEC3 record and the NSEC3PARAM were deleted after signing: the NXDOMAIN for"
		desc+=" nope.$zone comes with a signed SOA but no proof" ;;
	nsec-bad-cover)
		query="www.$zone" rcode=NXDOMAIN answer="" status=bogus broken=$zone code=NSEC_PROOF_INVALID
		desc="www.$zone's records and its NSEC were deleted after signing; the NSEC before it still"
		desc+=" names www as the next name, so it cannot prove that www does not exist" ;;
	bitmap-lie)
		query="www.$zone" answer="" status=bogus broken=$zone code=NSEC_PROOF_INVALID
		desc="www.$zone's A record and its RRSIG were deleted after signing; its NSEC still lists"
		desc+=" A in the type bitmap, so the NODATA answer contradicts its own proof" ;;
	nsec3-partial)
		signargs=(-3 - -H 0) denial='"NSEC3"' query="nope.$zone" rcode=NXDOMAIN answer=""
		status=bogus broken=$zone code=NSEC_PROOF_MISSING via=$ns2
		servers="[\"127.0.40.$n\",\"$ns2\"]"
		desc="field case C05: ns1 (127.0.40.$n) serves the full NSEC3 zone; ns2 ($ns2) the same"
		desc+=" copy without its NSEC3 records and NSEC3PARAM, so its negative answers carry no"
		desc+=" proof" ;;
	# --- wildcards and aliases (RFC 4035 5.3.4, 6672) ---
	wildcard)
		query="x.w.$zone"
		desc="x.w.$zone is answered from the wildcard *.w.$zone: the RRSIG's label count shows"
		desc+=" the expansion, and an NSEC proves that no closer name exists" ;;
	wildcard-no-proof)
		query="x.w.$zone" status=bogus broken=$zone code=NSEC_PROOF_MISSING
		desc="as wildcard, but the NSEC at *.w.$zone, the record that proves x.w.$zone itself"
		desc+=" does not exist, was deleted after signing" ;;
	dname)
		query="www.d.$zone"
		desc="d.$zone is a DNAME to $zone: www.d.$zone is answered by a synthesised CNAME to"
		desc+=" www.$zone; the DNAME is signed, the synthesised CNAME is not (RFC 6672)" ;;
	cname-insecure)
		signed=false denial=null status=insecure query="portal.$zone"
		answer="127.0.99.$(number_of wildcard)"
		desc="field case C15: unsigned zone (no DS) whose portal.$zone is a CNAME to"
		desc+=" x.w.wildcard.lab.test., a signed wildcard answer: the whole answer is insecure" ;;
	# --- timing (RFC 4034 3.1.4, 4035 5.3.3) ---
	ttl-long)
		findings='["RRSIG_TTL_BEYOND_EXPIRY"]'
		desc="the apex A record's TTL (400000000 s, about 12.7 years) outlives its signature,"
		desc+=" which expires in 2036: a cache honouring it would keep the record past expiry" ;;
	orig-ttl)
		findings='["RRSIG_ORIGINAL_TTL_MISMATCH"]'
		desc="after signing, the apex A record's TTL was raised from 300 to 3600 in the served"
		desc+=" file; its RRSIG's original TTL still says 300" ;;
	# --- algorithms and digests (RFC 8624, 6840 5.11) ---
	rsasha1)
		alg=RSASHA1 bits=2048 findings='["ALGORITHM_DEPRECATED","DS_DIGEST_DEPRECATED"]'
		desc="signed with RSASHA1 (5), which RFC 8624 says not to sign with any more; the parent"
		desc+=" has a SHA-1 DS beside the SHA-256 one" ;;
	alg-rollover)
		signargs=(-P) findings='["RRSIG_ALGORITHM_MISSING"]'
		desc="field case C10: the KSK is ECDSAP256SHA256 (13), the ZSK RSASHA256 (8); the DS names"
		desc+=" only the algorithm-13 KSK, which signs only the DNSKEY RRset, so no data RRset has"
		desc+=" an algorithm-13 signature (RFC 4035 2.2). A validator may accept the path"
		desc+=" (RFC 6840 5.11)" ;;
	# --- keys (RFC 4034 2.1.1, 5011, 7344, 8078) ---
	revoked)
		findings='["DNSKEY_REVOKED"]'
		desc="the zone also publishes its previous KSK with the REVOKE flag (RFC 5011), signing"
		desc+=" the DNSKEY RRset; the DS names the current KSK" ;;
	ds-zsk)
		signargs=(-x) status=bogus broken=$zone code=DNSKEY_NOT_SIGNED_BY_DS_KEY
		desc="the DS at lab.test. was made from the ZSK (flags 256), which does not sign the"
		desc+=" DNSKEY RRset (signed with dnssec-signzone -x): no DS names a key that signs it" ;;
	cds-mismatch)
		findings='["CDS_MISMATCH"]'
		desc="the zone publishes a second KSK with no DS yet, and CDS/CDNSKEY for that key only:"
		desc+=" it asks the parent to replace the DS (RFC 7344), and the parent has not" ;;
	cds-delete)
		findings='["CDS_DELETE"]'
		desc="the zone publishes the RFC 8078 delete signal (CDS 0 0 0 00, CDNSKEY 0 3 0 AA==)"
		desc+=" while its DS is still at the parent: acted on, the zone becomes insecure" ;;
	ds-extra)
		findings='["DS_STALE_ENTRY"]'
		desc="field case C02 variant B: the DS set at lab.test. names the zone's KSK and an old"
		desc+=" KSK that is gone: still secure, the stale DS is untidy" ;;
	ds-gost)
		status=insecure findings='["DS_DIGEST_DEPRECATED"]'
		desc="field case C12: the only DS at lab.test. has digest type 3 (GOST R 34.11-94), which"
		desc+=" RFC 8624 says not to use and the lab's validators do not implement: insecure" ;;
	no-rrsigs)
		status=bogus broken=$zone code=RRSIG_MISSING
		desc="field case C01 variant B: the zone was signed, then every RRSIG was deleted; the"
		desc+=" DNSKEY RRset and the DS at lab.test. remain" ;;
	# --- servers ---
	lame)
		findings='["SERVER_ERROR_RCODE"]' servers="[\"127.0.40.$n\",\"$ns2\"]"
		desc="ns2 ($ns2) is listed by the parent and the zone but does not serve the zone"
		desc+=" (REFUSED: a lame delegation); ns1 answers" ;;
	timeout)
		findings='["NS_UNREACHABLE"]' servers="[\"127.0.40.$n\",\"$ns2\"]"
		desc="ns2 ($ns2) is listed by the parent and the zone but never answers, over UDP or"
		desc+=" TCP (a resolver sees timeouts); ns1 answers" ;;
	glue-mismatch)
		findings='["NS_SET_MISMATCH"]' servers="[\"127.0.40.$n\",\"$ns2\"]"
		desc="lab.test. delegates to ns1 only; the zone's own NS set lists ns1 and ns2 ($ns2)" ;;
	no-tcp)
		alg=RSASHA256 bits=4096 status=bogus broken=$zone code=TCP_FALLBACK_FAILED
		desc="field case C13: three RSA-4096 KSKs make the DNSKEY answer too big for 1232 bytes"
		desc+=" of UDP, and the zone's only server (unbound's auth-zone, do-tcp: no) refuses"
		desc+=" TCP: no validator can fetch the keys" ;;
	signer-stopped)
		from=$PAST_FROM to=$PAST_TO signargs=(-P) status=bogus broken=$zone code=RRSIG_EXPIRED
		findings='["NS_UNREACHABLE"]' servers="[\"127.0.40.$n\",\"$ns2\"]"
		desc="field case C03: the signer stopped (every signature expired $PAST_TO), and ns2"
		desc+=" ($ns2) never answers: the expiry is the cause, the dead server a side issue" ;;
	nsec3-iter10)
		signargs=(-3 - -H 10) denial='"NSEC3"' query="nope.$zone" rcode=NXDOMAIN
		findings='["NSEC3_ITERATIONS_EXCESSIVE"]'
		extra='{"nsec3": {"iterations": 10, "salt": ""}}'
		desc="field case C06: NSEC3 with 10 extra iterations: against RFC 9276's advice (0),"
		desc+=" but below every lab resolver's limit, so nope.$zone's NXDOMAIN validates" ;;
	nsec3-iter200)
		signer=ldns iter=200 denial='"NSEC3"' query="nope.$zone" rcode=NXDOMAIN status=insecure
		findings='["NSEC3_ITERATIONS_EXCESSIVE"]'
		extra=$(jq -cn --arg v "ldns-signzone: $(ldns-signzone -v)" \
			'{signer: $v, nsec3: {iterations: 200, salt: ""}}')
		desc="field case C06: NSEC3 with 200 extra iterations, signed by ldns-signzone: above"
		desc+=" every lab resolver's limit (150 or 50), so they call the NXDOMAIN insecure" ;;
	not-dnssec)
		signed=false denial=null status=insecure query="dev.$zone" qtype=CAA answer=""
		findings='["NEGATIVE_ANSWER_WITHOUT_SOA"]'
		desc="field case C19: unsigned zone (no DS) behind dnsdist, which answers CAA questions"
		desc+=" NOERROR with nothing in them (no SOA, AA clear) and DS questions NOTIMP: a"
		desc+=" broken server, not a DNSSEC problem" ;;
	nsec3-insecure-kid)
		signargs=(-3 - -H 0) denial='"NSEC3"' child=kid childkind=unsigned query="kid.$zone"
		status=insecure insecure_at="kid.$zone"
		desc="NSEC3 zone delegating kid.$zone, an unsigned child, without a DS: the NSEC3 record"
		desc+=" matching kid's hash lists NS but not DS, which proves the delegation insecure"
		desc+=" (RFC 5155 8.9)" ;;
	nsec3-optout-kid)
		signargs=(-3 - -H 0 -A) denial='"NSEC3"' child=kid childkind=unsigned query="kid.$zone"
		status=insecure insecure_at="kid.$zone" findings='["INSECURE_DELEGATION"]'
		desc="as nsec3-insecure-kid, signed with NSEC3 opt-out (-A): kid has no NSEC3 record of"
		desc+=" its own; the opt-out record covering its hash proves only that an unsigned"
		desc+=" delegation may be there (RFC 5155 6, 8.9)" ;;
	# --- parent-side problems ---
	parent-bogus)
		from=$PAST_FROM to=$PAST_TO signargs=(-P) child=kid query="kid.$zone"
		status=bogus broken=$zone code=RRSIG_EXPIRED answer="127.0.99.$n"
		desc="healthy signed kid.$zone under $zone, whose signatures expired: the DS for kid"
		desc+=" cannot be trusted, so kid is bogus and the broken link is its parent" ;;
	parent-insecure)
		signed=false denial=null status=insecure child=kid query="kid.$zone"
		desc="unsigned $zone (no DS at lab.test.) holds a DS for its signed child kid.$zone:"
		desc+=" an unvalidated DS counts for nothing, kid.$zone is insecure" ;;
	*) echo "unknown scenario $label" >&2; exit 1 ;;
	esac
	[[ -n $rcode ]] && answer=""

	# A signed child below the scenario zone, delegated from it with glue and a DS.
	if [[ -n $child ]]; then
		child_zone "$child.$zone" "$n" "$childkind" >>"$dir/source.db"
	fi
	# Extra keys, generated before signing so the signer publishes (and uses) them.
	case $label in
	alg-rollover) ;; # handled below: the ZSK has another algorithm
	revoked)
		local old
		old=$(keygen "$keydir" "$zone" "$alg" KSK)
		old=$(dnssec-revoke -r -K "$keydir" "$old" | xargs basename)
		extra_ksks=("$old") ;;
	cds-mismatch)
		local next
		next=$(keygen "$keydir" "$zone" "$alg" KSK)
		extra_keys=("$next")
		{ dnssec-dsfromkey -C -2 "$keydir/$next.key"
			awk '!/^;/ { for (i = 1; i <= NF; i++) if ($i == "DNSKEY") $i = "CDNSKEY"; print }' \
				"$keydir/$next.key"; } >>"$dir/source.db" ;;
	no-tcp)
		local k
		for k in 1 2; do extra_ksks+=("$(keygen "$keydir" "$zone" "$alg" KSK 4096)"); done ;;
	esac

	local served="$dir/zone.db"
	if [[ $signed == true ]]; then
		local ksk zsk zalg=$alg zbits=$bits k
		[[ $label == alg-rollover ]] && zalg=RSASHA256 zbits=2048
		[[ $label == no-tcp ]] && zbits=2048
		ksk=$(keygen "$keydir" "$zone" "$alg" KSK "$bits")
		zsk=$(keygen "$keydir" "$zone" "$zalg" ZSK "$zbits")
		SIGN_EXTRA_KEYS=("${extra_ksks[@]}" "${extra_keys[@]}")
		for k in "${extra_ksks[@]}"; do signargs+=(-k "$keydir/$k.key"); done
		if [[ $signer == ldns ]]; then
			sign_ldns "$dir/source.db" "$served" "$zone" "$from" "$to" "$ksk" "$zsk" "$keydir" \
				"$iter"
		else
			sign "$dir/source.db" "$served" "$zone" "$from" "$to" "$ksk" "$zsk" "$keydir" \
				"$dir" "${signargs[@]}"
		fi
		SIGN_EXTRA_KEYS=()
		keys='[]'
		for k in "$ksk" "$zsk" "${extra_ksks[@]}" "${extra_keys[@]}"; do
			cp "$keydir/$k.key" "$dir/"
			keys=$(jq -c --argjson k "$(key_json "$dir/$k.key")" '. + [$k]' <<<"$keys")
		done
		ds_lines=$(ds_line "$dir/$ksk.key")
	else
		cp "$dir/source.db" "$served"
	fi

	# strip AWK_CONDITION: delete the served file's lines the condition matches (-O full
	# writes one record per line: owner ttl class type rdata; an RRSIG's covered type is $5).
	strip() {
		awk -v z="$zone" "!($1)" "$served" >"$served.tmp"
		cmp -s "$served" "$served.tmp" && { echo "$label: nothing stripped" >&2; exit 1; }
		mv "$served.tmp" "$served"
	}
	case $label in
	nsec3-no-proof) strip '$4 == "NSEC3" || $4 == "NSEC3PARAM" || ($4 == "RRSIG" && ($5 == "NSEC3" || $5 == "NSEC3PARAM"))' ;;
	nsec3-partial)
		cp "$served" "$dir/zone-full.db"
		strip '$4 == "NSEC3" || $4 == "NSEC3PARAM" || ($4 == "RRSIG" && ($5 == "NSEC3" || $5 == "NSEC3PARAM"))'
		mv "$served" "$dir/zone-partial.db"
		mv "$dir/zone-full.db" "$served"
		INSTANCES+=("partial $ns2 $zone $label/zone-partial.db") ;;
	nsec-bad-cover) strip '$1 == "www." z' ;;
	bitmap-lie) strip '$1 == "www." z && ($4 == "A" || ($4 == "RRSIG" && $5 == "A"))' ;;
	wildcard-no-proof) strip '$1 == "*.w." z && ($4 == "NSEC" || ($4 == "RRSIG" && $5 == "NSEC"))' ;;
	no-rrsigs) strip '$4 == "RRSIG"' ;;
	# dnssec-signzone 9.18 already signs the data with the algorithm-8 ZSK alone and the DNSKEY
	# RRset with both keys: the shape of the case. Check that it still does ($6: algorithm).
	alg-rollover)
		awk '$4 == "RRSIG" && $6 == 13 && $5 != "DNSKEY" { bad = 1 } END { exit bad }' \
			"$served" || { echo "alg-rollover: the signer signed data with the KSK" >&2; exit 1; } ;;
	orig-ttl)
		awk -v z="$zone" '$1 == z && $4 == "A" { $2 = 3600 } { print }' "$served" >"$served.tmp"
		mv "$served.tmp" "$served" ;;
	rsasha1) ds_lines=$(dnssec-dsfromkey -1 "$dir/$ksk.key"; ds_line "$dir/$ksk.key") ;;
	ds-zsk) ds_lines=$(ds_line "$dir/$zsk.key") ;;
	ds-extra)
		ds_lines=$(discarded_ds "$zone" ECDSAP256SHA256; ds_line "$dir/$ksk.key")
		extra=$(jq -cn --argjson k "$(discarded_ds_key)" '{discardedKeys: [$k]}') ;;
	ds-gost)
		# Digest type 3 (GOST R 34.11-94, 32 bytes) over random bytes: no lab validator has it.
		ds_lines=$(awk -v d="$(openssl rand -hex 32 | tr a-f A-F)" '{ $6 = 3; $7 = d; print }' \
			<<<"$ds_lines") ;;
	ds-mismatch)
		# Change one hex digit of the digest (the 10th), keeping tag and algorithm.
		ds_lines=$(awk '{ d = $NF; c = substr(d, 10, 1)
			r = (c == "A") ? "B" : "A"
			$NF = substr(d, 1, 9) r substr(d, 11); print }' <<<"$ds_lines") ;;
	ds-stale)
		ds_lines=$(discarded_ds "$zone" ECDSAP256SHA256)
		extra=$(jq -cn --argjson k "$(discarded_ds_key)" '{discardedKeys: [$k]}') ;;
	unsigned)
		ds_lines=$(discarded_ds "$zone" ECDSAP256SHA256)
		extra=$(jq -cn --argjson k "$(discarded_ds_key)" '{discardedKeys: [$k]}') ;;
	ds-unknown-alg)
		# The KSK's DS with its algorithm field (the 5th) set to an unassigned number.
		ds_lines=$(awk '{ $5 = 100; print }' <<<"$ds_lines") ;;
	unsigned-answer)
		# Delete the apex's RRSIG covering A (one line each in -O full output).
		awk -v z="$zone" '!($1 == z && $3 == "IN" && $4 == "RRSIG" && $5 == "A")' \
			"$served" >"$served.tmp"
		mv "$served.tmp" "$served" ;;
	bad-sig)
		# Change one base64 character in the middle of the apex A RRSIG's signature.
		awk -v z="$zone" '
			$1 == z && $3 == "IN" && $4 == "RRSIG" && $5 == "A" {
				# Fields 13 onward are the signature, which -O full splits at a space.
				s = ""; for (i = 13; i <= NF; i++) s = s $i
				m = int(length(s) / 2); c = substr(s, m, 1)
				r = (c == "A") ? "B" : "A"
				s = substr(s, 1, m - 1) r substr(s, m + 1)
				NF = 12; $13 = s
			}
			{ print }' "$served" >"$served.tmp"
		cmp -s "$served" "$served.tmp" && { echo "bad-sig: nothing changed" >&2; exit 1; }
		mv "$served.tmp" "$served" ;;
	stale)
		# The old copy: same keys, older serial, signatures that expired.
		write_scenario_source "$dir/source-old.db" "$zone" "$n" "$label" "$OLD_SERIAL"
		sign "$dir/source-old.db" "$dir/zone-old.db" "$zone" "$PAST_FROM" "$PAST_TO" \
			"$ksk" "$zsk" "$keydir" "$WORK" -P
		extra=$(jq -cn --arg f "$(iso "$VALID_FROM")" --arg t "$(iso "$VALID_TO")" \
			--arg of "$(iso "$PAST_FROM")" --arg ot "$(iso "$PAST_TO")" \
			--argjson s "$SERIAL" --argjson os "$OLD_SERIAL" \
			'{copies: [
			  {server: "127.0.40.13", serial: $s, inception: $f, expiration: $t,
			   file: "lab/zones/stale/zone.db"},
			  {server: "127.0.41.13", serial: $os, inception: $of, expiration: $ot,
			   file: "lab/zones/stale/zone-old.db"}]}')
		INSTANCES+=("stale 127.0.41.13 $zone stale/zone-old.db") ;;
	esac

	local ds='[]' line
	while IFS= read -r line; do
		[[ -n $line ]] && ds=$(jq -c --argjson d "$(ds_json "$line")" '. + [$d]' <<<"$ds")
	done <<<"$ds_lines"

	# Delegation in lab.test.: NS with glue, and the DS lines when there are any.
	LAB_DELEGATIONS+="$zone NS ns1.$zone"$'\n'"ns1.$zone A 127.0.40.$n"$'\n'
	if [[ -n $ns2 && $label != glue-mismatch ]]; then
		LAB_DELEGATIONS+="$zone NS ns2.$zone"$'\n'"ns2.$zone A $ns2"$'\n'
	fi
	[[ -n $ds_lines ]] && LAB_DELEGATIONS+="$ds_lines"$'\n'

	local fromarg=- toarg=-
	[[ $signed == true ]] && fromarg=$from toarg=$to
	add_zone "$zone" lab.test. "$servers" "$signed" "$denial" "$keys" "$ds" "$fromarg" "$toarg" \
		"$SERIAL" "lab/zones/$label/zone.db" \
		"$(scenario_json "$query" "$status" "$broken" "$code" "$desc" "$via" "$rcode" "$qtype" \
			"$findings" "$answer" | jq -c --arg at "$insecure_at" \
			'if $at == "" then . else .expect += {insecureAt: $at} end')" "$extra"
	case $label in
	glue-mismatch) INSTANCES+=("scenarios 127.0.40.$n,$ns2 $zone $label/zone.db") ;;
	# unbound's auth-zone with TCP off serves this one, not NSD.
	no-tcp) INSTANCES+=("notcp 127.0.40.$n $zone $label/zone.db") ;;
	# NSD serves it on 127.0.44.N behind dnsdist on 127.0.40.N (the address the NS names);
	# the dnsdist line's last field is its backend.
	not-dnssec)
		INSTANCES+=("scenarios 127.0.44.$n $zone $label/zone.db")
		INSTANCES+=("dnsdist 127.0.40.$n $zone 127.0.44.$n") ;;
	*) INSTANCES+=("scenarios 127.0.40.$n $zone $label/zone.db") ;;
	esac
	case $label in
	# A server that answers, but not for this zone (REFUSED): it serves another zone only.
	lame)
		printf '%s\n' "\$TTL 300" "elsewhere.test. SOA ns.elsewhere.test. h.elsewhere.test. 1 3600 900 1209600 300" \
			"elsewhere.test. NS ns.elsewhere.test." "ns.elsewhere.test. A $ns2" >"$dir/elsewhere.db"
		INSTANCES+=("lame $ns2 elsewhere.test. $label/elsewhere.db") ;;
	timeout | signer-stopped) INSTANCES+=("blackhole $ns2 - -") ;;
	esac
}

# child_zone ZONE N [unsigned]: a healthy child on 127.0.43.N, signed (ECDSA, NSEC) unless
# "unsigned"; prints the lines its parent needs (NS, glue, and the DS of a signed child) and
# adds the child to the manifest and the scenarios instance.
child_zone() {
	local zone=$1 n=$2 kind=${3:-signed} label=${1%%.*} parentdir keydir ksk zsk keys
	parentdir="$ZONES/${zone#*.}"
	parentdir=${parentdir%.lab.test.}
	keydir="$WORK/keys/$zone"
	mkdir -p "$keydir"
	printf '%s\n' "\$TTL 300" "$zone SOA ns1.$zone hostmaster.$zone $SERIAL 3600 900 1209600 300" \
		"$zone NS ns1.$zone" "$zone A 127.0.99.$n" "ns1.$zone A 127.0.43.$n" \
		"www.$zone A 127.0.99.$n" >"$parentdir/$label-source.db"
	local ds="" dsjson='[]' file="lab/zones/$(basename "$parentdir")/$label.db"
	if [[ $kind == unsigned ]]; then
		cp "$parentdir/$label-source.db" "$parentdir/$label.db"
		add_zone "$zone" "${zone#*.}" "[\"127.0.43.$n\"]" false null '[]' '[]' - - "$SERIAL" \
			"$file" null
	else
		ksk=$(keygen "$keydir" "$zone" ECDSAP256SHA256 KSK)
		zsk=$(keygen "$keydir" "$zone" ECDSAP256SHA256 ZSK)
		sign "$parentdir/$label-source.db" "$parentdir/$label.db" "$zone" "$VALID_FROM" \
			"$VALID_TO" "$ksk" "$zsk" "$keydir" "$WORK"
		cp "$keydir/$ksk.key" "$keydir/$zsk.key" "$parentdir/"
		keys=$(jq -cn --argjson a "$(key_json "$parentdir/$ksk.key")" \
			--argjson b "$(key_json "$parentdir/$zsk.key")" '[$a, $b]')
		ds=$(ds_line "$parentdir/$ksk.key")
		dsjson=$(jq -cn --argjson d "$(ds_json "$ds")" '[$d]')
		add_zone "$zone" "${zone#*.}" "[\"127.0.43.$n\"]" true '"NSEC"' "$keys" "$dsjson" \
			"$VALID_FROM" "$VALID_TO" "$SERIAL" "$file" null
	fi
	INSTANCES+=("scenarios 127.0.43.$n $zone $(basename "$parentdir")/$label.db")
	printf '%s\n' "$zone NS ns1.$zone" "ns1.$zone A 127.0.43.$n"
	[[ -z $ds ]] || printf '%s\n' "$ds"
}

# discarded_ds ZONE ALG: a KSK made only for its DS and thrown away (ds-stale, unsigned); prints
# the DS line. It runs in a command substitution, so the key's description goes through a file.
discarded_ds() {
	local zone=$1 alg=$2 dir=$WORK/discard base
	mkdir -p "$dir"
	base=$(keygen "$dir" "$zone" "$alg" KSK)
	key_json "$dir/$base.key" | jq -c 'del(.file)' >"$WORK/discarded.json"
	ds_line "$dir/$base.key"
	rm -f "$dir/$base.key" "$dir/$base.private"
}
discarded_ds_key() { cat "$WORK/discarded.json"; }

# --- infrastructure zones: root, test., lab.test. --------------------------------------------

# infra DIRNAME ZONE PARENT SERVERS_JSON DENIAL SOURCE_BODY [signzone args...]
# Signs an infrastructure zone with ECDSA P-256 and a ten-year window; sets INFRA_DS.
infra() {
	local dirname=$1 zone=$2 parent=$3 servers=$4 denial=$5 body=$6
	shift 6
	local dir="$ZONES/$dirname" keydir="$WORK/keys/$dirname" ksk zsk keys ds
	mkdir -p "$dir" "$keydir"
	printf '%s' "$body" >"$dir/source.db"
	ksk=$(keygen "$keydir" "$zone" ECDSAP256SHA256 KSK)
	zsk=$(keygen "$keydir" "$zone" ECDSAP256SHA256 ZSK)
	sign "$dir/source.db" "$dir/zone.db" "$zone" "$VALID_FROM" "$VALID_TO" "$ksk" "$zsk" \
		"$keydir" "$dir" "$@"
	cp "$keydir/$ksk.key" "$keydir/$zsk.key" "$dir/"
	keys=$(jq -cn --argjson a "$(key_json "$dir/$ksk.key")" \
		--argjson b "$(key_json "$dir/$zsk.key")" '[$a, $b]')
	INFRA_DS=$(ds_line "$dir/$ksk.key")
	ds=$(jq -cn --argjson d "$(ds_json "$INFRA_DS")" '[$d]')
	[[ -z $parent ]] && ds='[]'
	add_zone "$zone" "$parent" "$servers" true "$denial" "$keys" "$ds" "$VALID_FROM" \
		"$VALID_TO" "$SERIAL" "lab/zones/$dirname/zone.db" null
	INFRA_KSK="$dir/$ksk.key"
}

# The scenarios, in order: the Nth is served on 127.0.40.N. New ones go at the end, so the
# addresses of the others stay put.
SCENARIOS=(rsa ecdsa ed25519 nsec3 insecure ds-mismatch ds-stale unsigned expired future
	unsigned-answer bad-sig stale cname ds-unknown-alg nxdomain nsec3-iter
	nodata nsec-nx nsec3-no-proof nsec-bad-cover bitmap-lie nsec3-partial wildcard
	wildcard-no-proof dname cname-insecure ttl-long orig-ttl rsasha1 alg-rollover revoked ds-zsk
	cds-mismatch cds-delete ds-extra ds-gost no-rrsigs lame timeout glue-mismatch no-tcp
	parent-bogus parent-insecure signer-stopped nsec3-iter10 nsec3-iter200 not-dnssec
	nsec3-insecure-kid nsec3-optout-kid)
number_of() { # LABEL -> N
	local i
	for i in "${!SCENARIOS[@]}"; do [[ ${SCENARIOS[$i]} == "$1" ]] && echo $((i + 1)); done
	return 0
}
SIGN_EXTRA_KEYS=()

n=0
for label in "${SCENARIOS[@]}"; do
	n=$((n + 1))
	scenario "$n" "$label"
done

infra lab.test lab.test. test. '["127.0.30.1"]' '"NSEC"' "\$TTL 300
lab.test. SOA ns1.lab.test. hostmaster.lab.test. $SERIAL 3600 900 1209600 300
lab.test. NS ns1.lab.test.
ns1.lab.test. A 127.0.30.1
$LAB_DELEGATIONS"
INSTANCES+=("lab 127.0.30.1 lab.test. lab.test/zone.db")
LAB_DS=$INFRA_DS

infra test test. . '["127.0.20.1","127.0.20.2"]' '"NSEC3"' "\$TTL 300
test. SOA ns1.test. hostmaster.test. $SERIAL 3600 900 1209600 300
test. NS ns1.test.
test. NS ns2.test.
ns1.test. A 127.0.20.1
ns2.test. A 127.0.20.2
a.root-servers.test. A 127.0.10.1
b.root-servers.test. A 127.0.10.2
lab.test. NS ns1.lab.test.
ns1.lab.test. A 127.0.30.1
$LAB_DS
" -3 - -H 0
INSTANCES+=("tld 127.0.20.1,127.0.20.2 test. test/zone.db")
TEST_DS=$INFRA_DS

infra root . "" '["127.0.10.1","127.0.10.2"]' '"NSEC"' "\$TTL 300
. SOA a.root-servers.test. hostmaster.root-servers.test. $SERIAL 1800 900 604800 300
. NS a.root-servers.test.
. NS b.root-servers.test.
a.root-servers.test. A 127.0.10.1
b.root-servers.test. A 127.0.10.2
test. NS ns1.test.
test. NS ns2.test.
ns1.test. A 127.0.20.1
ns2.test. A 127.0.20.2
$TEST_DS
"
INSTANCES+=("root 127.0.10.1,127.0.10.2 . root/zone.db")
ROOT_KSK=$INFRA_KSK

# --- the lab's trust anchor and root hints ---------------------------------------------------

ROOT_DS=$(ds_line "$ROOT_KSK")
read -r _ _ _ RTAG RALG RDT RDIGEST <<<"$ROOT_DS"
echo "$ROOT_DS" >"$LAB/root-anchor.ds"
# BIND's trust-anchors syntax, for delv -a.
cat >"$LAB/root-anchor.conf" <<EOF
trust-anchors {
	. static-ds $RTAG $RALG $RDT "$RDIGEST";
};
EOF
# IANA's publication format (RFC 7958 section 2), with the lab root's KSK as the only key.
cat >"$LAB/trust-anchor.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="dnssec-doctor-lab" source="lab/trust-anchor.xml">
<Zone>.</Zone>
<KeyDigest id="lab-$RTAG" validFrom="$(iso "$VALID_FROM" | sed 's/Z$/+00:00/')">
<KeyTag>$RTAG</KeyTag>
<Algorithm>$RALG</Algorithm>
<DigestType>$RDT</DigestType>
<Digest>$RDIGEST</Digest>
</KeyDigest>
</TrustAnchor>
EOF
cat >"$LAB/root.hints" <<EOF
.                    3600000 NS a.root-servers.test.
.                    3600000 NS b.root-servers.test.
a.root-servers.test. 3600000 A  127.0.10.1
b.root-servers.test. 3600000 A  127.0.10.2
EOF

printf '%s\n' "# instance addresses zone zonefile (relative to lab/zones); written by build.sh" \
	"${INSTANCES[@]}" >"$ZONES/instances.txt"

# --- manifest ---------------------------------------------------------------------------------

printf '%s\n' "${ZONE_ENTRIES[@]}" | jq -s \
	--arg signer "$(dnssec-signzone -V 2>&1 | head -n 1)" \
	--argjson anchor "$(ds_json "$ROOT_DS")" \
	'{signer: $signer,
	  rootServers: ["127.0.10.1", "127.0.10.2"],
	  rootServerNames: {"a.root-servers.test.": "127.0.10.1",
	                    "b.root-servers.test.": "127.0.10.2"},
	  resolvers: {validating: "127.0.53.1", nonValidating: "127.0.53.11",
	             groundTruth: "127.0.53.2"},
	  trustAnchor: ($anchor + {zone: ".", files: {ds: "lab/root-anchor.ds",
	    xml: "lab/trust-anchor.xml", bind: "lab/root-anchor.conf"}}),
	  rootHints: "lab/root.hints",
	  zones: .}' >"$LAB/manifest.json"

echo "lab rebuilt: $(jq '.zones | length' "$LAB/manifest.json") zones, trust anchor $ROOT_DS"
