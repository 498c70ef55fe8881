//! What suppressed a finding, stamped into its metadata by the host (`metadata.suppressed_by`,
//! and `metadata.suppression_reason` when the mark gives one), and the comment syntax a file's
//! suppression marks follow.

use serde_json::Value;

use crate::Finding;

/// Which mechanism silenced a finding, as `metadata.suppressed_by` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressedBy {
    Inline,
    Config,
    /// The finding's fingerprint is in the `--baseline` file.
    Baseline,
}

impl SuppressedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressedBy::Inline => "inline",
            SuppressedBy::Config => "config",
            SuppressedBy::Baseline => "baseline",
        }
    }
}

/// Whether the host suppressed this finding (it carries a `suppressed_by` stamp): suppressed
/// findings are never counted, scored or gated on.
pub fn is_suppressed(finding: &Finding) -> bool {
    finding.metadata.contains_key(SUPPRESSED_BY)
}

/// The mechanism that suppressed this finding (`inline`, `config`, `baseline`), if any.
pub fn suppressed_by(finding: &Finding) -> Option<String> {
    match finding.metadata.get(SUPPRESSED_BY) {
        Value::String(by) => Some(by),
        _ => None,
    }
}

const SUPPRESSED_BY: &str = "suppressed_by";
const SUPPRESSION_REASON: &str = "suppression_reason";

/// Stamp `finding` as suppressed by `by`, with the comment's reason when there is one.
pub fn stamp(finding: &mut Finding, by: SuppressedBy, reason: Option<&str>) {
    finding
        .metadata
        .insert(SUPPRESSED_BY, Value::from(by.as_str()));
    if let Some(reason) = reason {
        finding
            .metadata
            .insert(SUPPRESSION_REASON, Value::from(reason));
    }
}

/// Drop stamps a finding arrived with: only the host decides what is suppressed, so a tool report
/// (or an old snapshot) cannot hide a finding the current rules keep.
pub fn clear_stamps(finding: &mut Finding) {
    finding.metadata.remove(SUPPRESSED_BY);
    finding.metadata.remove(SUPPRESSION_REASON);
}

/// The comment prefixes a file's marks may follow, by its name: only lines holding one of them
/// are examined. Block comments count where the language has them; unknown types accept all.
pub fn comment_prefixes(path: &str) -> &'static [&'static str] {
    const HASH: &[&str] = &["#"];
    const SLASHES: &[&str] = &["//", "/*"];
    const DASHES: &[&str] = &["--", "/*"];
    const ANY: &[&str] = &["#", "//", "--", "/*"];
    let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
    let stem = name.split('.').next().unwrap_or(&name);
    const HASH_NAMES: [&str; 6] = [
        "dockerfile",
        "containerfile",
        "makefile",
        "gnumakefile",
        "rakefile",
        "gemfile",
    ];
    if HASH_NAMES.contains(&name.as_str()) || HASH_NAMES.contains(&stem) {
        return HASH;
    }
    let Some((_, extension)) = name.rsplit_once('.') else {
        return ANY;
    };
    match extension {
        "py" | "rb" | "sh" | "bash" | "zsh" | "yml" | "yaml" | "toml" | "ini" | "cfg" | "conf"
        | "tf" | "tfvars" | "dockerfile" | "pl" | "pm" | "r" => HASH,
        "js" | "mjs" | "cjs" | "ts" | "jsx" | "tsx" | "go" | "java" | "kt" | "kts" | "rs" | "c"
        | "cc" | "cpp" | "cxx" | "h" | "hpp" | "hh" | "swift" | "scala" | "groovy" | "dart"
        | "cs" | "php" => SLASHES,
        "sql" | "lua" | "hs" | "elm" | "ada" => DASHES,
        _ => ANY,
    }
}
