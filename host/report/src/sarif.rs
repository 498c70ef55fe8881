//! SARIF 2.1.0, shaped for GitHub code scanning: one run, rules deduplicated and sorted, results
//! deduplicated by fingerprint, repository-relative artifact URIs.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

use super::encode_url_path;
use securescan_model::{Finding, ScanResult, ScanType, ScannerStatus, Severity, SuppressedBy};

/// The base every relative artifact URI is resolved against: the repository or scan root.
const SRCROOT: &str = "%SRCROOT%";

/// Directories whose files are reported relative to [`SRCROOT`], the first that holds a file wins;
/// the first is also the directory a relative path that climbs (`../x`) is resolved against.
#[derive(Debug, Clone, Default)]
pub struct SourceRoots(Vec<PathBuf>);

impl SourceRoots {
    pub fn new(dirs: impl IntoIterator<Item = PathBuf>) -> SourceRoots {
        let mut roots: Vec<PathBuf> = Vec::new();
        for dir in dirs {
            let dir = normalize(&dir);
            if !roots.contains(&dir) {
                roots.push(dir);
            }
        }
        SourceRoots(roots)
    }

    /// The working directory, which relative finding paths are already relative to, then the
    /// scan target (a directory, or a file's directory); each as given and with symlinks
    /// resolved, since tools report either form.
    pub fn for_target(target: &str, working_dir: &Path) -> SourceRoots {
        let target = working_dir.join(target);
        let target_dir = if target.is_file() {
            target.parent().map(Path::to_path_buf)
        } else if target.is_dir() {
            Some(target)
        } else {
            None
        };
        let cwd = Some(working_dir.to_path_buf());
        let candidates = [cwd.clone(), target_dir.clone()];
        let resolved = [cwd, target_dir].map(|dir| dir.and_then(|d| d.canonicalize().ok()));
        SourceRoots::new(candidates.into_iter().chain(resolved).flatten())
    }
}

pub fn render(result: &ScanResult, roots: &SourceRoots) -> String {
    render_with(result, roots, None)
}

/// [`render`] with `properties` on the run's invocation (diff and compare say which refs the
/// results are new between).
pub fn render_with(
    result: &ScanResult,
    roots: &SourceRoots,
    properties: Option<Map<String, Value>>,
) -> String {
    let findings = dedupe_by_fingerprint(&result.findings);
    let mut first_by_rule: BTreeMap<String, &Finding> = BTreeMap::new();
    for finding in &findings {
        first_by_rule.entry(rule_id(finding)).or_insert(finding);
    }
    let rule_index: BTreeMap<&str, usize> = first_by_rule
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let rules: Vec<Value> = first_by_rule
        .iter()
        .map(|(id, finding)| rule(id, finding))
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let id = rule_id(finding);
            let index = rule_index[id.as_str()];
            result_object(finding, id, index, &result.target, roots)
        })
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "SecureScan",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/Metbcy/securescan",
                "rules": rules,
            }},
            "results": results,
            "invocations": [invocation(result, properties)],
        }],
    });
    let mut text = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|err| unreachable!("a JSON value always serializes: {err}"));
    text.push('\n');
    text
}

/// Findings with equal non-empty fingerprints collapse into the slot of the first, keeping the one
/// with the lowest line (a line beats none; ties keep the earlier).
fn dedupe_by_fingerprint(findings: &[Finding]) -> Vec<&Finding> {
    let mut kept: Vec<&Finding> = Vec::new();
    let mut slot: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        if finding.fingerprint.is_empty() {
            kept.push(finding);
            continue;
        }
        match slot.get(finding.fingerprint.as_str()) {
            None => {
                slot.insert(&finding.fingerprint, kept.len());
                kept.push(finding);
            }
            Some(&i) => {
                let better = match (finding.line_start, kept[i].line_start) {
                    (Some(new), Some(old)) => new < old,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if better {
                    kept[i] = finding;
                }
            }
        }
    }
    kept
}

