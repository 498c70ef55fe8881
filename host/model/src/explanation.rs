use std::collections::BTreeMap;

/// What a language model wrote about one finding: why it matters and how to fix it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    pub explanation: String,
    /// Empty when the model gave none.
    pub remediation: String,
}

/// AI-written explanations of a scan's findings, by fingerprint. Kept beside the findings, never
/// in them: only the human reports (text, html) show them, so no machine output, fingerprint or
/// scan id can depend on what a model answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanations {
    by_fingerprint: BTreeMap<String, Explanation>,
}

impl Explanations {
    pub fn insert(&mut self, fingerprint: String, explanation: Explanation) {
        self.by_fingerprint.insert(fingerprint, explanation);
    }

    pub fn get(&self, fingerprint: &str) -> Option<&Explanation> {
        self.by_fingerprint.get(fingerprint)
    }

    pub fn len(&self) -> usize {
        self.by_fingerprint.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_fingerprint.is_empty()
    }
}
