use serde::Serialize;

/// Finding severity, lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// A tool's severity vocabulary mapped onto [`Severity`], matched case-insensitively, with the
/// severity to use for words the table does not know.
#[derive(Debug, Clone, Copy)]
pub struct SeverityMap {
    entries: &'static [(&'static str, Severity)],
    fallback: Severity,
}

impl SeverityMap {
    pub const fn new(entries: &'static [(&'static str, Severity)], fallback: Severity) -> Self {
        SeverityMap { entries, fallback }
    }

    pub fn get(&self, word: &str) -> Severity {
        self.lookup(word).unwrap_or(self.fallback)
    }

    /// The mapped severity, or `None` for a word the table does not know (so an adapter can warn).
    pub fn lookup(&self, word: &str) -> Option<Severity> {
        let word = word.trim();
        self.entries
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(word))
            .map(|(_, severity)| *severity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: SeverityMap = SeverityMap::new(&[("ERROR", Severity::High)], Severity::Low);

    #[test]
    fn lookup_ignores_case_and_surrounding_space() {
        assert_eq!(MAP.get(" error "), Severity::High);
        assert_eq!(MAP.lookup("Error"), Some(Severity::High));
    }

    #[test]
    fn unknown_words_fall_back() {
        assert_eq!(MAP.get("bogus"), Severity::Low);
        assert_eq!(MAP.lookup("bogus"), None);
    }
}
