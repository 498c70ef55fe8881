//! The pull-request review payload (§12.6): one inline comment per new finding whose line is in
//! the diff, the rest listed in the review body. The Action posts the JSON as is and finds the
//! comments it posted before by their `securescan:fp:` marker.
//!
//! Differences from the original, on purpose: suppressed findings are left out unless shown
//! (then marked, as in the PR comment); the inline-ignore suggestion sits on the finding's own
//! line and keeps its code; a fingerprint that cannot make a marker just gets none.

use serde_json::{Value, json};

use super::diff_positions::DiffPositions;
use super::markers::{add_fingerprint_marker, extract_fingerprint};
use super::sentence::{collapse_whitespace, first_sentence};
use super::suggestions::{ignore_next_line, severity_pin};
use super::wording::{Surface, wording};
use super::{
    file_path, finish, grouped_by_severity, is_shown, line_number, markdown, push_severity_heading,
    suppressed_badge,
};
use securescan_model::{ChangeMode, ChangeSet, Finding};

/// How to render the review.
#[derive(Debug, Clone, Copy)]
pub struct Review<'a> {
    /// The head commit the comments' positions refer to.
    pub commit_id: &'a str,
    /// `git diff` of base..head: where each head line sits in the PR's diff.
    pub diff_text: &'a str,
    pub mode: ChangeMode,
    pub event: ReviewEvent,
    /// `owner/name`; when set, titles with a `CWE-<n>` link to the CWE entry.
    pub repo: Option<&'a str>,
    /// Offer an inline-ignore suggestion and a severity pin in each inline comment.
    pub suggestions: bool,
    /// Include suppressed findings (marked) in comments and body.
    pub show_suppressed: bool,
    /// The most inline comments the review carries (the most severe findings get them); the
    /// other anchored findings are listed in the body. `None`: no limit.
    pub inline_limit: Option<usize>,
}

/// What the review does to the PR, as the GitHub API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewEvent {
    Comment,
    RequestChanges,
    Approve,
}

impl ReviewEvent {
    pub const ALL: [ReviewEvent; 3] = [
        ReviewEvent::Comment,
        ReviewEvent::RequestChanges,
        ReviewEvent::Approve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewEvent::Comment => "COMMENT",
            ReviewEvent::RequestChanges => "REQUEST_CHANGES",
            ReviewEvent::Approve => "APPROVE",
        }
    }

    /// The event named exactly (case-sensitively, as the API and `--review-event` take it).
    pub fn parse(text: &str) -> Option<ReviewEvent> {
        ReviewEvent::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

/// Characters a description may take in a comment or the body.
const PROSE_LIMIT: usize = 200;

/// A new finding's place in the diff.
struct Anchor<'a> {
    path: &'a str,
    position: u32,
    /// The anchored line's current text, for a suggestion that keeps it.
    line_text: &'a str,
}

/// Where `finding` can be commented on: its first line, when the diff shows that line. The
/// lookup is by the exact repo-relative path the diff names, so an absolute path never anchors.
fn anchor<'a>(finding: &'a Finding, positions: &'a DiffPositions) -> Option<Anchor<'a>> {
    let path = file_path(finding)?;
    let line = line_number(finding.line_start)?;
    Some(Anchor {
        path,
        position: positions.position(path, line)?,
        line_text: positions.line_text(path, line)?,
    })
}

struct InlineComment<'a> {
    path: &'a str,
    position: u32,
    body: String,
}

