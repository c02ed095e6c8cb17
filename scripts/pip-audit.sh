#!/usr/bin/env bash
# pip-audit on the locked dependencies; advisories in audit-accept.txt need a reason each.
set -euo pipefail
cd "$(dirname "$0")/.."
ignores=()
while IFS= read -r line; do
  line="${line%%$'\r'}"
  [[ -z "$line" || "$line" == \#* ]] && continue
  id="${line%% *}"
  if [[ "$line" != *" # "?* ]]; then
    echo "audit-accept.txt: $id has no reason; write one after ' # '" >&2
    exit 1
  fi
  ignores+=(--ignore-vuln "$id")
done < audit-accept.txt
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
.venv/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip --progress-spinner off \
  "${ignores[@]}" >"$report" 2>&1 || status=$?
grep -v "could not be audited" "$report" || true
skipped=$(grep -c "could not be audited" "$report" || true)
if [ "$skipped" -gt 0 ]; then
  # The vulnerability service did not answer for these; say so loudly rather than pass quietly.
  echo "WARNING: pip-audit could not check $skipped locked packages (vulnerability service unreachable)" >&2
fi
exit "$status"
