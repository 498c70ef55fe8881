//! Cross-scanner deduplication: two scanners reporting the same issue become one finding, the
//! other scanners listed in `metadata.also_reported_by`.
//!
//! "The same issue" is deliberately narrow, because merging two different issues loses one of
//! them (the original keyed on file + line + title and collapsed every vulnerability of one
//! package into one finding). Two findings of different scanners are the same issue when:
//! - their rules are one kind of issue by the equivalence table (bandit `B307` and semgrep
//!   `eval-detected`, whatever CWE each prints) and they point at one statement of one file: the
//!   same first line, or else overlapping lines (bandit flags the `verify=False` line of a call
//!   semgrep reports whole) — and the pairing is unambiguous (see [`unambiguous`]);
//! - they point at the same file and line and name the same CWE, unless the table knows both
//!   rules (then it has said they are different kinds of issue); or
//! - they name the same package and the same single advisory (trivy and safety on one CVE).
//!
//! Findings of one scanner never merge: its results are its own business, even when they look
//! alike (two matches on one line whose columns the adapter drops, ZAP alerts of one rule on
//! different URLs sharing a fingerprint). Pairs are sought in an order computed from the
//! findings' content, so the result does not depend on the order the findings arrive in.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::equivalence::{Equivalences, Family};
use super::{Finding, Metadata, SuppressedBy};
use securescan_model::ALSO_REPORTED_BY;

/// Merge duplicates in place, each issue keeping the slot of its first finding. The higher
/// severity wins; on a tie the scanner whose findings came first (the engine passes them in
/// registry order). The winner lists each merged finding's scanner, rule id, severity and
/// fingerprint. Returns how many findings were merged away.
pub fn deduplicate(findings: &mut Vec<Finding>) -> usize {
    deduplicate_with(findings, Equivalences::builtin())
}

fn deduplicate_with(findings: &mut Vec<Finding>, table: &Equivalences) -> usize {
    // Findings of one scanner never merge, so one scanner's findings alone have nothing to pair.
    if findings.windows(2).all(|w| w[0].scanner == w[1].scanner) {
        return 0;
    }
    let facts: Vec<Facts> = findings.iter().map(|f| Facts::of(f, table)).collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| content_order(&findings[a], &findings[b]).then(a.cmp(&b)));
    let mut groups = Groups::new(&facts);

    let by_family = buckets(&order, &facts, |f| Some((f.file?, f.family?, f.suppressed)));
    for bucket in &by_family {
        join_unambiguous(bucket, &facts, &mut groups, |a, b| a.lines.0 == b.lines.0);
    }
    for bucket in &by_family {
        join_unambiguous(bucket, &facts, &mut groups, |a, b| {
            a.lines.0 <= b.lines.1 && b.lines.0 <= a.lines.1
        });
    }
    let by_cwe = buckets(&order, &facts, |f| {
        Some((f.file?, f.lines.0, f.cwe?, f.suppressed))
    });
    for bucket in &by_cwe {
        join_first(bucket, &mut groups, |a, b| {
            facts[a].family.is_none() || facts[b].family.is_none()
        });
    }
    let by_advisory = buckets(&order, &facts, |f| {
        Some((f.advisory.clone()?, f.suppressed))
    });
    for bucket in &by_advisory {
        join_first(bucket, &mut groups, |_, _| true);
    }

    let merged = findings.len() - groups.count();
    let rank = scanner_rank(findings);
    // Severity first, then the scanner that came first, then the finding that did.
    let strength: Vec<_> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| (f.severity, Reverse(rank[f.scanner.as_str()]), Reverse(i)))
        .collect();
    // In place: a second vector of findings would double a big scan's peak memory. Each group's
    // winner moves into the slot of its first member, the others are absorbed and removed.
    let mut removed = vec![false; findings.len()];
    for members in groups.into_members() {
        let (Some(&first), Some(&winner)) = (
            members.first(),
            members.iter().max_by_key(|&&m| strength[m]),
        ) else {
            continue;
        };
        findings.swap(first, winner);
        for &member in members.iter().filter(|&&m| m != winner) {
            // The first member now sits where the winner was.
            let at = if member == first { winner } else { member };
            let (kept, rest) = findings.split_at_mut(at);
            absorb(&mut kept[first], &mut rest[0]);
            removed[at] = true;
        }
    }
    if merged > 0 {
        let mut index = 0;
        findings.retain(|_| {
            index += 1;
            !removed[index - 1]
        });
    }
    merged
}

