#!/usr/bin/env bash
# The action: scan the pull request's base and head commits (each in a worktree of its own),
# `securescan diff` the two snapshots into the comment, the review, the SARIF and the JSON (all
# within GitHub's limits), post them, and exit with the diff's verdict: 4 when a NEW unsuppressed
# finding is at or above fail-on-severity, 3 when a scanner failed, else 0. Posting never changes
# the exit code: an API call that fails is a warning.
set -uo pipefail

fail() {
    echo "::error::$*"
    exit 2
}
warn() { echo "::warning::$*"; }
enabled() { [ "$1" = "true" ]; }

event="${GITHUB_EVENT_PATH:-/dev/null}"
from_event() { jq -r "$1 // empty" "$event" 2>/dev/null; }
pr="$(from_event .pull_request.number)"
base="${INPUT_BASE_REF:-$(from_event .pull_request.base.sha)}"
head="${INPUT_HEAD_REF:-$(from_event .pull_request.head.sha)}"
head="${head:-${GITHUB_SHA:-}}"
[ -n "$base" ] || fail "no base ref: run on pull_request, or set base-ref"
[ -n "$head" ] || fail "no head ref: set head-ref"

mode="${INPUT_PR_MODE:-summary}"
case "$mode" in
summary | inline | both) ;;
*)
    warn "unknown pr-mode '$mode'; using summary"
    mode=summary
    ;;
esac
threshold="${INPUT_FAIL_ON_SEVERITY:-none}"
case "$threshold" in
none | critical | high | medium | low) ;;
*) fail "fail-on-severity must be none, critical, high, medium or low, not '$threshold'" ;;
esac

base_sha="$(git rev-parse --verify --quiet "$base^{commit}")" || fail "base ref '$base' is not a commit here (checkout with fetch-depth: 0)"
head_sha="$(git rev-parse --verify --quiet "$head^{commit}")" || fail "head ref '$head' is not a commit here"

out="${RUNNER_TEMP:-$(mktemp -d)}/securescan"
rm -rf "$out"
mkdir -p "$out"
IFS=', ' read -r -a scan_types <<<"${INPUT_SCAN_TYPES:-code}"
type_flags=()
for type in "${scan_types[@]}"; do
    [ -n "$type" ] && type_flags+=(--type "$type")
done

# snapshot SIDE SHA: the findings of commit SHA, scanned in a worktree of its own.
scanner_failed=false
snapshot() {
    local tree="$out/tree-$1" status=0
    git worktree add --quiet --detach "$tree" "$2" || fail "cannot check out $2"
    (cd "$tree" && securescan scan . "${type_flags[@]}" --no-save -o json --output-file "$out/$1.json") || status=$?
    git worktree remove --force "$tree"
    case "$status" in
    0 | 4) ;;
    3) scanner_failed=true ;;
    *) fail "the $1 scan ($2) failed with exit code $status" ;;
    esac
}
snapshot base "$base_sha"
snapshot head "$head_sha"

run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
diff_flags=(diff . --base-snapshot "$out/base.json" --head-snapshot "$out/head.json"
    --github-limits --sha "$head_sha" --base-sha "$base_sha" --fail-on-severity "$threshold")
[ -n "${GITHUB_RUN_ID:-}" ] && diff_flags+=(--details-url "$run_url")
[ -n "${INPUT_BASELINE:-}" ] && diff_flags+=(--baseline "$INPUT_BASELINE")

verdict=0
securescan "${diff_flags[@]}" -o json --output-file "$out/changes.json" || verdict=$?
case "$verdict" in
0 | 4) ;;
*) fail "securescan diff failed with exit code $verdict" ;;
esac
securescan "${diff_flags[@]}" -o sarif --output-file "$out/diff.sarif" >/dev/null || true
securescan "${diff_flags[@]}" -o github-pr-comment --output-file "$out/comment.md" >/dev/null || true
new="$(jq '.new | map(select(.metadata.suppressed_by == null)) | length' "$out/changes.json")"

if [ -n "$pr" ] && [ "$mode" != inline ] && enabled "${INPUT_COMMENT_ON_PR:-true}"; then
    securescan github comment --pr "$pr" --body "$out/comment.md" ||
        warn "the PR comment could not be posted (see above); the verdict stands"
fi
if [ -n "$pr" ] && [ "$mode" != summary ]; then
    review_flags=(-o github-review --output-file "$out/review.json" --review-event "${INPUT_REVIEW_EVENT:-COMMENT}")
    enabled "${INPUT_INLINE_SUGGESTIONS:-true}" || review_flags+=(--no-suggestions)
    if securescan "${diff_flags[@]}" "${review_flags[@]}" >/dev/null || [ -s "$out/review.json" ]; then
        securescan github review --pr "$pr" --review "$out/review.json" --changes "$out/changes.json" ||
            warn "the review could not be posted (see above); the verdict stands"
    fi
fi
if enabled "${INPUT_UPLOAD_SARIF:-true}"; then
    securescan github upload-sarif --sarif "$out/diff.sarif" --commit-sha "${GITHUB_SHA:-$head_sha}" \
        --ref "${GITHUB_REF:-}" || warn "the SARIF upload failed (see above); the verdict stands"
fi

{
    echo "new-findings=$new"
    echo "report-dir=$out"
    echo "sarif-file=$out/diff.sarif"
} >>"${GITHUB_OUTPUT:-/dev/null}"

if [ "$verdict" = 4 ]; then
    echo "::error::$new new finding(s); at least one is at or above fail-on-severity ($threshold)"
    exit 4
fi
if [ "$scanner_failed" = true ]; then
    echo "::error::a scanner failed on the base or the head commit (see above): the diff is incomplete"
    exit 3
fi
echo "$new new finding(s), none at or above fail-on-severity ($threshold)"
