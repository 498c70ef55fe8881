# Sourced by the bench scripts: the Python original (securescan 0.11.12 from PyPI) in a scratch
# virtualenv, installed on first use (needs PyPI), so each bench runs it beside ours in the same
# run. Sets ORIGINAL_VENV; SECURESCAN_ORIGINAL_VENV overrides where it lives.
ORIGINAL_VENV="${SECURESCAN_ORIGINAL_VENV:-$HOME/.cache/securescan/original-venv}"
if [[ "$("$ORIGINAL_VENV/bin/python" -m pip show securescan 2>/dev/null | sed -n 's/^Version: //p')" != "0.11.12" ]]; then
    printf '==> installing securescan 0.11.12 into %s\n' "$ORIGINAL_VENV" >&2
    python3 -m venv "$ORIGINAL_VENV"
    "$ORIGINAL_VENV/bin/python" -m pip install --quiet --disable-pip-version-check securescan==0.11.12
fi
