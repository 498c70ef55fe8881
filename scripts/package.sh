#!/usr/bin/env bash
# Build the release archive of SecureScan for one Linux target, the same bytes for the same commit:
#
#   securescan-v<VERSION>-<ARCH>-unknown-linux-gnu.tar.gz
#     securescan-v<VERSION>-<ARCH>-unknown-linux-gnu/
#       securescan            the binary
#       adapters/*.wasm       the registry's adapter components, checked against registry.toml's pins
#       LICENSE  README.md
#
# plus SHA256SUMS (sha256sum format) over the archives of this version in the output directory.
# The binary finds `adapters/` beside itself, so the directory works wherever it is unpacked.
# The GitHub Action downloads exactly this asset name and SHA256SUMS from the release of its version.
#
# Usage: scripts/package.sh [--target TRIPLE] [--out DIR] [--binary FILE] [--adapters DIR]
#        scripts/package.sh --print-version
#
#   --target TRIPLE  x86_64-unknown-linux-gnu or aarch64-unknown-linux-gnu. Given, the binary is
#                    built with `cargo build --target TRIPLE` (own build directory, source and cargo
#                    home paths remapped out of it, as the release workflow does). Default: the host's
#                    triple, and the ordinary release build (`cargo build --release -p securescan`,
#                    what scripts/setup.sh builds) is reused.
#   --out DIR        Where the archive and SHA256SUMS go (default: dist/ in the source tree).
#   --binary FILE    Package this already built binary instead of building one.
#   --adapters DIR   Take the components from DIR instead of running `securescan adapter build`
#                    (which writes them to <cargo target dir>/adapters).
#   --print-version  Print the version the archive is named after (Cargo.toml's) and exit.
#
# Reproducibility: entries sorted by name, owner and group 0, modes 0755/0644, every mtime set to
# SOURCE_DATE_EPOCH (default: the time of the commit checked out), gzip without name or time.
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { printf 'package.sh: %s\n' "$*" >&2; exit 2; }
say() { printf '==> %s\n' "$*" >&2; }

TARGET="" OUT="$ROOT/dist" BINARY="" ADAPTERS="" PRINT_VERSION=0
while [ $# -gt 0 ]; do
    case "$1" in
        --target) TARGET="${2:?--target needs a triple}"; shift 2 ;;
        --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
        --binary) BINARY="${2:?--binary needs a file}"; shift 2 ;;
        --adapters) ADAPTERS="${2:?--adapters needs a directory}"; shift 2 ;;
        --print-version) PRINT_VERSION=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

# Paths given relative to where the script was started from, before it moves to the source tree.
OUT="$(realpath -m -- "$OUT")"
[ -z "$BINARY" ] || BINARY="$(realpath -m -- "$BINARY")"
[ -z "$ADAPTERS" ] || ADAPTERS="$(realpath -m -- "$ADAPTERS")"

cd "$ROOT"
VERSION="$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)"
[ -n "$VERSION" ] || die "no version in [workspace.package] of Cargo.toml"
if [ "$PRINT_VERSION" = 1 ]; then
    printf '%s\n' "$VERSION"
    exit 0
fi

EXPLICIT_TARGET="$TARGET"
if [ -z "$TARGET" ]; then
    TARGET="$(uname -m)-unknown-linux-gnu"
fi
case "$TARGET" in
    x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu) ;;
    *) die "unsupported target $TARGET (x86_64-unknown-linux-gnu or aarch64-unknown-linux-gnu)" ;;
esac
NAME="securescan-v${VERSION}-${TARGET}"
# Only a binary for this machine can be run here to check it.
RUNNABLE=0
[ "${TARGET%%-*}" = "$(uname -m)" ] && RUNNABLE=1

EPOCH="${SOURCE_DATE_EPOCH:-}"
if [ -z "$EPOCH" ]; then
    EPOCH="$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null)" \
        || die "not a git checkout: set SOURCE_DATE_EPOCH to the release's timestamp"
fi
case "$EPOCH" in '' | *[!0-9]*) die "SOURCE_DATE_EPOCH must be seconds since 1970, not \"$EPOCH\"" ;; esac

