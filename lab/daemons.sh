# Shared by lab/lab.sh and bench/batch-lab.sh (sourced, not run): stopping the daemons a lab
# started, by the pids it recorded, and only those.

# stop_recorded PIDS_FILE PATTERN: TERM each recorded pid whose command line still matches
# PATTERN (an extended regex: pids are reused, so a pid alone proves nothing), wait up to 5 s,
# then KILL what is left, and remove the file.
stop_recorded() {
	local pids=$1 pattern=$2 name pid live=() i
	[[ -f $pids ]] || { echo "nothing recorded in $pids"; return 0; }
	while read -r name pid; do
		if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' </proc/"$pid"/cmdline |
			grep -qE "$pattern"; then
			kill -TERM "$pid" 2>/dev/null && live+=("$pid")
		fi
	done <"$pids"
	for ((i = 0; i < 50; i++)); do
		local still=()
		for pid in "${live[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
		live=("${still[@]}")
		[[ ${#live[@]} -eq 0 ]] && break
		sleep 0.1
	done
	for pid in "${live[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
	rm -f "$pids"
}
