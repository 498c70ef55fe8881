//! The lookup tables built once from all frameworks, and the matching of one finding against
//! them: by CWE, by scanner rule, by keyword in the title and description.

use std::cmp::Ordering;
use std::collections::HashMap;

use securescan_adapter_sdk::normalize_cwe;
use serde_json::Value;

use super::data::{Framework, RuleMatch, is_word_joiner};
use crate::findings::Finding;

/// Tags are stored once; the tables hold indexes into `tags`.
#[derive(Debug, Default)]
pub(super) struct Index {
    tags: Vec<String>,
    by_cwe: HashMap<String, Vec<usize>>,
    by_scanner: HashMap<String, ScannerRules>,
    /// Keyed by the keyword's first word; the value holds the whole keyword.
    by_first_word: HashMap<String, Vec<(Vec<String>, usize)>>,
}

#[derive(Debug, Default)]
struct ScannerRules {
    exact: HashMap<String, Vec<usize>>,
    prefixes: Vec<(String, usize)>,
}

impl Index {
    pub(super) fn build(frameworks: &[Framework]) -> Index {
        let mut index = Index::default();
        for control in frameworks.iter().flat_map(|f| &f.controls) {
            let tag = index.tags.len();
            index.tags.push(control.tag.clone());
            for cwe in &control.cwes {
                index.by_cwe.entry(cwe.clone()).or_default().push(tag);
            }
            for rule in &control.rules {
                let scanner = index.by_scanner.entry(rule.scanner.clone()).or_default();
                match &rule.rule {
                    RuleMatch::Exact(id) => scanner.exact.entry(id.clone()).or_default().push(tag),
                    RuleMatch::Prefix(prefix) => scanner.prefixes.push((prefix.clone(), tag)),
                }
            }
            for keyword in &control.keywords {
                index
                    .by_first_word
                    .entry(keyword.0[0].clone())
                    .or_default()
                    .push((keyword.0.clone(), tag));
            }
        }
        index
    }

    /// The finding's tags, de-duplicated, in [`cmp_tags`] order.
    pub(super) fn tag_finding(&self, finding: &Finding) -> Vec<String> {
        let mut hits: Vec<usize> = Vec::new();
        for cwe in finding_cwes(finding) {
            hits.extend(self.by_cwe.get(&cwe).into_iter().flatten());
        }
        if let Some(rules) = self.by_scanner.get(&finding.scanner) {
            // A finding without a rule id still matches `*`: it is a finding of that scanner.
            let rule_id = finding.rule_id.as_deref().unwrap_or("");
            hits.extend(rules.exact.get(rule_id).into_iter().flatten());
            hits.extend(
                rules
                    .prefixes
                    .iter()
                    .filter(|(prefix, _)| rule_id.starts_with(prefix.as_str()))
                    .map(|(_, tag)| tag),
            );
        }
        for text in [&finding.title, &finding.description] {
            self.keyword_hits(text, &mut hits);
        }
        let mut tags: Vec<String> = hits.into_iter().map(|i| self.tags[i].clone()).collect();
        tags.sort_by(|a, b| cmp_tags(a, b));
        tags.dedup();
        tags
    }

    fn keyword_hits(&self, text: &str, hits: &mut Vec<usize>) {
        let words = Words::of(text);
        for start in 0..words.len() {
            let Some(candidates) = self.by_first_word.get(words.word(start)) else {
                continue;
            };
            for (keyword, tag) in candidates {
                if words.run_at(start, keyword) {
                    hits.push(*tag);
                }
            }
        }
    }
}