/// The review as GitHub's create-review API takes it: pretty JSON (2-space indent, keys sorted,
/// UTF-8 unescaped), without a trailing newline.
pub fn render_review(changes: &ChangeSet, options: &Review) -> String {
    let show = options.show_suppressed;
    let positions = DiffPositions::parse(options.diff_text);
    let mut anchored: Vec<(&Finding, Anchor)> = changes
        .new
        .iter()
        .filter(|f| is_shown(f, show))
        .filter_map(|f| Some((f, anchor(f, &positions)?)))
        .collect();
    let mut over_limit: Vec<&Finding> = Vec::new();
    if let Some(limit) = options.inline_limit.filter(|&l| l < anchored.len()) {
        // Stable: within a severity the canonical order decides who gets a comment.
        anchored.sort_by_key(|(f, _)| std::cmp::Reverse(f.severity));
        over_limit = anchored
            .split_off(limit)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
    }
    let mut comments: Vec<InlineComment> = anchored
        .into_iter()
        .map(|(f, at)| InlineComment {
            path: at.path,
            position: at.position,
            body: inline_body(f, &at, options),
        })
        .collect();
    // The marker's prefix settles ties, so two findings on one line keep a fixed order.
    comments.sort_by_cached_key(|c| {
        let prefix = extract_fingerprint(&c.body).unwrap_or_default();
        (c.path, c.position, prefix)
    });
    let body = review_body(changes, options, &positions, comments.len(), &over_limit);
    let comments: Vec<Value> = comments
        .into_iter()
        .map(|c| json!({"path": c.path, "position": c.position, "body": c.body}))
        .collect();
    let mut payload = json!({
        "commit_id": options.commit_id,
        "event": options.event.as_str(),
        "body": body,
        "comments": comments,
    });
    // The original's `sort_keys=True`. The workspace enables serde_json's `preserve_order`, so
    // objects keep insertion order; sorting here makes the order independent of that feature.
    payload.sort_all_objects();
    format!("{payload:#}")
}

/// The comment on a finding's line: headline, description, remediation, the fix-it blocks, then
/// the fingerprint marker the Action updates it by.
fn inline_body(finding: &Finding, at: &Anchor, options: &Review) -> String {
    let scanner = match finding.scanner.as_str() {
        "" => "scanner",
        scanner => scanner,
    };
    let headline = format!(
        "**{}: {}** — {}",
        finding.severity.as_str().to_uppercase(),
        markdown::text(scanner),
        title_markdown(finding, options.repo)
    );
    let mut blocks = vec![match suppressed_badge(finding, options.show_suppressed) {
        Some(badge) => format!("{badge} {headline}"),
        None => headline,
    }];
    // Cut, then escaped: the limit counts what the reader sees, and no cut splits an escape.
    let description = first_sentence(&finding.description, PROSE_LIMIT);
    if !description.is_empty() {
        blocks.push(markdown::text(&description));
    }
    let remediation = collapse_whitespace(finding.remediation.as_deref().unwrap_or(""));
    if !remediation.is_empty() {
        blocks.push(format!("_Remediation:_ {}", markdown::text(&remediation)));
    }
    let rule_id = finding.rule_id.as_deref().filter(|r| !r.is_empty());
    if options.suggestions
        && let Some(rule_id) = rule_id
    {
        // A suppressed finding is already silenced; a second mark would only add noise.
        if !finding.is_suppressed()
            && let Some(suggestion) = ignore_next_line(rule_id, at.path, at.line_text)
        {
            blocks.push(suggestion);
        }
        blocks.extend(severity_pin(rule_id, finding.severity));
    }
    add_fingerprint_marker(&blocks.join("\n\n"), &finding.fingerprint)
}

/// The review's own text: the count table, the new findings without an inline anchor, and the
/// fixed ones.
fn review_body(
    changes: &ChangeSet,
    options: &Review,
    positions: &DiffPositions,
    inline: usize,
    over_limit: &[&Finding],
) -> String {
    let words = wording(Surface::Review, options.mode);
    let show = options.show_suppressed;
    let new = changes.new.iter().filter(|f| is_shown(f, show)).count();
    let fixed: Vec<&Finding> = changes.fixed.iter().filter(|f| is_shown(f, show)).collect();
    let fallback = grouped_by_severity(&changes.new, |f| {
        is_shown(f, show) && anchor(f, positions).is_none()
    });
    let fallback_count: usize = fallback.iter().map(|(_, group)| group.len()).sum();
    let mut lines = words.count_table(new, fixed.len());
    lines.extend([
        format!("| Inline comments | {inline} |"),
        format!("| Body fallback | {fallback_count} |"),
        String::new(),
    ]);
    if fallback_count > 0 {
        lines.push(format!(
            "### Findings without inline anchor ({fallback_count})"
        ));
        lines.push(String::new());
        for (severity, group) in fallback {
            push_severity_heading(&mut lines, severity, group.len());
            for finding in group {
                lines.push(body_bullet(finding, options));
                let description = first_sentence(&finding.description, PROSE_LIMIT);
                if !description.is_empty() {
                    lines.push(format!("  {}", markdown::text(&description)));
                }
            }
            lines.push(String::new());
        }
    }
    if !over_limit.is_empty() {
        lines.push(format!(
            "### Beyond the {} inline comments of one review ({})",
            inline,
            over_limit.len()
        ));
        lines.push(String::new());
        for finding in over_limit {
            lines.push(body_bullet(finding, options));
        }
        lines.push(String::new());
    }
    if !fixed.is_empty() {
        lines.push(format!("### {} ({})", words.fixed, fixed.len()));
        lines.push(String::new());
        let short_commit: String = options.commit_id.chars().take(7).collect();
        for finding in fixed {
            lines.push(format!(
                "{} -- Fixed in {}",
                body_bullet(finding, options),
                markdown::code(&short_commit)
            ));
        }
        lines.push(String::new());
    }
    finish(lines)
}

