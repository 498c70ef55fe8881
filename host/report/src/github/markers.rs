//! Upsert markers (§12.5–§12.7). The GitHub Action finds its previous PR comment by the first-line
//! marker and its previous review comments by `<!-- securescan:fp:<12 hex> -->`, so these strings
//! are a compatibility contract: changing a byte orphans every comment already posted.

/// First line of the PR comment `diff` renders.
pub const DIFF_COMMENT: &str = "<!-- securescan:diff -->";
/// First line of the PR comment `compare` renders.
pub const COMPARE_COMMENT: &str = "<!-- securescan:compare -->";
/// First line of the body of the review `diff` renders.
pub const DIFF_REVIEW: &str = "<!-- securescan:diff-review -->";
/// First line of the body of the review `compare` renders.
pub const COMPARE_REVIEW: &str = "<!-- securescan:compare-review -->";

/// How many fingerprint characters a review comment's marker carries.
const PREFIX_LEN: usize = 12;

/// The marker's form of a fingerprint: its first 12 characters, lowercased. `None` unless the
/// fingerprint is at least 12 hex digits; the original raised there, but a finding without a
/// usable identity should lose only its marker, not the whole review.
fn fingerprint_prefix(fingerprint: &str) -> Option<String> {
    let lower = fingerprint.to_lowercase();
    let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    (lower.chars().count() >= PREFIX_LEN && lower.chars().all(hex))
        .then(|| lower[..PREFIX_LEN].to_string())
}

/// `<!-- securescan:fp:<prefix> -->`, when the fingerprint has a prefix.
pub fn fingerprint_marker(fingerprint: &str) -> Option<String> {
    fingerprint_prefix(fingerprint).map(|prefix| format!("<!-- securescan:fp:{prefix} -->"))
}

/// `body` with the fingerprint's marker appended after a blank line. A body that already carries
/// a marker is returned as is, so the comment keeps the identity it was posted under.
pub fn add_fingerprint_marker(body: &str, fingerprint: &str) -> String {
    let Some(marker) = fingerprint_marker(fingerprint) else {
        return body.to_string();
    };
    if extract_fingerprint(body).is_some() {
        return body.to_string();
    }
    let separator = if body.is_empty() || body.ends_with("\n\n") {
        ""
    } else if body.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{body}{separator}{marker}")
}

/// The lowercased hex digits of the first marker in `body`, matched as the Action's
/// `<!--\s*securescan:fp:\s*([0-9a-f]+)\s*-->` (case-insensitive) does.
pub fn extract_fingerprint(body: &str) -> Option<String> {
    body.match_indices("<!--")
        .find_map(|(at, open)| marker_digits(&body[at + open.len()..]))
}

/// The digits of a marker whose `<!--` has just been consumed from `rest`.
fn marker_digits(rest: &str) -> Option<String> {
    const NAME: &str = "securescan:fp:";
    let rest = rest.trim_start();
    let name = rest.get(..NAME.len())?;
    if !name.eq_ignore_ascii_case(NAME) {
        return None;
    }
    let rest = rest[NAME.len()..].trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(rest.len());
    let (digits, rest) = rest.split_at(end);
    (!digits.is_empty() && rest.trim_start().starts_with("-->")).then(|| digits.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "698e2557ce15ec994e195553c860c23ad96c0aca421c6f271e0f799ae2a43240";
    const MARKER: &str = "<!-- securescan:fp:698e2557ce15 -->";

    #[test]
    fn the_marker_carries_the_first_twelve_hex_digits_lowercased() {
        assert_eq!(fingerprint_marker(FP).as_deref(), Some(MARKER));
        assert_eq!(
            fingerprint_prefix("ABCDEF0123456789").as_deref(),
            Some("abcdef012345")
        );
        assert_eq!(
            fingerprint_prefix("0123456789ab").as_deref(),
            Some("0123456789ab")
        );
    }

    #[test]
    fn a_fingerprint_that_is_not_twelve_hex_digits_gets_no_marker() {
        assert_eq!(fingerprint_prefix(""), None);
        assert_eq!(fingerprint_prefix("0123456789a"), None);
        assert_eq!(fingerprint_prefix("0123456789ag"), None);
        assert_eq!(fingerprint_prefix("zz3456789abcdef"), None);
        assert_eq!(fingerprint_prefix("0123456789abcdeé"), None);
        assert_eq!(add_fingerprint_marker("body", "not-hex-at-all!"), "body");
    }

    #[test]
    fn the_marker_follows_the_body_after_one_blank_line() {
        assert_eq!(add_fingerprint_marker("", FP), MARKER);
        assert_eq!(
            add_fingerprint_marker("text", FP),
            format!("text\n\n{MARKER}")
        );
        assert_eq!(
            add_fingerprint_marker("text\n", FP),
            format!("text\n\n{MARKER}")
        );
        assert_eq!(
            add_fingerprint_marker("text\n\n", FP),
            format!("text\n\n{MARKER}")
        );
    }

    #[test]
    fn a_body_that_already_has_a_marker_is_left_alone() {
        let body = "text\n\n<!-- securescan:fp:aaaaaaaaaaaa -->";
        assert_eq!(add_fingerprint_marker(body, FP), body);
    }

    #[test]
    fn extraction_accepts_the_original_spacing_and_case() {
        assert_eq!(
            extract_fingerprint(&format!("x\n{MARKER}")).as_deref(),
            Some("698e2557ce15")
        );
        assert_eq!(
            extract_fingerprint("<!--SecureScan:FP:ABCDEF-->").as_deref(),
            Some("abcdef")
        );
        assert_eq!(
            extract_fingerprint("<!--\n securescan:fp: 0a1b \t-->").as_deref(),
            Some("0a1b")
        );
    }

    #[test]
    fn extraction_takes_the_first_well_formed_marker_only() {
        let body = "<!-- other --> <!-- securescan:fp:xyz --> <!-- securescan:fp:111 --> \
                    <!-- securescan:fp:222 -->";
        assert_eq!(extract_fingerprint(body).as_deref(), Some("111"));
        assert_eq!(extract_fingerprint("<!-- securescan:fp: -->"), None);
        assert_eq!(extract_fingerprint("<!-- securescan:fp:12ab"), None);
        assert_eq!(extract_fingerprint("no marker"), None);
    }
}
