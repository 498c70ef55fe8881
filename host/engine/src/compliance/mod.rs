//! Compliance tagging: which framework controls (OWASP Top 10, CIS Controls, PCI DSS, SOC 2) a
//! finding touches, and per framework which controls the findings of a scan violate.
//!
//! A finding is matched by its CWE, by its scanner's rule id, and by keywords in its title and
//! description against one JSON file per framework ([`data`]). Tags are namespaced by each
//! framework's `tag_prefix` (`OWASP-A03`, `CIS-16`, `PCI-DSS-6.2.4`, `SOC2-CC7.1`). The four
//! frameworks are built in; a directory of user files can replace them or add more.
//!
//! This is a coverage indicator, not a certification: a tag says a finding touches a control,
//! and a clear control only means no finding touched it.

mod coverage;
mod data;
mod matcher;
#[cfg(test)]
mod testing;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use coverage::{FrameworkCoverage, ViolatedControl};

use crate::findings::Finding;
use crate::limited_read::read_limited_text;
use data::{BUILTIN, Framework, parse_framework};
use matcher::Index;

/// The largest framework mapping file read from the user's compliance directory.
const MAX_MAPPING_FILE_BYTES: u64 = 16 << 20;

/// The loaded frameworks and the lookup tables over all of them. Load once, share read-only.
#[derive(Debug)]
pub struct ComplianceMapper {
    frameworks: Vec<Framework>,
    index: Index,
}

/// [`ComplianceMapper::tags`], remembered for findings alike in everything tagging reads. A
/// scanner reports one rule, with one text, many times (W1: 20,000 results of 1,000 rules), and
/// tagging lowercases and looks up every word of that text.
#[derive(Debug)]
pub struct TagMemo<'m, 'f> {
    mapper: &'m ComplianceMapper,
    seen: HashMap<TagInputs<'f>, Vec<String>>,
}

/// Everything [`Index::tag_finding`] reads of a finding, when it has no `metadata.cwes` list.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TagInputs<'f> {
    scanner: &'f str,
    rule_id: Option<&'f str>,
    cwe: Option<&'f str>,
    title: &'f str,
    description: &'f str,
}

impl<'f> TagMemo<'_, 'f> {
    pub fn tags(&mut self, finding: &'f Finding) -> Vec<String> {
        // A `cwes` list is one more input: rare (npm-audit), so not worth a key of its own.
        if finding.metadata.contains_key("cwes") {
            return self.mapper.tags(finding);
        }
        let inputs = TagInputs {
            scanner: &finding.scanner,
            rule_id: finding.rule_id.as_deref(),
            cwe: finding.cwe.as_deref(),
            title: &finding.title,
            description: &finding.description,
        };
        let mapper = self.mapper;
        self.seen
            .entry(inputs)
            .or_insert_with(|| mapper.tags(finding))
            .clone()
    }
}

/// What `GET /compliance/frameworks` and reports show about a framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkInfo {
    /// File stem, e.g. `pci-dss-v4`.
    pub id: String,
    pub name: String,
    pub version: String,
    pub total_controls: usize,
    /// What every tag of this framework starts with, e.g. `PCI-DSS-`.
    pub tag_prefix: String,
    /// The public document the mapping follows, when the file says.
    pub source: Option<String>,
}

/// A compliance mapping that cannot be used; the message names the file and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ComplianceError(String);

impl ComplianceMapper {
    /// The built-in frameworks (OWASP, CIS, PCI DSS, SOC 2, in that order), then every `*.json`
    /// in `user_dir` by file name: a file whose stem is a built-in id replaces that framework in
    /// place, any other is added after the built-ins.
    ///
    /// Errors name the file and what is wrong with it; a `user_dir` that does not exist is an
    /// error too, since the user asked for it. Two frameworks giving out the same tag is an
    /// error: their controls would be indistinguishable in findings and coverage.
    pub fn load(user_dir: Option<&Path>) -> Result<ComplianceMapper, ComplianceError> {
        Self::load_frameworks(user_dir).map_err(ComplianceError)
    }

    fn load_frameworks(user_dir: Option<&Path>) -> Result<ComplianceMapper, String> {
        let mut loaded: Vec<(Framework, String)> = Vec::new();
        for (id, text) in BUILTIN {
            let origin = format!("built-in {id}.json");
            loaded.push((parse_framework(id, &origin, text)?, origin));
        }
        if let Some(dir) = user_dir {
            for (path, id) in user_files(dir)? {
                let origin = path.display().to_string();
                let text = read_limited_text(&path, MAX_MAPPING_FILE_BYTES, "a compliance mapping")
                    .map_err(|e| format!("{origin}: {e}"))?;
                let framework = parse_framework(&id, &origin, &text)?;
                match loaded.iter_mut().find(|(f, _)| f.id == id) {
                    Some(slot) => *slot = (framework, origin),
                    None => loaded.push((framework, origin)),
                }
            }
        }
        check_tags_are_unique(&loaded)?;
        let frameworks: Vec<Framework> = loaded.into_iter().map(|(f, _)| f).collect();
        let index = Index::build(&frameworks);
        Ok(ComplianceMapper { frameworks, index })
    }