/// `- **<title>** (<scanner>)` and `` `path[:line]` `` when the finding has a file.
fn body_bullet(finding: &Finding, options: &Review) -> String {
    let badge = suppressed_badge(finding, options.show_suppressed)
        .map(|badge| format!("{badge} "))
        .unwrap_or_default();
    let reference = match (file_path(finding), line_number(finding.line_start)) {
        (Some(path), Some(line)) => format!(" {}", markdown::code(&format!("{path}:{line}"))),
        (Some(path), None) => format!(" {}", markdown::code(path)),
        (None, _) => String::new(),
    };
    format!(
        "- {badge}**{}** ({}){reference}",
        title_markdown(finding, options.repo),
        markdown::text(&finding.scanner)
    )
}

/// The title, linked to its CWE entry when the review is for a repo and the finding's CWE is a
/// plain `CWE-<n>` (the long forms some scanners give do not name one page).
fn title_markdown(finding: &Finding, repo: Option<&str>) -> String {
    let number = repo
        .filter(|r| !r.is_empty())
        .and(finding.cwe.as_deref())
        .and_then(cwe_number);
    match number {
        Some(n) => format!(
            "[{}](https://cwe.mitre.org/data/definitions/{n}.html)",
            markdown::text(&finding.title)
        ),
        None => markdown::text(&finding.title),
    }
}

