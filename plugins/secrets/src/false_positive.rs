//! Lines and paths that look like credentials but almost never are.

const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "placeholder",
    "your_",
    "xxx",
    "changeme",
    "todo",
    "fake",
    "dummy",
    "test_key",
    "sample",
    "<your",
    "{your",
];
const TEST_PATH_PARTS: &[&str] = &["test_", "_test.", ".test.", "fixture", "mock"];
/// A value that merely names a key (`API_KEY=my-api-key`) rather than holding one.
const KEY_NAME_WORDS: &[&str] = &[
    "api-key", "api_key", "-secret", "secret-", "-token", "token-",
];
const MAX_KEY_NAME_VALUE: usize = 40;

/// True when `line` (in the file at `relative`, a path inside the scanned tree) is a placeholder,
/// a test fixture, an elided value (`...`), a shell substitution (`$(...)`), or names a key.
pub fn is_likely_false_positive(line: &str, relative: &str) -> bool {
    let lowered = line.trim().to_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|word| lowered.contains(word)) {
        return true;
    }
    let path = relative.to_lowercase();
    if TEST_PATH_PARTS.iter().any(|part| path.contains(part)) {
        return true;
    }
    if line.contains("...") || line.contains("$(") {
        return true;
    }
    match line.split_once('=') {
        Some((_, value)) => {
            let value = value
                .trim()
                .trim_matches('"')
                .trim_matches('\'')
                .to_lowercase();
            !value.is_empty()
                && value.chars().count() < MAX_KEY_NAME_VALUE
                && KEY_NAME_WORDS.iter().any(|word| value.contains(word))
        }
        None => false,
    }
}