/// The finding's rule id, or `<scanner>/<slug of the title>` for findings without one.
fn rule_id(finding: &Finding) -> String {
    match &finding.rule_id {
        Some(id) => id.clone(),
        None => {
            let slug: String = finding
                .title
                .to_lowercase()
                .replace(' ', "-")
                .chars()
                .take(50)
                .collect();
            format!("{}/{slug}", finding.scanner)
        }
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity`: a CVSS-like score it buckets back into critical…low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "7.5",
        Severity::Medium => "5.0",
        Severity::Low => "2.5",
        Severity::Info => "0.5",
    }
}

fn non_empty<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    if text.trim().is_empty() {
        fallback
    } else {
        text
    }
}

fn rule(id: &str, finding: &Finding) -> Value {
    let mut tags = vec!["security".to_string()];
    if let Some(cwe) = &finding.cwe {
        tags.push(cwe.clone());
        tags.extend(github_cwe_tag(cwe));
    }
    let description = non_empty(&finding.description, &finding.title);
    let help = finding
        .remediation
        .as_deref()
        .map_or(description, |r| non_empty(r, description));
    json!({
        "id": id,
        "name": finding.title.chars().take(100).collect::<String>(),
        "shortDescription": {"text": non_empty(&finding.title, id)},
        "fullDescription": {"text": description},
        "help": {"text": help},
        "defaultConfiguration": {"level": level(finding.severity)},
        "properties": {
            "security-severity": security_severity(finding.severity),
            "tags": dedupe(tags),
        },
    })
}

/// `external/cwe/cwe-95` for `CWE-95` or semgrep's `CWE-95: Improper …`: the tag GitHub links to
/// the CWE entry.
fn github_cwe_tag(cwe: &str) -> Option<String> {
    let rest = cwe
        .get(..4)?
        .eq_ignore_ascii_case("cwe-")
        .then(|| &cwe[4..])?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("external/cwe/cwe-{digits}"))
}

fn dedupe(tags: Vec<String>) -> Vec<String> {
    let mut seen = Vec::with_capacity(tags.len());
    for tag in tags {
        if !seen.contains(&tag) {
            seen.push(tag);
        }
    }
    seen
}

fn result_object(
    finding: &Finding,
    rule_id: String,
    rule_index: usize,
    target: &str,
    roots: &SourceRoots,
) -> Value {
    let mut object = Map::new();
    object.insert("ruleId".into(), rule_id.into());
    object.insert("ruleIndex".into(), rule_index.into());
    object.insert("level".into(), level(finding.severity).into());
    object.insert(
        "message".into(),
        json!({"text": non_empty(&finding.description, &finding.title)}),
    );
    object.insert(
        "locations".into(),
        json!([location(finding, target, roots)]),
    );
    if !finding.fingerprint.is_empty() {
        object.insert(
            "partialFingerprints".into(),
            json!({
                "primaryLocationLineHash": finding.fingerprint,
                "securescan/v1": finding.fingerprint,
            }),
        );
    }
    if let Some(suppression) = suppression(finding) {
        object.insert("suppressions".into(), json!([suppression]));
    }
    let mut properties = Map::new();
    properties.insert("scanner".into(), finding.scanner.clone().into());
    if let Some(cwe) = &finding.cwe {
        properties.insert("cwe".into(), cwe.clone().into());
    }
    if let Some(remediation) = &finding.remediation {
        properties.insert("remediation".into(), remediation.clone().into());
    }
    if !finding.compliance_tags.is_empty() {
        properties.insert(
            "tags".into(),
            dedupe(finding.compliance_tags.clone()).into(),
        );
    }
    object.insert("properties".into(), properties.into());
    Value::Object(object)
}

/// The SARIF suppression of a finding `--show-suppressed` kept: `inSource` for an ignore comment
/// in the file, `external` for the config's ignored_rules; `None` when it is not suppressed.
fn suppression(finding: &Finding) -> Option<Value> {
    let suppressed = finding.suppression.as_ref()?;
    let kind = if suppressed.by == SuppressedBy::Inline {
        "inSource"
    } else {
        "external"
    };
    let mut suppression = Map::new();
    suppression.insert("kind".into(), kind.into());
    suppression.insert("status".into(), "accepted".into());
    suppression.insert(
        "justification".into(),
        suppressed
            .reason
            .clone()
            .unwrap_or_else(|| format!("suppressed by {}", suppressed.by))
            .into(),
    );
    Some(Value::Object(suppression))
}

/// A file and region when the finding has a file; otherwise a logical location, since GitHub
/// rejects results without any: the URL or host for dast and network, the scanner otherwise.
fn location(finding: &Finding, target: &str, roots: &SourceRoots) -> Value {
    if let Some(artifact) = finding
        .file_path
        .as_deref()
        .and_then(|path| artifact_location(path, roots))
    {
        let mut physical = Map::new();
        physical.insert("artifactLocation".into(), artifact);
        if let Some(start) = finding.line_start.filter(|&line| line > 0) {
            let mut region = Map::new();
            region.insert("startLine".into(), start.into());
            if let Some(end) = finding.line_end.filter(|&end| end >= start) {
                region.insert("endLine".into(), end.into());
            }
            physical.insert("region".into(), region.into());
        }
        return json!({"physicalLocation": physical});
    }
    let logical = match finding.scan_type {
        ScanType::Dast | ScanType::Network => {
            json!({"fullyQualifiedName": target, "kind": "resource"})
        }
        _ => json!({"name": finding.scanner, "kind": "module"}),
    };
    json!({"logicalLocations": [logical]})
}

/// A path under one of the roots becomes a relative URI against [`SRCROOT`]; any other path is
/// an absolute `file:` URI, so no URI climbs out of [`SRCROOT`]. A relative path that climbs
/// (`../../etc/passwd`) is resolved against the first root, the directory relative paths are
/// relative to, and then placed like an absolute one; with no root to resolve it against the
/// file is left out (the finding keeps a logical location) and a warning says so. `None` for a
/// path that names no file (empty, or the root).
fn artifact_location(path: &str, roots: &SourceRoots) -> Option<Value> {
    let normalized = normalize(Path::new(path));
    let absolute = if normalized.has_root() {
        normalized
    } else if !normalized.starts_with("..") {
        return relative_location(&normalized);
    } else if let Some(base) = roots.0.first() {
        normalize(&base.join(&normalized))
    } else {
        tracing::warn!(
            "SARIF: leaving out the file of a finding outside the source root: {}",
            securescan_model::text::sanitize_line(path, 4096)
        );
        return None;
    };
    match roots
        .0
        .iter()
        .find_map(|root| absolute.strip_prefix(root).ok())
    {
        Some(relative) => relative_location(relative),
        None => {
            let text = absolute.to_str()?;
            Some(json!({"uri": format!("file://{}", encode_url_path(text))}))
        }
    }
}

/// A relative URI against [`SRCROOT`] for a normalized path that does not climb.
fn relative_location(relative: &Path) -> Option<Value> {
    let text = relative.to_str()?;
    (!text.is_empty()).then(|| json!({"uri": encode_relative(text), "uriBaseId": SRCROOT}))
}

/// Lexical normalization: `.` dropped, `..` folded into its parent where there is one.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let folds = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if folds {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A relative reference whose first segment holds a `:` would read as a scheme, so those colons
/// are encoded too.
fn encode_relative(path: &str) -> String {
    let encoded = encode_url_path(path);
    match encoded.split_once('/') {
        Some((first, rest)) => format!("{}/{rest}", first.replace(':', "%3A")),
        None => encoded.replace(':', "%3A"),
    }
}

/// Succeeds only when no scanner failed; failures are error notifications, skipped scanners
/// notes and each scanner's warnings (input cut or left out, a helper that gave nothing) warnings,
/// in the run's scanner order.
fn invocation(result: &ScanResult, properties: Option<Map<String, Value>>) -> Value {
    let mut notifications = Vec::new();
    let mut notify = |level: &str, text: String, scanner: &str| {
        notifications.push(json!({
            "level": level,
            "message": {"text": text},
            "descriptor": {"id": scanner},
        }));
    };
    for outcome in &result.scanners {
        let scanner = outcome.scanner.as_str();
        match &outcome.status {
            ScannerStatus::Completed { .. } => {}
            ScannerStatus::Failed { kind, error } => notify(
                "error",
                format!("scanner {scanner} failed ({kind}): {error}"),
                scanner,
            ),
            ScannerStatus::Skipped {
                reason,
                install_hint,
            } => notify(
                "note",
                match install_hint {
                    Some(hint) => format!("scanner {scanner} skipped: {reason} (install: {hint})"),
                    None => format!("scanner {scanner} skipped: {reason}"),
                },
                scanner,
            ),
        }
        for warning in &outcome.warnings {
            notify(
                "warning",
                format!("scanner {scanner}: warning: {warning}"),
                scanner,
            );
        }
    }
    let mut object = Map::new();
    object.insert(
        "executionSuccessful".into(),
        result.failed().next().is_none().into(),
    );
    if !notifications.is_empty() {
        object.insert("toolExecutionNotifications".into(), notifications.into());
    }
    if let Some(properties) = properties {
        object.insert("properties".into(), Value::Object(properties));
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> SourceRoots {
        SourceRoots::new([PathBuf::from("/work/repo"), PathBuf::from("/home/me")])
    }

    fn uri(path: &str) -> Value {
        artifact_location(path, &roots()).expect("a file")
    }

    #[test]
    fn relative_paths_stay_relative_to_srcroot() {
        assert_eq!(
            uri("./src/../src/app.py"),
            json!({"uri": "src/app.py", "uriBaseId": "%SRCROOT%"})
        );
    }

    #[test]
    fn absolute_paths_under_the_target_or_cwd_become_relative() {
        assert_eq!(
            uri("/work/repo/src/app.py"),
            json!({"uri": "src/app.py", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            uri("/home/me/x/../y.py"),
            json!({"uri": "y.py", "uriBaseId": "%SRCROOT%"})
        );
    }

    #[test]
    fn absolute_paths_elsewhere_are_file_uris() {
        assert_eq!(
            uri("/etc/ssh/sshd_config"),
            json!({"uri": "file:///etc/ssh/sshd_config"})
        );
        assert_eq!(
            uri("/work/repository/a"),
            json!({"uri": "file:///work/repository/a"})
        );
    }

    #[test]
    fn a_relative_path_climbing_out_of_the_source_root_is_an_absolute_file_uri() {
        assert_eq!(
            uri("../../etc/passwd"),
            json!({"uri": "file:///etc/passwd"}),
            "resolved against /work/repo, the first root"
        );
        assert_eq!(
            uri("src/../../../home/me/x.py"),
            json!({"uri": "x.py", "uriBaseId": "%SRCROOT%"}),
            "it climbs back into a root"
        );
        assert_eq!(
            uri("../repository/a"),
            json!({"uri": "file:///work/repository/a"})
        );
        assert_eq!(
            uri("/work/repo/../../etc/shadow"),
            json!({"uri": "file:///etc/shadow"})
        );
    }

    #[test]
    fn with_no_root_to_resolve_against_a_climbing_path_names_no_file() {
        let none = SourceRoots::new([]);
        assert_eq!(artifact_location("../../etc/passwd", &none), None);
        assert_eq!(
            artifact_location("src/a.py", &none),
            Some(json!({"uri": "src/a.py", "uriBaseId": "%SRCROOT%"}))
        );
    }

    #[test]
    fn uris_percent_encode_spaces_percent_and_unicode() {
        assert_eq!(
            uri("dir with space/100%.py")["uri"],
            "dir%20with%20space/100%25.py"
        );
        assert_eq!(uri("naïve #1?.py")["uri"], "na%C3%AFve%20%231%3F.py");
        assert_eq!(uri("/opt/é")["uri"], "file:///opt/%C3%A9");
    }

    #[test]
    fn a_colon_in_the_first_segment_cannot_pass_for_a_scheme() {
        assert_eq!(uri("c:x/d:y")["uri"], "c%3Ax/d:y");
    }

    #[test]
    fn the_root_itself_names_no_file() {
        assert_eq!(artifact_location("/work/repo", &roots()), None);
        assert_eq!(artifact_location(".", &roots()), None);
    }

    #[test]
    fn cwe_tags_link_to_github_cwe_entries() {
        assert_eq!(
            github_cwe_tag("CWE-95").as_deref(),
            Some("external/cwe/cwe-95")
        );
        assert_eq!(
            github_cwe_tag("CWE-78: Improper Neutralization").as_deref(),
            Some("external/cwe/cwe-78")
        );
        assert_eq!(github_cwe_tag("cwe"), None);
        assert_eq!(github_cwe_tag("CWE-x"), None);
    }
}
