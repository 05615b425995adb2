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
	local input=$WORK/input.$$.db
	cat "$src" "$keydir/$ksk.key" "$keydir/$zsk.key" >"$input"
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

# scenario_json QUERY STATUS BROKEN_ZONE CODE DESCRIPTION [VIA] [RCODE]
scenario_json() {
	jq -cn --arg q "$1" --arg status "$2" --arg broken "$3" --arg code "$4" --arg d "$5" \
		--arg via "${6:-}" --arg rcode "${7:-}" \
		'{query: $q, type: "A", description: $d,
		  expect: ({status: $status,
		    brokenZone: (if $broken == "" then null else $broken end),
		    code: (if $code == "" then null else $code end)}
		    + (if $via == "" then {} else {via: $via} end)
		    + (if $rcode == "" then {} else {rcode: $rcode} end))}'
}

# write_scenario_source FILE ZONE N LABEL SERIAL -> the unsigned content of a scenario zone.
write_scenario_source() {
	local file=$1 zone=$2 n=$3 label=$4 serial=$5
	{
		echo "\$TTL 300"
		echo "$zone SOA ns1.$zone hostmaster.$zone $serial 3600 900 1209600 300"
		echo "$zone NS ns1.$zone"
		[[ $label == stale ]] && echo "$zone NS ns2.$zone"
		echo "$zone A 127.0.99.$n"
		echo "$zone TXT \"scenario $label\""
		echo "ns1.$zone A 127.0.40.$n"
		[[ $label == stale ]] && echo "ns2.$zone A 127.0.41.$n"
		echo "www.$zone A 127.0.99.$n"
		# A healthy zone whose alias leads into a broken one: the broken one must be named.
		if [[ $label == cname ]]; then echo "alias.$zone CNAME www.expired.lab.test."; fi
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
	local rcode="" signer=dnssec-signzone
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
	*) echo "unknown scenario $label" >&2; exit 1 ;;
	esac

	local served="$dir/zone.db"
	if [[ $signed == true ]]; then
		local ksk zsk
		ksk=$(keygen "$keydir" "$zone" "$alg" KSK "$bits")
		zsk=$(keygen "$keydir" "$zone" "$alg" ZSK "$bits")
		if [[ $signer == ldns ]]; then
			sign_ldns "$dir/source.db" "$served" "$zone" "$from" "$to" "$ksk" "$zsk" "$keydir" \
				"$NSEC3_ITER_COUNT"
		else
			sign "$dir/source.db" "$served" "$zone" "$from" "$to" "$ksk" "$zsk" "$keydir" \
				"$dir" "${signargs[@]}"
		fi
		cp "$keydir/$ksk.key" "$keydir/$zsk.key" "$dir/"
		keys=$(jq -cn --argjson a "$(key_json "$dir/$ksk.key")" \
			--argjson b "$(key_json "$dir/$zsk.key")" '[$a, $b]')
		ds_lines=$(ds_line "$dir/$ksk.key")
	else
		cp "$dir/source.db" "$served"
	fi

	case $label in
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
	if [[ $label == stale ]]; then
		LAB_DELEGATIONS+="$zone NS ns2.$zone"$'\n'"ns2.$zone A 127.0.41.$n"$'\n'
	fi
	[[ -n $ds_lines ]] && LAB_DELEGATIONS+="$ds_lines"$'\n'

	local fromarg=- toarg=-
	[[ $signed == true ]] && fromarg=$from toarg=$to
	add_zone "$zone" lab.test. "$servers" "$signed" "$denial" "$keys" "$ds" "$fromarg" "$toarg" \
		"$SERIAL" "lab/zones/$label/zone.db" \
		"$(scenario_json "$query" "$status" "$broken" "$code" "$desc" "$via" "$rcode")" "$extra"
	INSTANCES+=("scenarios 127.0.40.$n $zone $label/zone.db")
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

n=0
for label in rsa ecdsa ed25519 nsec3 insecure ds-mismatch ds-stale unsigned expired future \
	unsigned-answer bad-sig stale cname ds-unknown-alg nxdomain nsec3-iter; do
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
