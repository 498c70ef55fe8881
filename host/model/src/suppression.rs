//! Why the host left a finding out of the counts, the score and the gate, and the comment
//! syntax a file's suppression marks follow.

/// Which mechanism silenced a finding, as `metadata.suppressed_by` names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SuppressedBy {
    Inline,
    Config,
    /// The finding's fingerprint is in the `--baseline` file.
    Baseline,
    /// A mechanism a findings file read back names that this version does not know (another
    /// version wrote it, or a person): it still suppresses, and is shown as written.
    Recorded(String),
}

impl SuppressedBy {
    pub fn as_str(&self) -> &str {
        match self {
            SuppressedBy::Inline => "inline",
            SuppressedBy::Config => "config",
            SuppressedBy::Baseline => "baseline",
            SuppressedBy::Recorded(name) => name,
        }
    }

    /// The mechanism a findings file names.
    pub fn parse(name: &str) -> SuppressedBy {
        [
            SuppressedBy::Inline,
            SuppressedBy::Config,
            SuppressedBy::Baseline,
        ]
        .into_iter()
        .find(|by| by.as_str() == name)
        .unwrap_or_else(|| SuppressedBy::Recorded(name.to_string()))
    }
}

impl std::fmt::Display for SuppressedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the host left a finding out of the counts, the score and the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub by: SuppressedBy,
    /// The inline comment's reason, when it gives one.
    pub reason: Option<String>,
}

impl Suppression {
    /// A suppression with no reason given.
    pub fn by(by: SuppressedBy) -> Suppression {
        Suppression { by, reason: None }
    }
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
