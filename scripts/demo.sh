#!/usr/bin/env bash
# Set up (idempotently) and scan the shipped vulnerable example with the real semgrep, bandit and
# the built-in secrets analyzer. Embedded: no server, no database.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

printf '==> scanning examples/vulnerable-app\n' >&2
"$SECURESCAN_BIN" scan examples/vulnerable-app --type code --semgrep-config rules/semgrep-python.yml "$@"
