use crate::Finding;

/// The order every output uses, as the docs promise it: severity (highest first), then scanner,
/// rule id, path, line, title. Missing values sort as empty (or line 0). Stable, so equal keys
/// keep the order they arrived in.
pub fn sort_canonical(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.scanner.cmp(&b.scanner))
            .then_with(|| {
                a.rule_id
                    .as_deref()
                    .unwrap_or("")
                    .cmp(b.rule_id.as_deref().unwrap_or(""))
            })
            .then_with(|| {
                a.file_path
                    .as_deref()
                    .unwrap_or("")
                    .cmp(b.file_path.as_deref().unwrap_or(""))
            })
            .then_with(|| a.line_start.unwrap_or(0).cmp(&b.line_start.unwrap_or(0)))
            .then_with(|| a.title.cmp(&b.title))
    });
}
