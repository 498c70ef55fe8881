# shellcheck shell=bash
# The scanner tool versions SecureScan is tested with: one place, sourced by scripts/setup.sh
# (development and CI) and action/install-tools.sh (the GitHub Action in users' CI).
# shellcheck disable=SC2034 # the sourcing scripts use them
SEMGREP_VERSION="1.182.0"
BANDIT_VERSION="1.9.4"
PIP_LICENSES_VERSION="5.5.5"
CHECKOV_VERSION="3.3.30"
# safety 3 needs an account and the network; 1.x runs offline against the public advisory
# database published on PyPI (safety-db).
SAFETY_VERSION="1.10.3"
SAFETY_DB_VERSION="2021.7.17"