/// `finding.cwe` and, when it is a list of strings, `metadata.cwes` (npm-audit puts every
/// advisory's CWEs there), each in any spelling [`normalize_cwe`] understands, including
/// semgrep's `CWE-89: Improper Neutralization …` that the original never matched.
fn finding_cwes(finding: &Finding) -> impl Iterator<Item = String> {
    let listed = match finding.metadata.get("cwes") {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    finding
        .cwe
        .as_deref()
        .and_then(normalize_cwe)
        .into_iter()
        .chain(
            listed
                .into_iter()
                .filter_map(|item| item.as_str().and_then(normalize_cwe)),
        )
}

/// A text as lowercase letter/digit runs, and whether each run is joined to the next by only
/// spaces, `-` or `_` (so a keyword's words may continue across that gap, but not across `.`,
/// `:` or `/`). Matching whole runs is what keeps `sql` out of `mysql` and `ids` out of `valid`.
struct Words {
    /// The runs, lowercased, one after another; `spans` says where each is.
    lowered: String,
    spans: Vec<std::ops::Range<usize>>,
    joined_to_next: Vec<bool>,
}

impl Words {
    fn of(text: &str) -> Words {
        // One buffer for all the runs: a finding's title and description are a dozen words each,
        // and tens of thousands of findings are tagged.
        let mut lowered = String::with_capacity(text.len());
        let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
        let mut joined_to_next: Vec<bool> = Vec::new();
        let mut start = None;
        let mut gap_joins = true;
        for c in text.chars() {
            if c.is_alphanumeric() {
                if start.is_none() {
                    if let Some(last) = joined_to_next.last_mut() {
                        *last = gap_joins;
                    }
                    gap_joins = true;
                    start = Some(lowered.len());
                }
                lowered.extend(c.to_lowercase());
            } else {
                if let Some(start) = start.take() {
                    spans.push(start..lowered.len());
                    joined_to_next.push(false);
                }
                gap_joins &= is_word_joiner(c);
            }
        }
        if let Some(start) = start {
            spans.push(start..lowered.len());
            joined_to_next.push(false);
        }
        Words {
            lowered,
            spans,
            joined_to_next,
        }
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    fn word(&self, index: usize) -> &str {
        &self.lowered[self.spans[index].clone()]
    }

    fn run_at(&self, start: usize, keyword: &[String]) -> bool {
        let end = start + keyword.len();
        end <= self.len()
            && keyword
                .iter()
                .enumerate()
                .all(|(offset, word)| self.word(start + offset) == word)
            && self.joined_to_next[start..end - 1].iter().all(|j| *j)
    }
}

/// Tag order: text order, except that digit runs compare as numbers, so `CIS-2` comes before
/// `CIS-10` and `PCI-DSS-6.2.4` before `PCI-DSS-10.2`. Ties in value (`A03` vs `A3`) fall back to
/// plain text order, so the order is total.
pub(super) fn cmp_tags(a: &str, b: &str) -> Ordering {
    let (mut left, mut right) = (a, b);
    loop {
        match (left.chars().next(), right.chars().next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(l), Some(r)) if l.is_ascii_digit() && r.is_ascii_digit() => {
                let (l_digits, l_rest) = split_digits(left);
                let (r_digits, r_rest) = split_digits(right);
                let l_value = l_digits.trim_start_matches('0');
                let r_value = r_digits.trim_start_matches('0');
                let by_value = l_value.len().cmp(&r_value.len()).then(l_value.cmp(r_value));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (left, right) = (l_rest, r_rest);
            }
            (Some(l), Some(r)) => {
                if l != r {
                    return l.cmp(&r);
                }
                (left, right) = (&left[l.len_utf8()..], &right[r.len_utf8()..]);
            }
        }
    }
}

fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::compliance::data::parse_framework;
    use crate::compliance::testing::finding;

    fn index(controls: &str) -> Index {
        let text = format!(
            r#"{{"framework":"Test","version":"1","tag_prefix":"T-","controls":{controls}}}"#
        );
        Index::build(&[parse_framework("test", "test.json", &text).unwrap()])
    }

    fn sql_index() -> Index {
        index(
            r#"{"sql":{"name":"SQL","cwes":["CWE-89"],"keywords":["sql"]},
                "csp":{"name":"CSP","keywords":["content security policy"]},
                "ids":{"name":"IDS","keywords":["ids"]},
                "rules":{"name":"Rules","rules":{"bandit":["B105"],"npm-audit":["npm-audit/*"],"secrets":["*"]}}}"#,
        )
    }

    #[test]
    fn cwe_matches_in_every_spelling() {
        let index = sql_index();
        for cwe in ["CWE-89", "cwe-89", "89", "cwe:89", "CWE-089", " CWE 89 "] {
            let f = finding("semgrep", None, Some(cwe), "x", "");
            assert_eq!(index.tag_finding(&f), ["T-sql"], "{cwe}");
        }
    }

    #[test]
    fn semgrep_long_cwe_form_matches() {
        let f = finding(
            "semgrep",
            None,
            Some(
                "CWE-89: Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
            ),
            "Query built from strings",
            "",
        );
        assert_eq!(sql_index().tag_finding(&f), ["T-sql"]);
    }

    #[test]
    fn metadata_cwes_list_matches() {
        let mut f = finding("npm-audit", None, Some("CWE-400"), "x", "");
        f.metadata.insert("cwes", json!(["CWE-400", 7, "CWE-89"]));
        let index = index(r#"{"sql":{"name":"SQL","cwes":["CWE-89"]}}"#);
        assert_eq!(index.tag_finding(&f), ["T-sql"]);
    }

    #[test]
    fn metadata_cwes_that_is_not_a_list_is_ignored() {
        let mut f = finding("npm-audit", None, None, "x", "");
        f.metadata.insert("cwes", json!("CWE-89"));
        assert!(sql_index().tag_finding(&f).is_empty());
    }

    #[test]
    fn keyword_inside_a_word_does_not_match() {
        let index = sql_index();
        for title in [
            "MySQL listens on 3306",
            "Invalid value",
            "sqlite database",
            "valid ids4",
        ] {
            let f = finding("nmap", None, None, title, "");
            assert!(index.tag_finding(&f).is_empty(), "{title}");
        }
    }

    #[test]
    fn keyword_as_a_whole_word_matches_in_title_or_description() {
        let index = sql_index();
        let in_title = finding("zap", None, None, "Possible SQL injection", "");
        let in_description = finding("zap", None, None, "x", "No IDS/IPS in front of the host");
        let in_identifier = finding("zap", None, None, "raw_sql_query used", "");
        assert_eq!(index.tag_finding(&in_title), ["T-sql"]);
        assert_eq!(index.tag_finding(&in_description), ["T-ids"]);
        assert_eq!(index.tag_finding(&in_identifier), ["T-sql"]);
    }

    #[test]
    fn multi_word_keyword_matches_across_spaces_dashes_and_underscores() {
        let index = sql_index();
        for title in [
            "Missing security header: Content-Security-Policy",
            "content   security\tpolicy not set",
            "CONTENT_SECURITY_POLICY",
        ] {
            let f = finding("builtin_dast", None, None, title, "");
            assert_eq!(index.tag_finding(&f), ["T-csp"], "{title}");
        }
    }

    #[test]
    fn multi_word_keyword_does_not_match_across_other_punctuation() {
        let f = finding("zap", None, None, "content. Security/policy", "");
        assert!(sql_index().tag_finding(&f).is_empty());
    }

    #[test]
    fn title_and_description_do_not_join_into_one_keyword() {
        let f = finding("zap", None, None, "Missing content", "security policy");
        assert!(sql_index().tag_finding(&f).is_empty());
    }

    #[test]
    fn rule_matches_exactly_or_by_prefix_for_its_scanner_only() {
        let index = sql_index();
        let exact = finding("bandit", Some("B105"), None, "x", "");
        let not_exact = finding("bandit", Some("B1050"), None, "x", "");
        let prefix = finding("npm-audit", Some("npm-audit/lodash/1065"), None, "x", "");
        let any_rule = finding("secrets", Some("secrets/aws-access-key"), None, "x", "");
        let no_rule = finding("secrets", None, None, "x", "");
        let other_scanner = finding("semgrep", Some("B105"), None, "x", "");
        assert_eq!(index.tag_finding(&exact), ["T-rules"]);
        assert!(index.tag_finding(&not_exact).is_empty());
        assert_eq!(index.tag_finding(&prefix), ["T-rules"]);
        assert_eq!(index.tag_finding(&any_rule), ["T-rules"]);
        assert_eq!(index.tag_finding(&no_rule), ["T-rules"]);
        assert!(index.tag_finding(&other_scanner).is_empty());
    }

    #[test]
    fn tags_from_several_sources_are_sorted_and_deduplicated() {
        let index = sql_index();
        let f = finding(
            "bandit",
            Some("B105"),
            Some("CWE-89"),
            "SQL built from input",
            "sql again; IDS",
        );
        assert_eq!(index.tag_finding(&f), ["T-ids", "T-rules", "T-sql"]);
    }

    #[test]
    fn tags_sort_numbers_by_value() {
        let mut tags = vec![
            "PCI-DSS-10.2",
            "CIS-10",
            "PCI-DSS-6.2.4",
            "CIS-2",
            "OWASP-A03",
            "PCI-DSS-6.3.3",
        ];
        tags.sort_by(|a, b| cmp_tags(a, b));
        assert_eq!(
            tags,
            [
                "CIS-2",
                "CIS-10",
                "OWASP-A03",
                "PCI-DSS-6.2.4",
                "PCI-DSS-6.3.3",
                "PCI-DSS-10.2"
            ]
        );
    }

    #[test]
    fn tags_equal_in_value_still_have_an_order() {
        assert_eq!(cmp_tags("A03", "A3"), Ordering::Less);
        assert_eq!(cmp_tags("A3", "A03"), Ordering::Greater);
        assert_eq!(cmp_tags("A3", "A3"), Ordering::Equal);
    }
}
