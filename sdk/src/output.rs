use serde::Serialize;
use serde_json::Value;

use crate::Metadata;

use crate::Severity;

/// One normalized finding as an adapter reports it. The host adds identity (fingerprint, scan
/// id, scanner name) and validates every field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule_id: Option<String>,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub file: Option<String>,
    pub line_start: Option<u32>,
    pub line_end: Option<u32>,
    pub cwe: Option<String>,
    pub remediation: Option<String>,
    pub metadata: Metadata,
}

impl Finding {
    pub fn new(title: &str, description: &str, severity: Severity) -> Self {
        Finding {
            rule_id: None,
            title: title.to_string(),
            description: description.to_string(),
            severity,
            file: None,
            line_start: None,
            line_end: None,
            cwe: None,
            remediation: None,
            metadata: Metadata::default(),
        }
    }

    pub fn rule(mut self, rule_id: &str) -> Self {
        self.rule_id = Some(rule_id.to_string());
        self
    }

    pub fn file(mut self, path: &str) -> Self {
        self.file = Some(path.to_string());
        self
    }

    pub fn lines(mut self, start: u32, end: u32) -> Self {
        self.line_start = Some(start);
        self.line_end = Some(end);
        self
    }

    /// Sets the CWE, which must already be `CWE-<n>` (the host refuses other forms): pass
    /// `normalize_cwe(raw)` for whatever the tool printed.
    pub fn cwe(mut self, cwe: Option<String>) -> Self {
        self.cwe = cwe;
        self
    }

    pub fn remediation(mut self, text: &str) -> Self {
        self.remediation = Some(text.to_string());
        self
    }

    pub fn meta(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.metadata.insert(key, value.into());
        self
    }
}

/// What one parse produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Output {
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

impl Output {
    /// Adds a finding. In the sandbox, every full page of findings is handed to the host at once
    /// (the `sink` import), so an adapter streaming a large report never holds all of its findings;
    /// natively (in tests) they all stay in `findings`. Either way the host sees every finding in
    /// the order it was pushed. After `push`, treat `findings` as write-only: in the sandbox it
    /// holds only the findings not yet handed over.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
        #[cfg(target_arch = "wasm32")]
        if self.findings.len() >= crate::__private::PAGE {
            crate::__private::submit(self.findings.drain(..));
        }
    }
}

impl FromIterator<Finding> for Output {
    fn from_iter<I: IntoIterator<Item = Finding>>(iter: I) -> Self {
        Output {
            findings: iter.into_iter().collect(),
            warnings: Vec::new(),
        }
    }
}
