use crate::Finding;

/// The order every output uses, as the docs promise it: severity (highest first), then scanner,
/// rule id, path, line, title. Missing values sort as empty (or line 0). Stable, so equal keys
/// keep the order they arrived in.
pub fn sort_canonical(findings: &mut [Finding]) {
    // Sorting positions, not findings: a stable sort of the findings themselves would take a
    // scratch copy of all of them (megabytes on a big scan), a permutation of indices a few bytes
    // each. Applied in place by following its cycles.
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| canonical_cmp(&findings[a], &findings[b]));
    for start in 0..order.len() {
        let mut current = start;
        while order[current] != start {
            let next = order[current];
            findings.swap(current, next);
            order[current] = current;
            current = next;
        }
        order[current] = current;
    }
}

fn canonical_cmp(a: &Finding, b: &Finding) -> std::cmp::Ordering {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    // The permutation must land every finding where a stable sort of the findings would.
    #[test]
    fn sorting_by_positions_matches_a_stable_sort_of_the_findings() {
        let severities = [Severity::Low, Severity::High, Severity::Medium];
        let mut findings: Vec<Finding> = (0..200u32)
            .map(|i| {
                let scanner = ["semgrep", "bandit"][(i % 5 % 2) as usize];
                let severity = severities[(i % 7 % 3) as usize];
                let mut f = Finding::sample(scanner, &format!("t{}", i % 3), severity);
                f.file_path = Some(format!("f{}.py", i % 4));
                f.line_start = Some(i % 6);
                // Unique per finding, so the test sees where each one went.
                f.description = i.to_string();
                f
            })
            .collect();
        let mut expected = findings.clone();
        expected.sort_by(canonical_cmp);
        sort_canonical(&mut findings);
        let order = |all: &[Finding]| {
            all.iter()
                .map(|f| f.description.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(order(&findings), order(&expected));
    }
}