/// `<n>` of a CWE written `CWE-<n>` (any case, surrounding whitespace ignored).
fn cwe_number(cwe: &str) -> Option<&str> {
    let cwe = cwe.trim();
    let prefix = cwe.get(..4)?;
    let digits = &cwe[4..];
    (prefix.eq_ignore_ascii_case("cwe-")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit()))
    .then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::super::appendix;
    use super::*;
    use securescan_model::{Severity, SuppressedBy, Suppression};

    fn a7(show_suppressed: bool) -> Review<'static> {
        Review {
            commit_id: "abc1234def5678",
            diff_text: appendix::DIFF,
            mode: ChangeMode::Diff,
            event: ReviewEvent::Comment,
            repo: Some("o/r"),
            suggestions: true,
            show_suppressed,
            inline_limit: None,
        }
    }

    fn payload(changes: &ChangeSet, options: &Review) -> Value {
        serde_json::from_str(&render_review(changes, options)).unwrap_or_default()
    }

    /// Appendix A.7 with the documented fixes: the suppressed B602 is left out, and the eval
    /// finding anchors on its own line (position 4) with a suggestion that keeps `x = eval(y)`.
    #[test]
    fn appendix_a7_review_with_the_documented_fixes() {
        let expected = r#"{
  "body": "<!-- securescan:diff-review -->\n## SecureScan review\n\n| Change | Count |\n|---|---:|\n| New findings | 2 |\n| Fixed findings | 1 |\n| Inline comments | 1 |\n| Body fallback | 1 |\n\n### Findings without inline anchor (1)\n\n#### Critical (1)\n\n- **CVE-2024-0001 in requests** (trivy) `requirements.txt`\n  Bad bug\n\n### Fixed findings (1)\n\n- **No active firewall detected** (baseline) -- Fixed in `abc1234`\n",
  "comments": [
    {
      "body": "**HIGH: semgrep** — [Use of eval](https://cwe.mitre.org/data/definitions/95.html)\n\nDetected use of eval().\n\n_Remediation:_ Avoid eval.\n\nSuppress this finding by committing this:\n\n```suggestion\n# securescan: ignore-next-line python.lang.security.audit.eval-detected\nx = eval(y)\n```\n\nPin this rule's severity in `.securescan.yml`:\n\n```yaml\nseverity_overrides:\n  python.lang.security.audit.eval-detected: medium\n```\n\n<!-- securescan:fp:698e2557ce15 -->",
      "path": "src/app.py",
      "position": 4
    }
  ],
  "commit_id": "abc1234def5678",
  "event": "COMMENT"
}"#;
        assert_eq!(render_review(&appendix::changes(), &a7(false)), expected);
    }

    /// Shown, the suppressed B602 is where A.7 has it, marked: apart from the mark the body is
    /// the original's byte for byte.
    #[test]
    fn shown_suppressed_findings_make_the_a7_body_plus_their_mark() {
        let original = "<!-- securescan:diff-review -->\n## SecureScan review\n\n| Change | Count |\n|---|---:|\n| New findings | 3 |\n| Fixed findings | 1 |\n| Inline comments | 1 |\n| Body fallback | 2 |\n\n### Findings without inline anchor (2)\n\n#### Critical (1)\n\n- **CVE-2024-0001 in requests** (trivy) `requirements.txt`\n  Bad bug\n\n#### Medium (1)\n\n- **[subprocess_popen_with_shell_equals_true](https://cwe.mitre.org/data/definitions/78.html)** (bandit) `src/run.py:10`\n  subprocess call with shell=True identified, \"security issue\".\n\n### Fixed findings (1)\n\n- **No active firewall detected** (baseline) -- Fixed in `abc1234`\n";
        let review = payload(&appendix::changes(), &a7(true));
        let body = review["body"].as_str().unwrap_or_default();
        assert!(
            body.contains("\n- `[SUPPRESSED:config]` **[subprocess_popen"),
            "{body}"
        );
        assert_eq!(body.replacen("`[SUPPRESSED:config]` ", "", 1), original);
        assert_eq!(review["comments"][0]["position"], 4);
    }

    #[test]
    fn a_shown_suppressed_finding_in_the_diff_is_marked_and_offered_no_ignore() {
        let mut suppressed = appendix::eval();
        suppressed.suppression = Some(Suppression::by(SuppressedBy::Baseline));
        let changes = ChangeSet {
            new: vec![suppressed],
            ..ChangeSet::default()
        };
        let hidden = payload(&changes, &a7(false));
        assert_eq!(hidden["comments"], json!([]));
        let shown = payload(&changes, &a7(true));
        let comment = shown["comments"][0]["body"].as_str().unwrap_or_default();
        assert!(
            comment.starts_with("`[SUPPRESSED:baseline]` **HIGH: semgrep** — "),
            "{comment}"
        );
        assert!(!comment.contains("```suggestion"), "{comment}");
        assert!(comment.contains("```yaml"), "{comment}");
    }

    #[test]
    fn keys_are_sorted_and_there_is_no_trailing_newline() {
        let review = render_review(&appendix::changes(), &a7(false));
        let at = |key: &str| review.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
        assert!(at("body") < at("comments"));
        assert!(at("comments") < at("commit_id"));
        assert!(at("commit_id") < at("event"));
        assert!(at("path") < at("position"));
        assert!(review.ends_with('}'));
        assert!(review.contains(" — "), "UTF-8 is written raw");
    }

    #[test]
    fn without_suggestions_the_comment_has_no_fix_it_blocks() {
        let options = Review {
            suggestions: false,
            ..a7(false)
        };
        let review = payload(&appendix::changes(), &options);
        assert_eq!(
            review["comments"][0]["body"],
            "**HIGH: semgrep** — [Use of eval](https://cwe.mitre.org/data/definitions/95.html)\n\n\
             Detected use of eval().\n\n_Remediation:_ Avoid eval.\n\n\
             <!-- securescan:fp:698e2557ce15 -->"
        );
        assert_eq!(review["comments"][0]["position"], 4);
    }

    #[test]
    fn without_a_repo_titles_are_not_linked() {
        let options = Review {
            repo: None,
            ..a7(true)
        };
        let review = render_review(&appendix::changes(), &options);
        assert!(!review.contains("cwe.mitre.org"), "{review}");
        assert!(review.contains("**HIGH: semgrep** — Use of eval\\n"));
    }

    #[test]
    fn a_finding_outside_the_diff_or_without_a_line_falls_back_to_the_body() {
        let mut elsewhere = appendix::eval();
        elsewhere.line_start = Some(7);
        let mut absolute = appendix::eval();
        absolute.file_path = Some("/work/src/app.py".into());
        let changes = ChangeSet {
            new: vec![elsewhere, absolute],
            ..ChangeSet::default()
        };
        let review = payload(&changes, &a7(false));
        assert_eq!(review["comments"], json!([]));
        let body = review["body"].as_str().unwrap_or_default();
        assert!(body.contains("| Inline comments | 0 |\n| Body fallback | 2 |\n"));
        assert!(body.contains("(semgrep) `/work/src/app.py:42`\n"), "{body}");
        assert!(body.contains("(semgrep) `src/app.py:7`\n"), "{body}");
    }

    #[test]
    fn comments_are_sorted_by_path_position_then_fingerprint() {
        let at = |path: &str, line: u32, fingerprint: &str| {
            let mut finding = appendix::eval();
            finding.file_path = Some(path.into());
            finding.line_start = Some(line);
            finding.fingerprint = fingerprint.into();
            finding
        };
        let diff = format!(
            "{}diff --git a/lib.py b/lib.py\n--- a/lib.py\n+++ b/lib.py\n@@ -0,0 +1 @@\n+z\n",
            appendix::DIFF
        );
        let changes = ChangeSet {
            new: vec![
                at("src/app.py", 42, "bbbbbbbbbbbbbbbb"),
                at("src/app.py", 42, "aaaaaaaaaaaaaaaa"),
                at("src/app.py", 39, "cccccccccccccccc"),
                at("lib.py", 1, "dddddddddddddddd"),
            ],
            ..ChangeSet::default()
        };
        let options = Review {
            diff_text: &diff,
            ..a7(false)
        };
        let review = payload(&changes, &options);
        let order: Vec<(String, u64)> = review["comments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let body = c["body"].as_str().unwrap_or_default();
                let prefix = extract_fingerprint(body).unwrap_or_default();
                (
                    format!("{}:{prefix}", c["path"].as_str().unwrap_or_default()),
                    c["position"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("lib.py:dddddddddddd".to_string(), 1),
                ("src/app.py:cccccccccccc".to_string(), 1),
                ("src/app.py:aaaaaaaaaaaa".to_string(), 4),
                ("src/app.py:bbbbbbbbbbbb".to_string(), 4),
            ]
        );
    }

    #[test]
    fn a_fingerprint_that_cannot_make_a_marker_leaves_the_comment_unmarked() {
        let mut unmarked = appendix::eval();
        unmarked.fingerprint = "not-a-fingerprint".into();
        let changes = ChangeSet {
            new: vec![unmarked],
            ..ChangeSet::default()
        };
        let review = payload(&changes, &a7(false));
        let body = review["comments"][0]["body"].as_str().unwrap_or_default();
        assert!(body.ends_with("medium\n```"), "{body}");
        assert!(!body.contains("securescan:fp:"), "{body}");
    }

    #[test]
    fn an_unmarkable_rule_id_gets_the_pin_but_no_ignore_suggestion() {
        let mut odd = appendix::eval();
        odd.rule_id = Some("npm:lodash@4".into());
        let changes = ChangeSet {
            new: vec![odd],
            ..ChangeSet::default()
        };
        let review = payload(&changes, &a7(false));
        let body = review["comments"][0]["body"].as_str().unwrap_or_default();
        assert!(!body.contains("```suggestion"), "{body}");
        assert!(body.contains("  npm:lodash@4: medium\n"), "{body}");
    }

    #[test]
    fn compare_mode_words_the_body_for_drift() {
        let options = Review {
            mode: ChangeMode::Compare,
            ..a7(false)
        };
        let review = payload(&appendix::changes(), &options);
        let body = review["body"].as_str().unwrap_or_default();
        assert!(
            body.starts_with(
                "<!-- securescan:compare-review -->\n## SecureScan baseline-drift review\n\n\
             | Change | Count |\n|---|---:|\n| New since baseline | 2 |\n\
             | Disappeared since baseline | 1 |\n"
            ),
            "{body}"
        );
        assert!(
            body.contains("\n### Disappeared since baseline (1)\n\n"),
            "{body}"
        );
    }

    #[test]
    fn an_empty_change_set_is_a_bare_table() {
        let review = render_review(&ChangeSet::default(), &a7(false));
        assert_eq!(
            review,
            "{\n  \"body\": \"<!-- securescan:diff-review -->\\n## SecureScan review\\n\\n\
             | Change | Count |\\n|---|---:|\\n| New findings | 0 |\\n| Fixed findings | 0 |\\n\
             | Inline comments | 0 |\\n| Body fallback | 0 |\\n\",\n  \"comments\": [],\n  \
             \"commit_id\": \"abc1234def5678\",\n  \"event\": \"COMMENT\"\n}"
        );
    }

    #[test]
    fn past_the_inline_limit_the_least_severe_anchored_findings_go_to_the_body() {
        let mut diff = String::from(
            "diff --git a/big.py b/big.py\nnew file mode 100644\nindex 000..111\n--- /dev/null\n\
             +++ b/big.py\n@@ -0,0 +1,60 @@\n",
        );
        let mut findings = Vec::new();
        for line in 1..=60u32 {
            diff.push_str(&format!("+x{line} = eval(y)\n"));
            let mut f = appendix::eval();
            f.file_path = Some("big.py".into());
            f.line_start = Some(line);
            f.fingerprint = format!("{line:064x}");
            // Every sixth finding is low: ten of them, the ones past a limit of 50.
            f.severity = if line % 6 == 0 {
                Severity::Low
            } else {
                Severity::High
            };
            findings.push(f);
        }
        let changes = ChangeSet {
            new: findings,
            ..ChangeSet::default()
        };
        let options = Review {
            diff_text: &diff,
            inline_limit: Some(50),
            ..a7(false)
        };
        let review = payload(&changes, &options);
        let comments = review["comments"].as_array().cloned().unwrap_or_default();
        assert_eq!(comments.len(), 50);
        assert!(
            comments
                .iter()
                .all(|c| c["body"].as_str().is_some_and(|b| b.starts_with("**HIGH")))
        );
        let body = review["body"].as_str().unwrap_or_default();
        assert!(
            body.contains("| Inline comments | 50 |\n| Body fallback | 0 |\n"),
            "{body}"
        );
        assert!(
            body.contains("\n### Beyond the 50 inline comments of one review (10)\n\n- **"),
            "{body}"
        );
        assert!(body.contains("`big.py:60`\n"), "{body}");
        let unlimited = payload(
            &changes,
            &Review {
                inline_limit: None,
                ..options
            },
        );
        assert_eq!(unlimited["comments"].as_array().map(Vec::len), Some(60));
    }

    #[test]
    fn review_events_parse_case_sensitively() {
        for event in ReviewEvent::ALL {
            assert_eq!(ReviewEvent::parse(event.as_str()), Some(event));
        }
        assert_eq!(
            ReviewEvent::parse("REQUEST_CHANGES"),
            Some(ReviewEvent::RequestChanges)
        );
        assert_eq!(ReviewEvent::parse("comment"), None);
        assert_eq!(ReviewEvent::parse("Approve"), None);
        assert_eq!(ReviewEvent::parse(""), None);
    }

    #[test]
    fn cwe_links_need_the_short_form() {
        assert_eq!(cwe_number("CWE-95"), Some("95"));
        assert_eq!(cwe_number(" cwe-78 "), Some("78"));
        assert_eq!(cwe_number("CWE-"), None);
        assert_eq!(cwe_number("CWE-89: Improper Neutralization"), None);
        assert_eq!(cwe_number("89"), None);
        assert_eq!(cwe_number("é"), None);
    }

    #[test]
    fn rendering_twice_gives_the_same_bytes() {
        let changes = appendix::changes();
        assert_eq!(
            render_review(&changes, &a7(true)),
            render_review(&changes.clone(), &a7(true))
        );
    }
}