/// What dedup reads of a finding, worked out once, borrowing the finding's own text (a copy of
/// every finding's strings would be megabytes on a big scan, at the scan's memory peak).
struct Facts<'f> {
    /// Its own scanner first, then those it already absorbed (rare: owned, decoded from metadata).
    scanners: Vec<Cow<'f, str>>,
    rule: &'f str,
    file: Option<&'f str>,
    /// First and last line; both 0 without a line.
    lines: (u32, u32),
    family: Option<Family>,
    cwe: Option<u32>,
    advisory: Option<(String, String)>,
    /// Part of every bucket, so a suppressed finding never hides (or is hidden by) a kept one.
    suppressed: Option<&'f SuppressedBy>,
}

impl<'f> Facts<'f> {
    fn of(f: &'f Finding, table: &Equivalences) -> Facts<'f> {
        let start = f.line_start.unwrap_or(0);
        let lines = (start, f.line_end.unwrap_or(start).max(start));
        let located = f.file_path.is_some() && start > 0;
        Facts {
            scanners: scanners_of(f),
            file: f.file_path.as_deref().filter(|_| located),
            lines,
            family: f
                .rule_id
                .as_deref()
                .and_then(|rule| table.family(&f.scanner, rule))
                .filter(|_| located),
            cwe: f.cwe.as_deref().and_then(cwe_number),
            advisory: package(f).zip(single_advisory(f)),
            suppressed: f.suppressed_by(),
            rule: f.rule_id.as_deref().unwrap_or_default(),
        }
    }
}

/// `CWE-89`, `cwe-89`, `89` and semgrep's `CWE-89: Improper …` are all 89.
fn cwe_number(text: &str) -> Option<u32> {
    let text = text.trim();
    let digits = text
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("cwe-"))
        .map_or(text, |_| &text[4..]);
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Package names compare as their ecosystems do: case and `-`/`_`/`.` do not matter.
fn package(f: &Finding) -> Option<String> {
    let name = f.metadata.get("package");
    let name = name.as_str()?.trim();
    (!name.is_empty() && name != "unknown").then(|| {
        name.chars()
            .map(|c| match c {
                '_' | '.' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect()
    })
}

/// The one CVE or GHSA id a dependency finding is about: its rule id when that is an advisory id
/// (trivy), else its `metadata.cves` when it lists exactly one (safety, npm audit). A finding
/// about several advisories has no single identity and never merges.
fn single_advisory(f: &Finding) -> Option<String> {
    let is_advisory = |id: &str| {
        let upper = id.to_ascii_uppercase();
        upper.starts_with("CVE-") || upper.starts_with("GHSA-")
    };
    let cves = f.metadata.get("cves");
    let mut ids: Vec<String> = f
        .rule_id
        .iter()
        .map(String::as_str)
        .chain(
            cves.as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        )
        .filter(|id| is_advisory(id))
        .map(|id| id.trim().to_ascii_uppercase())
        .collect();
    ids.sort();
    ids.dedup();
    match ids.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Findings sharing a key, each list in content order; buckets holding one scanner's findings
/// only are left out, as nothing in them can merge.
fn buckets<'f, K: std::hash::Hash + Eq>(
    order: &[usize],
    facts: &[Facts<'f>],
    key: impl Fn(&Facts<'f>) -> Option<K>,
) -> Vec<Vec<usize>> {
    let mut by_key: HashMap<K, Vec<usize>> = HashMap::new();
    for &i in order {
        if let Some(k) = key(&facts[i]) {
            by_key.entry(k).or_default().push(i);
        }
    }
    // Each finding is in one bucket of a kind, so the buckets' own order changes nothing.
    by_key
        .into_values()
        .filter(|b| {
            b.iter()
                .any(|&i| facts[i].scanners[0] != facts[b[0]].scanners[0])
        })
        .collect()
}

/// Joins each finding of `bucket` to the first finding of every other scanner that `related`
/// allows: on one line and CWE, or one advisory, there is nothing finer to tell them apart by.
fn join_first(bucket: &[usize], groups: &mut Groups, related: impl Fn(usize, usize) -> bool) {
    for &a in bucket {
        for &b in bucket {
            if related(a, b) && groups.can_join(a, b) {
                groups.join(a, b);
            }
        }
    }
}

/// Joins pairs of one family whose location `near` relates, when [`unambiguous`].
fn join_unambiguous(
    bucket: &[usize],
    facts: &[Facts],
    groups: &mut Groups,
    near: impl Fn(&Facts, &Facts) -> bool,
) {
    // The free findings of `scanner` near `of`, in content order.
    let candidates = |groups: &Groups, of: usize, scanner: &str| -> Vec<usize> {
        bucket
            .iter()
            .copied()
            .filter(|&x| {
                facts[x].scanners[0] == scanner
                    && near(&facts[of], &facts[x])
                    && groups.can_join(of, x)
            })
            .collect()
    };
    for &a in bucket {
        let mine = facts[a].scanners[0].as_ref();
        let mut others: Vec<&str> = bucket
            .iter()
            .map(|&x| facts[x].scanners[0].as_ref())
            .filter(|&s| s != mine)
            .collect();
        others.sort_unstable();
        others.dedup();
        for scanner in others {
            let theirs = candidates(groups, a, scanner);
            let Some(&b) = theirs.first() else {
                continue;
            };
            let ours = candidates(groups, b, mine);
            if ours.first() == Some(&a) && unambiguous(&ours, &theirs, facts) {
                groups.join(a, b);
            }
        }
    }
}

/// Whether the first of `ours` and the first of `theirs` are surely reports of one issue,
/// given every free finding of the two scanners near them:
/// - one each: yes;
/// - one against several: only if the several are different rules at one location (one
///   construct that scanner's rules all flag: an audit and a taint rule on one `os.system`);
///   one rule twice on a line is two constructs (`md5(a) + md5(b)`), and which one the single
///   report means is unknowable;
/// - several against several: only if each side is one rule at one location and the counts
///   agree (`eval(a) or eval(b)` from both tools), where any pairing says the same.
fn unambiguous(ours: &[usize], theirs: &[usize], facts: &[Facts]) -> bool {
    let at_one_place = |side: &[usize]| {
        side.windows(2)
            .all(|w| facts[w[0]].lines == facts[w[1]].lines)
    };
    let one_rule = |side: &[usize]| {
        side.windows(2)
            .all(|w| facts[w[0]].rule == facts[w[1]].rule)
    };
    let distinct_rules = |side: &[usize]| {
        let mut rules: Vec<&str> = side.iter().map(|&x| facts[x].rule).collect();
        rules.sort_unstable();
        rules.windows(2).all(|w| w[0] != w[1])
    };
    match (ours.len(), theirs.len()) {
        (1, 1) => true,
        (1, _) => at_one_place(theirs) && distinct_rules(theirs),
        (_, 1) => at_one_place(ours) && distinct_rules(ours),
        (n, m) => {
            n == m
                && at_one_place(ours)
                && at_one_place(theirs)
                && one_rule(ours)
                && one_rule(theirs)
        }
    }
}

/// Which findings are one issue so far: each finding's group, each group's members and
/// scanners. A group never holds two findings of one scanner.
struct Groups<'f> {
    group: Vec<usize>,
    members: Vec<Vec<usize>>,
    scanners: Vec<Vec<Cow<'f, str>>>,
}

impl<'f> Groups<'f> {
    fn new(facts: &[Facts<'f>]) -> Groups<'f> {
        Groups {
            group: (0..facts.len()).collect(),
            members: (0..facts.len()).map(|i| vec![i]).collect(),
            scanners: facts.iter().map(|f| f.scanners.clone()).collect(),
        }
    }

    fn can_join(&self, a: usize, b: usize) -> bool {
        let (ga, gb) = (self.group[a], self.group[b]);
        ga != gb
            && !self.scanners[ga]
                .iter()
                .any(|s| self.scanners[gb].contains(s))
    }

    fn join(&mut self, a: usize, b: usize) {
        let (keep, gone) = (self.group[a], self.group[b]);
        let moved = std::mem::take(&mut self.members[gone]);
        for &m in &moved {
            self.group[m] = keep;
        }
        self.members[keep].extend(moved);
        let scanners = std::mem::take(&mut self.scanners[gone]);
        self.scanners[keep].extend(scanners);
    }

    fn count(&self) -> usize {
        self.members.iter().filter(|m| !m.is_empty()).count()
    }

    /// Each group's members, groups in the order of their first member.
    fn into_members(self) -> Vec<Vec<usize>> {
        let mut groups: Vec<Vec<usize>> = self
            .members
            .into_iter()
            .filter(|m| !m.is_empty())
            .map(|mut m| {
                m.sort_unstable();
                m
            })
            .collect();
        groups.sort_unstable_by_key(|m| m[0]);
        groups
    }
}

/// An order of findings by what they say, so pairing does not depend on arrival order.
fn content_order(a: &Finding, b: &Finding) -> Ordering {
    fn key(
        f: &Finding,
    ) -> (
        &str,
        Option<&str>,
        Option<u32>,
        Option<u32>,
        &str,
        &str,
        &str,
    ) {
        (
            f.scanner.as_str(),
            f.rule_id.as_deref(),
            f.line_start,
            f.line_end,
            f.fingerprint.as_str(),
            f.title.as_str(),
            f.description.as_str(),
        )
    }
    key(a).cmp(&key(b))
}

/// Each scanner's rank: the position of its first finding among the scanners.
fn scanner_rank(findings: &[Finding]) -> HashMap<&str, usize> {
    let mut rank = HashMap::new();
    for f in findings {
        let next = rank.len();
        rank.entry(f.scanner.as_str()).or_insert(next);
    }
    rank
}

/// The scanner of `finding` first, then any whose findings it had already absorbed.
fn scanners_of(finding: &Finding) -> Vec<Cow<'_, str>> {
    let mut scanners = vec![Cow::Borrowed(finding.scanner.as_str())];
    let merged = finding.metadata.get(ALSO_REPORTED_BY);
    for entry in merged.as_array().into_iter().flatten() {
        if let Some(s) = entry["scanner"].as_str()
            && !scanners.iter().any(|known| known == s)
        {
            scanners.push(Cow::Owned(s.to_string()));
        }
    }
    scanners
}

/// Record `other` (and whatever it had absorbed) on `winner`, sorted so the output does not
/// depend on which of them arrived first.
/// `winner` lists `other` (and whatever `other` had absorbed) in `also_reported_by`; `other` is
/// left emptied, to be removed.
fn absorb(winner: &mut Finding, other: &mut Finding) {
    let mut list: Vec<Value> = take_list(&mut winner.metadata);
    list.extend(take_list(&mut other.metadata));
    if other.scanner != winner.scanner || other.fingerprint != winner.fingerprint {
        let mut entry = Map::new();
        entry.insert(
            "scanner".into(),
            Value::from(std::mem::take(&mut other.scanner)),
        );
        entry.insert(
            "rule_id".into(),
            other.rule_id.take().map_or(Value::Null, Value::from),
        );
        entry.insert("severity".into(), Value::from(other.severity.as_str()));
        entry.insert(
            "fingerprint".into(),
            Value::from(std::mem::take(&mut other.fingerprint)),
        );
        list.push(Value::Object(entry));
    }
    list.sort_by_key(|v| v.to_string());
    list.dedup();
    if !list.is_empty() {
        winner.metadata.insert(ALSO_REPORTED_BY, Value::Array(list));
    }
}

fn take_list(metadata: &mut Metadata) -> Vec<Value> {
    match metadata.remove(ALSO_REPORTED_BY) {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Severity, Suppression};

    fn finding(scanner: &str, rule: &str, line: u32, cwe: Option<&str>) -> Finding {
        Finding {
            file_path: Some("app.py".into()),
            line_start: Some(line),
            rule_id: Some(rule.into()),
            cwe: cwe.map(str::to_string),
            fingerprint: format!("{scanner}-{rule}-{line}"),
            ..Finding::sample(scanner, &format!("{scanner} {rule}"), Severity::Medium)
        }
    }

    fn vulnerability(scanner: &str, package: &str, rule: &str, cves: &[&str]) -> Finding {
        let mut f = finding(scanner, rule, 0, None);
        f.file_path = Some("requirements.txt".into());
        f.line_start = None;
        f.metadata.insert("package", Value::from(package));
        if !cves.is_empty() {
            f.metadata.insert("cves", Value::from(cves.to_vec()));
        }
        f
    }

    #[test]
    fn semgrep_and_bandit_on_one_line_and_cwe_merge_into_the_more_severe() {
        let semgrep = finding(
            "semgrep",
            "eval-detected",
            3,
            Some("CWE-95: Eval Injection"),
        );
        let mut bandit = finding("bandit", "B307", 3, Some("CWE-95"));
        bandit.severity = Severity::High;
        let mut findings = vec![semgrep, bandit];
        assert_eq!(deduplicate(&mut findings), 1);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].scanner, "bandit");
        let also = &findings[0].metadata.get(ALSO_REPORTED_BY);
        assert_eq!(also[0]["scanner"], "semgrep");
        assert_eq!(also[0]["rule_id"], "eval-detected");
    }

    #[test]
    fn one_scanners_two_rules_on_one_line_and_cwe_stay_apart() {
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-89")),
            finding("semgrep", "b", 3, Some("CWE-89")),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn a_second_result_of_a_merged_scanner_stays_apart() {
        let mut bandit = finding("bandit", "b", 3, Some("CWE-95"));
        bandit.severity = Severity::High;
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-95")),
            bandit,
            finding("semgrep", "c", 3, Some("CWE-95")),
        ];
        assert_eq!(deduplicate(&mut findings), 1);
        assert_eq!(findings.len(), 2);
    }

    #[test]
    fn a_tie_keeps_the_first_scanner() {
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-89")),
            finding("bandit", "b", 3, Some("89")),
        ];
        deduplicate(&mut findings);
        assert_eq!(findings[0].scanner, "semgrep");
    }

    #[test]
    fn different_cwes_or_lines_never_merge() {
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-89")),
            finding("bandit", "b", 3, Some("CWE-78")),
            finding("bandit", "c", 4, Some("CWE-89")),
            finding("bandit", "d", 3, None),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
        assert_eq!(findings.len(), 4);
    }

    #[test]
    fn every_vulnerability_of_one_package_stays_its_own_finding() {
        let mut findings = vec![
            vulnerability("trivy", "django", "CVE-2024-1", &[]),
            vulnerability("trivy", "django", "CVE-2024-2", &[]),
            vulnerability("safety", "Django", "safety/1", &["CVE-2024-3"]),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
        assert_eq!(findings.len(), 3);
    }

    #[test]
    fn one_advisory_from_two_dependency_scanners_merges() {
        let mut findings = vec![
            vulnerability("trivy", "Django", "CVE-2024-1", &[]),
            vulnerability("safety", "django", "safety/9", &["cve-2024-1"]),
        ];
        assert_eq!(deduplicate(&mut findings), 1);
        assert_eq!(findings[0].scanner, "trivy");
        assert_eq!(
            findings[0].metadata.get(ALSO_REPORTED_BY)[0]["scanner"],
            "safety"
        );
    }

    #[test]
    fn a_finding_about_several_advisories_never_merges() {
        let mut findings = vec![
            vulnerability("trivy", "lodash", "CVE-2024-1", &[]),
            vulnerability(
                "npm-audit",
                "lodash",
                "npm-audit/lodash",
                &["CVE-2024-1", "CVE-2024-2"],
            ),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn even_identical_results_of_one_scanner_stay_apart() {
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-89")),
            finding("semgrep", "a", 3, Some("CWE-89")),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn one_scanners_results_sharing_a_fingerprint_stay_apart() {
        let alert = |url: &str| {
            let mut f = finding("zap", "10038", 0, None);
            f.file_path = None;
            f.line_start = None;
            f.fingerprint = "same".into();
            f.metadata.insert("url", Value::from(url));
            f
        };
        let mut findings = vec![alert("http://a/1"), alert("http://a/2")];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn a_suppressed_finding_does_not_swallow_a_kept_one() {
        let mut suppressed = finding("semgrep", "a", 3, Some("CWE-89"));
        suppressed.suppression = Some(Suppression::by(SuppressedBy::Inline));
        let mut findings = vec![suppressed, finding("bandit", "b", 3, Some("CWE-89"))];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    /// A finding over lines `start..=end`.
    fn spanning(scanner: &str, rule: &str, (start, end): (u32, u32), cwe: &str) -> Finding {
        let mut f = finding(scanner, rule, start, Some(cwe));
        f.line_end = Some(end);
        f.fingerprint = format!("{scanner}-{rule}-{start}-{end}");
        f
    }

    const EVAL: &str = "python.lang.security.audit.eval-detected.eval-detected";
    const PICKLE: &str = "python.lang.security.deserialization.pickle.avoid-pickle";
    const MD5: &str =
        "python.lang.security.insecure-hash-algorithms-md5.insecure-hash-algorithm-md5";
    const SHA1: &str = "python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-sha1";

    /// Which `(scanner, rule, line)` absorbed which, sorted.
    fn pairs(findings: &[Finding]) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = findings
            .iter()
            .flat_map(|f| {
                let kept = format!(
                    "{} {} {}",
                    f.scanner,
                    f.rule_id.as_deref().unwrap_or(""),
                    f.line_start.unwrap_or(0)
                );
                f.metadata
                    .get(ALSO_REPORTED_BY)
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |m| {
                        (
                            kept.clone(),
                            m["fingerprint"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn the_tools_own_cwes_and_lines_of_one_statement_merge_by_the_table() {
        // As bandit 1.9.4 and the registry print them: yaml.load is CWE-20 against CWE-502; bandit
        // flags the `verify=False` line (48) of a call semgrep reports whole (46..=50).
        let mut findings = vec![
            spanning(
                "semgrep",
                "python.lang.security.deserialization.avoid-pyyaml-load.avoid-pyyaml-load",
                (29, 32),
                "CWE-502: Deserialization of Untrusted Data",
            ),
            spanning(
                "semgrep",
                "python.requests.security.disabled-cert-validation.disabled-cert-validation",
                (46, 50),
                "CWE-295",
            ),
            spanning("bandit", "B506", (29, 32), "CWE-20"),
            spanning("bandit", "B501", (48, 48), "CWE-295"),
        ];
        assert_eq!(deduplicate(&mut findings), 2);
        assert_eq!(
            pairs(&findings),
            [
                ("semgrep python.lang.security.deserialization.avoid-pyyaml-load.avoid-pyyaml-load 29".to_string(), "bandit-B506-29-32".to_string()),
                ("semgrep python.requests.security.disabled-cert-validation.disabled-cert-validation 46".to_string(), "bandit-B501-48-48".to_string()),
            ]
        );
    }

    #[test]
    fn adjacent_evals_and_an_eval_beside_a_pickle_stay_distinct_issues() {
        let mut findings = vec![
            spanning("semgrep", EVAL, (51, 51), "CWE-95"),
            spanning("semgrep", EVAL, (52, 52), "CWE-95"),
            spanning("semgrep", EVAL, (53, 53), "CWE-95"),
            spanning("semgrep", PICKLE, (53, 53), "CWE-502"),
            spanning("bandit", "B307", (51, 51), "CWE-78"),
            spanning("bandit", "B307", (52, 52), "CWE-78"),
            spanning("bandit", "B307", (53, 53), "CWE-78"),
            spanning("bandit", "B301", (53, 53), "CWE-502"),
        ];
        assert_eq!(deduplicate(&mut findings), 4);
        assert_eq!(
            pairs(&findings),
            [
                (
                    format!("semgrep {EVAL} 51"),
                    "bandit-B307-51-51".to_string()
                ),
                (
                    format!("semgrep {EVAL} 52"),
                    "bandit-B307-52-52".to_string()
                ),
                (
                    format!("semgrep {EVAL} 53"),
                    "bandit-B307-53-53".to_string()
                ),
                (
                    format!("semgrep {PICKLE} 53"),
                    "bandit-B301-53-53".to_string()
                ),
            ]
        );
    }

    #[test]
    fn two_constructs_of_one_family_on_a_line_merge_only_when_any_pairing_says_the_same() {
        // md5 and sha1 on one line: bandit calls both B324, so which is which is unknowable.
        let mut hashes = vec![
            spanning("semgrep", MD5, (57, 57), "CWE-327"),
            spanning("semgrep", SHA1, (57, 57), "CWE-327"),
            spanning("bandit", "B324", (57, 57), "CWE-327"),
            spanning("bandit", "B324", (57, 57), "CWE-327"),
        ];
        assert_eq!(deduplicate(&mut hashes), 0);
        // Nor is it when one tool reports one of two: bandit flags `eval("1")`, semgrep does not.
        let mut one_of_two = vec![
            spanning("semgrep", EVAL, (5, 5), "CWE-95"),
            spanning("bandit", "B307", (5, 5), "CWE-78"),
            spanning("bandit", "B307", (5, 5), "CWE-78"),
        ];
        assert_eq!(deduplicate(&mut one_of_two), 0);
        // `eval(a) or eval(b)` from both tools: any pairing says the same.
        let mut repeats = vec![
            spanning("semgrep", EVAL, (5, 5), "CWE-95"),
            spanning("semgrep", EVAL, (5, 5), "CWE-95"),
            spanning("bandit", "B307", (5, 5), "CWE-78"),
            spanning("bandit", "B307", (5, 5), "CWE-78"),
        ];
        assert_eq!(deduplicate(&mut repeats), 2);
        // Two of one scanner's rules on one construct: the other tool's report joins one of them.
        let mut audit_and_taint = vec![
            spanning(
                "semgrep",
                "python.lang.security.audit.dangerous-system-call-audit.dangerous-system-call-audit",
                (40, 42),
                "CWE-78",
            ),
            spanning(
                "semgrep",
                "python.lang.security.dangerous-system-call.dangerous-system-call",
                (40, 42),
                "CWE-78",
            ),
            spanning("bandit", "B605", (40, 42), "CWE-78"),
        ];
        assert_eq!(deduplicate(&mut audit_and_taint), 1);
    }

    #[test]
    fn different_constructs_of_one_statement_never_merge() {
        // `f(\n yaml.load(a),\n yaml.unsafe_load(b),\n)`: bandit flags only line 2, semgrep only
        // line 3 (its rule skips a plain `yaml.load`); neither names the other's line.
        let mut findings = vec![
            spanning(
                "semgrep",
                "python.lang.security.deserialization.avoid-pyyaml-load.avoid-pyyaml-load",
                (3, 3),
                "CWE-502",
            ),
            spanning("bandit", "B506", (2, 2), "CWE-20"),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
        // Known rules of different families never merge on a shared CWE and line: bandit's
        // shell=True call and semgrep's os.system are both CWE-78.
        let mut shells = vec![
            spanning(
                "semgrep",
                "python.lang.security.audit.dangerous-system-call-audit.dangerous-system-call-audit",
                (7, 7),
                "CWE-78",
            ),
            spanning("bandit", "B602", (7, 7), "CWE-78"),
        ];
        assert_eq!(deduplicate(&mut shells), 0);
    }

    #[test]
    fn a_suppressed_finding_does_not_merge_with_its_kept_twin_of_the_table() {
        let mut suppressed = spanning("bandit", "B307", (3, 3), "CWE-78");
        suppressed.suppression = Some(Suppression::by(SuppressedBy::Inline));
        let mut findings = vec![spanning("semgrep", EVAL, (3, 3), "CWE-95"), suppressed];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn the_result_does_not_depend_on_the_order_findings_arrive_in() {
        let all = vec![
            spanning("semgrep", EVAL, (5, 5), "CWE-95"),
            spanning("semgrep", EVAL, (5, 5), "CWE-95"),
            spanning("semgrep", EVAL, (6, 9), "CWE-95"),
            spanning("semgrep", MD5, (7, 7), "CWE-327"),
            spanning(
                "semgrep",
                "python.requests.security.disabled-cert-validation.disabled-cert-validation",
                (10, 14),
                "CWE-295",
            ),
            spanning("bandit", "B307", (5, 5), "CWE-78"),
            spanning("bandit", "B307", (5, 5), "CWE-78"),
            spanning("bandit", "B307", (6, 9), "CWE-78"),
            spanning("bandit", "B307", (7, 7), "CWE-78"),
            spanning("bandit", "B324", (7, 7), "CWE-327"),
            spanning("bandit", "B501", (12, 12), "CWE-295"),
            spanning("secrets", "x", (7, 7), "CWE-327"),
        ];
        let run = |mut findings: Vec<Finding>| {
            let merged = deduplicate(&mut findings);
            crate::findings::sort_canonical(&mut findings);
            (merged, serde_json::to_string(&findings).unwrap())
        };
        let expected = run(all.clone());
        assert_eq!(expected.0, 6);
        // Each scanner's results rotated and reversed; the scanners stay in registry order.
        let of = |scanner: &str| -> Vec<Finding> {
            all.iter()
                .filter(|f| f.scanner == scanner)
                .cloned()
                .collect()
        };
        for turn in 0..all.len() {
            let mut shuffled = Vec::new();
            for scanner in ["semgrep", "bandit", "secrets"] {
                let mut results = of(scanner);
                let len = results.len();
                results.rotate_left(turn % len);
                if turn % 2 == 1 {
                    results.reverse();
                }
                shuffled.extend(results);
            }
            assert_eq!(run(shuffled), expected, "turn {turn}");
        }
    }
}
