#!/usr/bin/env bash
# Installs the SecureScan release this action is pinned to (action/VERSION): the archive for this
# runner's architecture, checked against the release's SHA256SUMS before anything is unpacked.
# Never builds from source. Adds the install directory to GITHUB_PATH for the later steps.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(tr -d '[:space:]' <"$here/VERSION")"
case "$(uname -m)" in
x86_64 | amd64) arch=x86_64 ;;
aarch64 | arm64) arch=aarch64 ;;
*)
    echo "::error::SecureScan ships for x86_64 and aarch64 Linux, not $(uname -m)"
    exit 1
    ;;
esac
name="securescan-v${version}-${arch}-unknown-linux-gnu"
# github.action_repository is empty inside composite actions (actions/runner#2473); the runner
# keeps the action at _actions/OWNER/REPO/REF[/action], which names it too.
repository="${SECURESCAN_ACTION_REPOSITORY:-}"
if [ -z "$repository" ]; then
    checkout="$(dirname "${here%/action}")"
    repository="$(basename "$(dirname "$checkout")")/$(basename "$checkout")"
fi
base="${SECURESCAN_RELEASE_BASE_URL:-https://github.com/${repository}/releases/download/v${version}}"
root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/securescan/${version}/${arch}"
bin="$root/$name/securescan"

if [ ! -x "$bin" ]; then
    download="$(mktemp -d)"
    trap 'rm -rf "$download"' EXIT
    fetch() {
        # Redirects (GitHub's go to its object storage) must stay on https.
        curl --fail --silent --show-error --location --proto-redir =https --retry 3 \
            --output "$download/$1" "$base/$1"
    }
    fetch "$name.tar.gz"
    fetch SHA256SUMS
    expected="$(awk -v file="$name.tar.gz" '$2 == file || $2 == "*" file { print $1 }' "$download/SHA256SUMS")"
    actual="$(sha256sum "$download/$name.tar.gz" | cut -d ' ' -f 1)"
    if [ -z "$expected" ]; then
        echo "::error::SHA256SUMS of SecureScan v$version lists no $name.tar.gz; refusing to install"
        exit 1
    fi
    if [ "$actual" != "$expected" ]; then
        echo "::error::checksum mismatch for $name.tar.gz: SHA256SUMS says $expected, the download is $actual; refusing to install"
        exit 1
    fi
    mkdir -p "$root"
    tar -xzf "$download/$name.tar.gz" -C "$root" --no-same-owner --no-same-permissions
fi
installed="$("$bin" --version)"
if [ "$installed" != "securescan $version" ]; then
    echo "::error::$bin is '$installed', not securescan $version"
    exit 1
fi
echo "$root/$name" >>"${GITHUB_PATH:-/dev/null}"
echo "Installed $installed at $root/$name"
