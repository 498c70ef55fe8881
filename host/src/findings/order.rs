use super::Finding;

/// The order every output uses: severity (highest first), then path, line, rule id, title. Stable,
/// so equal keys keep scanner order.
pub fn sort_canonical(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                a.file_path
                    .as_deref()
                    .unwrap_or("")
                    .cmp(b.file_path.as_deref().unwrap_or(""))
            })
            .then_with(|| a.line_start.unwrap_or(0).cmp(&b.line_start.unwrap_or(0)))
            .then_with(|| {
                a.rule_id
                    .as_deref()
                    .unwrap_or("")
                    .cmp(b.rule_id.as_deref().unwrap_or(""))
            })
            .then_with(|| a.title.cmp(&b.title))
    });
}
