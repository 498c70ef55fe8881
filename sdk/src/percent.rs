//! Percent-encoding (RFC 3986 §2.1) for the places SecureScan writes text into a URL or a URL-like
//! identifier. Each place keeps a different set of characters literal on purpose, so the set is
//! the caller's to name: a query value keeps none beyond the unreserved ones, a purl qualifier
//! keeps `:` and `/` readable, a file path in a Markdown link keeps the path's sub-delimiters.

/// Bytes a query value or a purl name, namespace or version keeps as they are, beside the
/// unreserved ones (`A-Z a-z 0-9 - . _ ~`, always kept): none.
pub const QUERY_VALUE: &[u8] = b"";

/// Bytes a purl qualifier value keeps beside the unreserved ones: `:` and `/`, so that
/// `vcs_url=git%2Bhttps://…` stays readable, as the purl spec allows.
pub const PURL_QUALIFIER: &[u8] = b":/";

/// Bytes a URL path keeps beside the unreserved ones: the sub-delimiters but parentheses (which
/// would end a Markdown link), `:`, `@` and `/`.
pub const URL_PATH: &[u8] = b"!$&'*+,;=:@/";

/// `text` with every byte that is neither unreserved nor in `keep` written as `%XX` (uppercase
/// hex). Multi-byte UTF-8 characters are encoded byte by byte.
pub fn encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every printable ASCII character, then a space, a control character and a non-ASCII one.
    const SAMPLE: &str = "!\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~ \u{1}é";

    #[test]
    fn query_values_keep_only_unreserved_characters() {
        assert_eq!(
            encode(SAMPLE, QUERY_VALUE),
            "%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%20%01%C3%A9"
        );
    }

    #[test]
    fn url_paths_keep_sub_delimiters_but_not_parentheses() {
        assert_eq!(
            encode(SAMPLE, URL_PATH),
            "!%22%23$%25&'%28%29*+,-./0123456789:;%3C=%3E%3F@AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%20%01%C3%A9"
        );
    }

    #[test]
    fn purl_qualifiers_keep_colon_and_slash() {
        assert_eq!(
            encode(SAMPLE, PURL_QUALIFIER),
            "%21%22%23%24%25%26%27%28%29%2A%2B%2C-./0123456789:%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%20%01%C3%A9"
        );
    }
}