target_dir() {
    cargo metadata --format-version 1 --no-deps \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

if [ -z "$BINARY" ]; then
    if [ -n "$EXPLICIT_TARGET" ]; then
        say "building securescan $VERSION for $TARGET"
        # The same remapping `securescan adapter build` applies to the adapters: the binary must not
        # depend on where the tree or the cargo home is. RUSTFLAGS would replace these flags.
        cargo_home="${CARGO_HOME:-$HOME/.cargo}"
        flags_var="CARGO_TARGET_$(printf '%s' "$TARGET" | tr 'a-z-' 'A-Z_')_RUSTFLAGS"
        env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS \
            "$flags_var=--remap-path-prefix=$ROOT=/securescan --remap-path-prefix=$cargo_home=/cargo" \
            cargo build --release --locked -p securescan --target "$TARGET"
        BINARY="$(target_dir)/$TARGET/release/securescan"
    else
        say "building securescan $VERSION (the ordinary release build)"
        cargo build --release --locked -p securescan
        BINARY="$(target_dir)/release/securescan"
    fi
fi
[ -x "$BINARY" ] || die "no executable binary at $BINARY"

if [ -z "$ADAPTERS" ]; then
    [ "$RUNNABLE" = 1 ] || die "cannot run a $TARGET binary here to build the adapters: pass --adapters DIR"
    say "building the adapters"
    # Builds and checks every component against its pin (exit 3 on a mismatch).
    "$BINARY" adapter build --workspace "$ROOT" >/dev/null
    ADAPTERS="$(target_dir)/adapters"
fi
[ -d "$ADAPTERS" ] || die "no adapter directory $ADAPTERS"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
DIR="$STAGE/$NAME"
mkdir -p "$DIR/adapters"

# Exactly the components registry.toml lists, each checked against its pin, whatever else lies in
# the directory. Checked here with sha256 (as the host does), so it holds for a binary that cannot
# run on this machine too.
python3 - "$ROOT/registry.toml" "$ADAPTERS" "$DIR/adapters" <<'PY'
import hashlib, pathlib, shutil, sys, tomllib
registry, source, dest = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
with open(registry, "rb") as f:
    adapters = tomllib.load(f)["adapter"]
bad = []
for entry in adapters:
    path = source / entry["component"]
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as err:
        bad.append(f"{entry['id']}: {err}")
        continue
    if digest != entry["sha256"]:
        bad.append(f"{entry['id']}: {path} has sha256 {digest}, registry.toml pins {entry['sha256']}")
        continue
    shutil.copyfile(path, dest / entry["component"])
if bad:
    sys.exit("package.sh: adapter components do not match registry.toml:\n  " + "\n  ".join(bad))
PY
cp "$BINARY" "$DIR/securescan"
cp LICENSE README.md "$DIR/"
find "$DIR" -type d -exec chmod 0755 {} +
find "$DIR" -type f -exec chmod 0644 {} +
chmod 0755 "$DIR/securescan"

if [ "$RUNNABLE" = 1 ]; then
    # The unpacked layout, checked by the binary itself: the pins built into it, the components
    # beside it, and their ABI. No adapter directory from the environment may stand in.
    env -u SECURESCAN_ADAPTER_DIR "$DIR/securescan" adapter verify >/dev/null \
        || die "the packaged binary rejects the packaged adapters (was it built from this tree?)"
    reported="$("$DIR/securescan" --version)"
    [ "$reported" = "securescan $VERSION" ] || die "the binary says \"$reported\", Cargo.toml says $VERSION"
fi

mkdir -p "$OUT"
ARCHIVE="$OUT/$NAME.tar.gz"
tar --create --format=gnu --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime="@$EPOCH" --directory="$STAGE" "$NAME" \
    | gzip -9 -n >"$ARCHIVE.partial"
mv "$ARCHIVE.partial" "$ARCHIVE"

(
    cd "$OUT"
    sha256sum securescan-v"$VERSION"-*-unknown-linux-gnu.tar.gz >SHA256SUMS.partial
    mv SHA256SUMS.partial SHA256SUMS
)
say "wrote $ARCHIVE and $OUT/SHA256SUMS"
printf '%s\n' "$ARCHIVE"
