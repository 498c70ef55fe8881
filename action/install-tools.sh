#!/usr/bin/env bash
# Installs the scanner tools the chosen scan types run, at the versions SecureScan is tested with
# (scripts/tool-versions.sh), each Python tool in a virtualenv of its own; a tool already on PATH
# at its pinned version is used as is. Tools not installed here (trivy, ZAP) are skipped by the
# scan, which says so. Adds the tools' directory to GITHUB_PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/tool-versions.sh
source "$here/../scripts/tool-versions.sh"
tools="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/securescan-tools"
mkdir -p "$tools/bin"

# pinned COMMAND VERSION: whether COMMAND on PATH reports VERSION.
pinned() {
    command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qw -- "$2"
}

# python_tool COMMAND VERSION SPEC...: COMMAND from a virtualenv holding SPEC..., unless pinned.
python_tool() {
    local command="$1" version="$2" venv="$tools/venv-$1"
    shift 2
    if pinned "$command" "$version"; then
        echo "$command $version is installed"
        return
    fi
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
    ln -sf "$venv/bin/$command" "$tools/bin/$command"
    echo "installed $command $version"
}

IFS=', ' read -r -a types <<<"${INPUT_SCAN_TYPES:-code}"
for type in "${types[@]}"; do
    case "$type" in
    code)
        python_tool semgrep "$SEMGREP_VERSION" "semgrep==$SEMGREP_VERSION"
        python_tool bandit "$BANDIT_VERSION" "bandit==$BANDIT_VERSION"
        ;;
    dependency)
        python_tool pip-licenses "$PIP_LICENSES_VERSION" "pip-licenses==$PIP_LICENSES_VERSION"
        python_tool safety "$SAFETY_VERSION" "safety==$SAFETY_VERSION" "safety-db==$SAFETY_DB_VERSION"
        ;;
    iac)
        python_tool checkov "$CHECKOV_VERSION" "checkov==$CHECKOV_VERSION"
        ;;
    network)
        if ! command -v nmap >/dev/null 2>&1; then
            sudo apt-get install -y -qq nmap >/dev/null
        fi
        ;;
    baseline | dast | "") ;;
    *)
        echo "::error::unknown scan type '$type' in scan-types (code, dependency, iac, baseline, dast, network)"
        exit 2
        ;;
    esac
done
echo "$tools/bin" >>"${GITHUB_PATH:-/dev/null}"