    /// The finding's tags, sorted (digit runs by value, so `CIS-2` before `CIS-10`) and without
    /// repeats.
    pub fn tags(&self, finding: &Finding) -> Vec<String> {
        self.index.tag_finding(finding)
    }

    /// A [`TagMemo`] over this mapper, for tagging many findings in one pass.
    pub fn memo(&self) -> TagMemo<'_, '_> {
        TagMemo {
            mapper: self,
            seen: HashMap::new(),
        }
    }

    /// One entry per framework, in framework order, from the findings' `compliance_tags`;
    /// suppressed findings do not count.
    pub fn coverage(&self, findings: &[Finding]) -> Vec<FrameworkCoverage> {
        coverage::coverage(&self.frameworks, findings)
    }

    pub fn frameworks(&self) -> Vec<FrameworkInfo> {
        self.frameworks
            .iter()
            .map(|f| FrameworkInfo {
                id: f.id.clone(),
                name: f.name.clone(),
                version: f.version.clone(),
                total_controls: f.controls.len(),
                tag_prefix: f.tag_prefix.clone(),
                source: f.source.clone(),
            })
            .collect()
    }
}

/// `*.json` files in `dir` with their stems, sorted by file name so the result does not depend
/// on the file system's listing order.
fn user_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let entries = fs::read_dir(dir).map_err(|e| {
        format!(
            "compliance data directory {}: cannot read it: {e}",
            dir.display()
        )
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("compliance data directory {}: {e}", dir.display()))?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") || !path.is_file() {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                format!(
                    "{}: the file name must be a UTF-8 framework id followed by .json",
                    path.display()
                )
            })?
            .to_string();
        files.push((path, stem));
    }
    files.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    Ok(files)
}

