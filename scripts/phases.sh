# Phase timing for scripts/test and .ci/run (sourced, not run).
#
#   phase_start NAME; ...; phase_end    prints "[phase] NAME: 12.3 s" and records it
#   phase_report                        prints every recorded phase, in order, with the total
#
# The record is the file $PHASES, shared by a script and the scripts it calls.
if [ -z "${PHASES:-}" ]; then
  PHASES=$(mktemp)
  export PHASES
  PHASES_OWNER=$$
  PHASES_T0=$(date +%s.%N)
fi
_phase_name=""
_phase_t0=0
phase_now() { date +%s.%N; }
phase_start() {
  _phase_name=$1
  _phase_t0=$(phase_now)
  printf '[phase] %s ...\n' "$_phase_name" >&2
}
phase_end() {
  local t
  t=$(awk -v a="$_phase_t0" -v b="$(phase_now)" 'BEGIN { printf "%.1f", b - a }')
  printf '[phase] %s: %s s\n' "$_phase_name" "$t" >&2
  printf '%8.1f s  %s\n' "$t" "$_phase_name" >> "$PHASES"
}
phase_report() {
  # Only the script that created the record prints it.
  [ "${PHASES_OWNER:-}" = "$$" ] || return 0
  printf '\nElapsed time per phase:\n' >&2
  cat "$PHASES" >&2
  awk -v a="$PHASES_T0" -v b="$(phase_now)" 'BEGIN { printf "%8.1f s  whole run\n", b - a }' >&2
  rm -f "$PHASES"
}