fn check_tags_are_unique(loaded: &[(Framework, String)]) -> Result<(), String> {
    for (at, (framework, origin)) in loaded.iter().enumerate() {
        for control in &framework.controls {
            if let Some((other, other_origin)) = loaded[..at]
                .iter()
                .find(|(f, _)| f.controls.iter().any(|c| c.tag == control.tag))
            {
                return Err(format!(
                    "{origin}: tag {:?} is also a tag of framework {:?} ({other_origin}); use another tag_prefix",
                    control.tag, other.id
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::compliance::testing::finding;

    fn builtin() -> ComplianceMapper {
        ComplianceMapper::load(None).unwrap()
    }

    fn has(tags: &[String], expected: &[&str]) -> bool {
        expected.iter().all(|e| tags.iter().any(|t| t == e))
    }

    const CUSTOM: &str = r#"{"framework":"Custom","version":"1","tag_prefix":"CUSTOM-",
        "controls":{"1":{"name":"One","keywords":["frobnicate"]}}}"#;

    #[test]
    fn the_memo_tags_as_the_mapper_does_whichever_input_differs() {
        let dir = tempfile::tempdir().unwrap();
        let framework = r#"{"framework":"X","version":"1","tag_prefix":"X-","controls":{
            "1":{"name":"a","rules":{"bandit":["B105"]}},
            "2":{"name":"b","cwes":["CWE-89"]},
            "3":{"name":"c","keywords":["frobnicate"]},
            "4":{"name":"d","rules":{"semgrep":["B105"]}}}}"#;
        fs::write(dir.path().join("x.json"), framework).unwrap();
        let mapper = ComplianceMapper::load(Some(dir.path())).unwrap();
        let mut with_cwes = finding("npm-audit", Some("1"), None, "pkg 1.0", "");
        with_cwes.metadata.insert("cwes", json!(["CWE-89"]));
        let mut without_cwes = with_cwes.clone();
        without_cwes.metadata.remove("cwes");
        // Each differs from an earlier one in one input only, and is tagged differently.
        let findings = [
            finding("bandit", Some("B105"), Some("CWE-89"), "frobnicate", ""),
            finding("bandit", Some("B105"), Some("CWE-89"), "frobnicate", ""),
            finding("semgrep", Some("B105"), Some("CWE-89"), "frobnicate", ""),
            finding("bandit", Some("B106"), Some("CWE-89"), "frobnicate", ""),
            finding("bandit", Some("B105"), Some("CWE-79"), "frobnicate", ""),
            finding("bandit", Some("B105"), Some("CWE-89"), "plain", ""),
            finding(
                "bandit",
                Some("B105"),
                Some("CWE-89"),
                "plain",
                "frobnicate",
            ),
            with_cwes,
            without_cwes,
        ];
        let mut memo = mapper.memo();
        let remembered: Vec<Vec<String>> = findings.iter().map(|f| memo.tags(f)).collect();
        let direct: Vec<Vec<String>> = findings.iter().map(|f| mapper.tags(f)).collect();
        assert_eq!(remembered, direct);
        assert_eq!(direct[0], direct[1]);
        for pair in direct[1..].windows(2) {
            assert_ne!(pair[0], pair[1]);
        }
    }

    #[test]
    fn builtin_frameworks_load_in_documented_order() {
        let ids: Vec<String> = builtin().frameworks().into_iter().map(|f| f.id).collect();
        assert_eq!(
            ids,
            ["owasp-top10-2021", "cis-controls-v8", "pci-dss-v4", "soc2"]
        );
    }

    #[test]
    fn owasp_has_ten_categories_and_cis_eighteen_controls() {
        let frameworks = builtin().frameworks();
        assert_eq!(frameworks[0].total_controls, 10);
        assert_eq!(frameworks[1].total_controls, 18);
    }

    #[test]
    fn semgrep_eval_finding_gets_the_documented_tags() {
        let f = finding(
            "semgrep",
            Some("python.lang.security.audit.eval-detected"),
            Some(
                "CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code ('Eval Injection')",
            ),
            "Detected the use of eval()",
            "",
        );
        let tags = builtin().tags(&f);
        assert!(
            has(
                &tags,
                &["OWASP-A03", "CIS-16", "PCI-DSS-6.2.4", "SOC2-CC7.1"]
            ),
            "{tags:?}"
        );
    }

    #[test]
    fn sql_injection_cwe_maps_into_every_framework() {
        let f = finding("bandit", Some("B608"), Some("CWE-89"), "x", "");
        let tags = builtin().tags(&f);
        for prefix in ["OWASP-", "CIS-", "PCI-DSS-", "SOC2-"] {
            assert!(tags.iter().any(|t| t.starts_with(prefix)), "{tags:?}");
        }
    }

    #[test]
    fn dependency_vulnerabilities_map_to_vulnerable_components() {
        let mapper = builtin();
        for (scanner, rule) in [
            ("npm-audit", "npm-audit/lodash/1065"),
            ("safety", "safety/33064"),
            ("trivy", "CVE-2019-15847"),
            ("trivy", "GHSA-xx4c-jj58-r7x6"),
        ] {
            let tags = mapper.tags(&finding(scanner, Some(rule), None, "pkg 1.0", ""));
            assert!(
                has(&tags, &["OWASP-A06", "PCI-DSS-6.3.3", "CIS-7"]),
                "{scanner} {rule}: {tags:?}"
            );
        }
    }

    #[test]
    fn secrets_map_to_data_protection_and_credentials() {
        let mapper = builtin();
        for (scanner, rule) in [
            ("secrets", "secrets/aws-access-key"),
            ("git-hygiene", "gitleaks/generic-api-key"),
        ] {
            let tags = mapper.tags(&finding(scanner, Some(rule), None, "x", ""));
            assert!(
                has(&tags, &["OWASP-A07", "CIS-3", "PCI-DSS-8.6", "SOC2-CC6.1"]),
                "{scanner}: {tags:?}"
            );
        }
    }

    #[test]
    fn dockerfile_and_checkov_misconfigurations_map_to_secure_configuration() {
        let mapper = builtin();
        for (scanner, rule) in [
            ("dockerfile", "dockerfile/DL004"),
            ("checkov", "CKV_AWS_20"),
            ("trivy", "DS002"),
            ("baseline", "BASELINE-KERN-003"),
        ] {
            let tags = mapper.tags(&finding(scanner, Some(rule), None, "x", ""));
            assert!(
                has(
                    &tags,
                    &[
                        "OWASP-A05",
                        "CIS-4",
                        "PCI-DSS-2.2",
                        "SOC2-CC7.1",
                        "SOC2-CC8.1"
                    ]
                ),
                "{scanner}: {tags:?}"
            );
        }
    }

    #[test]
    fn missing_security_header_maps_to_misconfiguration() {
        let f = finding(
            "builtin_dast",
            Some("missing-header-content-security-policy"),
            None,
            "Missing security header: Content-Security-Policy",
            "",
        );
        let tags = builtin().tags(&f);
        assert!(has(&tags, &["OWASP-A05"]), "{tags:?}");
    }

    #[test]
    fn open_port_maps_to_network_controls() {
        let f = finding(
            "nmap",
            Some("open-port-6379"),
            None,
            "Open port 6379/tcp (redis)",
            "",
        );
        let tags = builtin().tags(&f);
        assert!(
            has(&tags, &["CIS-12", "CIS-4", "PCI-DSS-1.2", "SOC2-CC6.6"]),
            "{tags:?}"
        );
    }

    #[test]
    fn baseline_scope_notice_gets_no_tags() {
        let f = finding(
            "baseline",
            Some("BASELINE-SCOPE-001"),
            None,
            "Host probes skipped for a directory target",
            "",
        );
        assert_eq!(builtin().tags(&f), Vec::<String>::new());
    }

    #[test]
    fn coverage_lists_every_framework_from_tagged_findings() {
        let mapper = builtin();
        let mut findings = [finding("semgrep", None, Some("CWE-89"), "x", "")];
        findings[0].compliance_tags = mapper.tags(&findings[0]);
        let coverage = mapper.coverage(&findings);
        assert_eq!(coverage.len(), 4);
        assert_eq!(coverage[0].framework_id, "owasp-top10-2021");
        assert_eq!(coverage[0].controls_violated, ["OWASP-A03"]);
        assert_eq!(coverage[0].violated_percentage, 10.0);
    }

    #[test]
    fn user_file_replaces_builtin_framework() {
        let dir = tempfile::tempdir().unwrap();
        let replacement = CUSTOM.replace("CUSTOM-", "OWASP-");
        fs::write(dir.path().join("owasp-top10-2021.json"), replacement).unwrap();
        let mapper = ComplianceMapper::load(Some(dir.path())).unwrap();
        let frameworks = mapper.frameworks();
        assert_eq!(frameworks.len(), 4);
        assert_eq!(frameworks[0].id, "owasp-top10-2021");
        assert_eq!(frameworks[0].name, "Custom");
        let tags = mapper.tags(&finding("semgrep", None, Some("CWE-89"), "frobnicate", ""));
        assert!(has(&tags, &["OWASP-1"]));
        assert!(!has(&tags, &["OWASP-A03"]));
    }

    #[test]
    fn user_files_add_frameworks_after_builtins_by_file_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("zeta.json"),
            CUSTOM.replace("CUSTOM-", "Z-"),
        )
        .unwrap();
        fs::write(dir.path().join("alpha.json"), CUSTOM).unwrap();
        fs::write(dir.path().join("notes.txt"), "not a framework").unwrap();
        let ids: Vec<String> = ComplianceMapper::load(Some(dir.path()))
            .unwrap()
            .frameworks()
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(
            ids,
            [
                "owasp-top10-2021",
                "cis-controls-v8",
                "pci-dss-v4",
                "soc2",
                "alpha",
                "zeta"
            ]
        );
    }

    #[test]
    fn bad_user_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("broken.json"),
            "{\n  \"framework\": \"X\",,\n}",
        )
        .unwrap();
        let err = ComplianceMapper::load(Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("broken.json"), "{err}");
        assert!(err.contains("line 2 column"), "{err}");
    }

    #[test]
    fn user_file_with_a_bad_cwe_names_the_file_and_control() {
        let dir = tempfile::tempdir().unwrap();
        let bad = CUSTOM.replace(r#""keywords""#, r#""cwes":["CWE-X1"],"keywords""#);
        fs::write(dir.path().join("custom.json"), bad).unwrap();
        let err = ComplianceMapper::load(Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("custom.json"), "{err}");
        assert!(err.contains("control \"1\""), "{err}");
        assert!(err.contains("CWE-X1"), "{err}");
    }

    #[test]
    fn missing_user_dir_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir");
        let err = ComplianceMapper::load(Some(&missing))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no-such-dir"), "{err}");
    }

    #[test]
    fn user_framework_reusing_builtin_tags_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let clash = CUSTOM.replace("CUSTOM-", "CIS-");
        fs::write(dir.path().join("my-cis.json"), clash).unwrap();
        let err = ComplianceMapper::load(Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("my-cis.json"), "{err}");
        assert!(err.contains("\"CIS-1\""), "{err}");
        assert!(err.contains("cis-controls-v8"), "{err}");
    }

    #[test]
    fn frameworks_report_prefix_and_source() {
        let info = builtin().frameworks();
        assert_eq!(info[2].tag_prefix, "PCI-DSS-");
        assert!(info.iter().all(|f| f.source.is_some()));
        let json = serde_json::to_value(&info[0]).unwrap();
        assert_eq!(json["tag_prefix"], json!("OWASP-"));
    }
}
