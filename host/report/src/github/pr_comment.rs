//! The sticky PR comment (§12.5): a count table, then the new and the fixed findings grouped by
//! severity. Byte-compatible with the original, since the Action finds the comment to update by
//! its first line.

use std::collections::BTreeMap;

use super::sentence::first_sentence;
use super::wording::{Surface, wording};
use super::{
    file_path, finish, grouped_by_severity, is_shown, line_number, markdown, push_severity_heading,
    shown, suppressed_badge,
};
use crate::encode_url_path;
use securescan_model::{ChangeMode, ChangeSet, Finding};

/// How to render the PR comment.
#[derive(Debug, Clone, Copy)]
pub struct PrComment<'a> {
    /// `owner/name`; with `sha`, file references link to the blob at that commit.
    pub repo: Option<&'a str>,
    pub sha: Option<&'a str>,
    pub mode: ChangeMode,
    /// List suppressed findings (marked) and count them by mechanism.
    pub show_suppressed: bool,
}

/// Characters a description or remediation may take in the comment.
const PROSE_LIMIT: usize = 120;

/// What only the comment says: the line when nothing changed, and the name of the unchanged row.
fn quiet_wording(mode: ChangeMode) -> (&'static str, &'static str) {
    match mode {
        ChangeMode::Diff => ("_No new or fixed findings._", "Unchanged findings"),
        ChangeMode::Compare => ("_No drift since baseline._", "Still present"),
    }
}

/// The comment's Markdown, ending in one `\n`.
pub fn render_pr_comment(changes: &ChangeSet, options: &PrComment) -> String {
    let words = wording(Surface::PrComment, options.mode);
    let (nothing_changed, unchanged) = quiet_wording(options.mode);
    let show = options.show_suppressed;
    let new = shown(&changes.new, show);
    let fixed = shown(&changes.fixed, show);
    if new.is_empty() && fixed.is_empty() {
        return format!("{}\n{}\n", words.marker, nothing_changed);
    }
    let mut lines = words.count_table(new.len(), fixed.len());
    // Unchanged findings are never listed, so their count is not filtered either.
    lines.push(format!("| {} | {} |", unchanged, changes.unchanged.len()));
    if show && let Some(row) = suppressed_row(changes.new.iter().chain(&changes.fixed)) {
        lines.push(row);
    }
    lines.push(String::new());
    let link = link_base(options);
    section(
        &mut lines,
        words.new,
        &changes.new,
        show,
        link.as_ref(),
        true,
    );
    section(
        &mut lines,
        words.fixed,
        &changes.fixed,
        show,
        link.as_ref(),
        false,
    );
    finish(lines)
}

/// `| Suppressed | T (inline=I, config=C, baseline=B[, <other>=n…]) |`, or `None` when nothing
/// listed is suppressed. The three known mechanisms always appear so the row reads the same
/// from one PR to the next; any other is appended in sorted order.
fn suppressed_row<'a>(findings: impl Iterator<Item = &'a Finding>) -> Option<String> {
    const KNOWN: [&str; 3] = ["inline", "config", "baseline"];
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for by in findings.filter_map(Finding::suppressed_by) {
        *counts.entry(by.to_string()).or_default() += 1;
    }
    let total: usize = counts.values().sum();
    if total == 0 {
        return None;
    }
    let known = KNOWN.map(|reason| format!("{reason}={}", counts.get(reason).unwrap_or(&0)));
    let others = counts
        .iter()
        .filter(|(reason, _)| !KNOWN.contains(&reason.as_str()))
        .map(|(reason, n)| format!("{reason}={n}"));
    let breakdown: Vec<String> = known.into_iter().chain(others).collect();
    // The reasons are metadata a snapshot can carry: quoted like any scanned text.
    let breakdown = markdown::text(&breakdown.join(", "));
    Some(format!("| Suppressed | {total} ({breakdown}) |"))
}

/// `### <title> (<n>)`, then the findings by severity (or `_None._`).
fn section(
    lines: &mut Vec<String>,
    title: &str,
    findings: &[Finding],
    show: bool,
    link: Option<&LinkBase>,
    with_remediation: bool,
) {
    let groups = grouped_by_severity(findings, |f| is_shown(f, show));
    let count: usize = groups.iter().map(|(_, group)| group.len()).sum();
    lines.push(format!("### {title} ({count})"));
    lines.push(String::new());
    if groups.is_empty() {
        lines.push("_None._".to_string());
        lines.push(String::new());
        return;
    }
    for (severity, group) in groups {
        push_severity_heading(lines, severity, group.len());
        for finding in group {
            bullet(lines, finding, show, link, with_remediation);
        }
        lines.push(String::new());
    }
}

fn bullet(
    lines: &mut Vec<String>,
    finding: &Finding,
    show: bool,
    link: Option<&LinkBase>,
    with_remediation: bool,
) {
    let title = markdown::text(&finding.title);
    let mut head = match suppressed_badge(finding, show) {
        Some(badge) => format!("- {badge} **{title}**"),
        None => format!("- **{title}**"),
    };
    if let Some(reference) = file_reference(finding, link) {
        head.push_str(" — ");
        head.push_str(&reference);
    }
    if !finding.scanner.is_empty() {
        head.push_str(&format!(" ([{}])", markdown::text(&finding.scanner)));
    }
    lines.push(head);
    // Cut, then escaped: the limit counts what the reader sees, and no cut splits an escape.
    let description = first_sentence(&finding.description, PROSE_LIMIT);
    if !description.is_empty() {
        lines.push(format!("  {}", markdown::text(&description)));
    }
    let remediation = first_sentence(finding.remediation.as_deref().unwrap_or(""), PROSE_LIMIT);
    if with_remediation && !remediation.is_empty() {
        lines.push(format!("  _Remediation:_ {}", markdown::text(&remediation)));
    }
}

/// Where file links point: `https://github.com/<repo>/blob/<sha>/`.
struct LinkBase(String);

fn link_base(options: &PrComment) -> Option<LinkBase> {
    let repo = options.repo.filter(|r| !r.is_empty())?;
    let sha = options.sha.filter(|s| !s.is_empty())?;
    Some(LinkBase(format!("https://github.com/{repo}/blob/{sha}/")))
}

/// `` `path:line[-end]` `` as a code span, linked to the blob when there is a link base and the
/// path stays inside the repository: an absolute path names a file on the scanning machine (a
/// link would 404), and a `.` or `..` segment would let the browser walk the link out of the
/// blob to any page on github.com.
fn file_reference(finding: &Finding, link: Option<&LinkBase>) -> Option<String> {
    let path = file_path(finding)?;
    let start = line_number(finding.line_start);
    let end = line_number(finding.line_end).filter(|&end| start.is_some_and(|s| s != end));
    let display = match (start, end) {
        (Some(start), Some(end)) => format!("{path}:{start}-{end}"),
        (Some(start), None) => format!("{path}:{start}"),
        (None, _) => path.to_string(),
    };
    let display = markdown::code(&display);
    let inside = !path.starts_with('/') && !path.split('/').any(|s| s == "." || s == "..");
    let Some(LinkBase(base)) = link.filter(|_| inside) else {
        return Some(display);
    };
    let fragment = match (start, end) {
        (Some(start), Some(end)) => format!("#L{start}-L{end}"),
        (Some(start), None) => format!("#L{start}"),
        (None, _) => String::new(),
    };
    Some(format!(
        "[{display}]({base}{}{fragment})",
        encode_url_path(path)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::appendix;
    use super::*;
    use securescan_model::{SuppressedBy, Suppression};

    fn diff(
        repo: Option<&'static str>,
        sha: Option<&'static str>,
        show: bool,
    ) -> PrComment<'static> {
        PrComment {
            repo,
            sha,
            mode: ChangeMode::Diff,
            show_suppressed: show,
        }
    }

    #[test]
    fn appendix_a5_with_links_and_suppressed_findings_is_byte_identical() {
        let expected = "<!-- securescan:diff -->
## SecureScan: dependency & code change review

| Change | Count |
|---|---:|
| New findings | 3 |
| Fixed findings | 1 |
| Unchanged findings | 0 |
| Suppressed | 1 (inline=0, config=1, baseline=0) |

### New findings (3)

#### Critical (1)

- **CVE-2024-0001 in requests** — [`requirements.txt`](https://github.com/o/r/blob/abc1234def/requirements.txt) ([trivy])
  Bad bug
  _Remediation:_ Update to 2.32.0

#### High (1)

- **Use of eval** — [`src/app.py:42`](https://github.com/o/r/blob/abc1234def/src/app.py#L42) ([semgrep])
  Detected use of eval().
  _Remediation:_ Avoid eval.

#### Medium (1)

- `[SUPPRESSED:config]` **subprocess_popen_with_shell_equals_true** — [`src/run.py:10-12`](https://github.com/o/r/blob/abc1234def/src/run.py#L10-L12) ([bandit])
  subprocess call with shell=True identified, \"security issue\".

### Fixed findings (1)

#### Info (1)

- **No active firewall detected** ([baseline])
  Neither ufw nor iptables.
";
        let options = diff(Some("o/r"), Some("abc1234def"), true);
        assert_eq!(render_pr_comment(&appendix::changes(), &options), expected);
    }

    #[test]
    fn appendix_a6_without_links_hides_suppressed_findings_byte_identical() {
        let expected = "<!-- securescan:diff -->
## SecureScan: dependency & code change review

| Change | Count |
|---|---:|
| New findings | 2 |
| Fixed findings | 1 |
| Unchanged findings | 0 |

### New findings (2)

#### Critical (1)

- **CVE-2024-0001 in requests** — `requirements.txt` ([trivy])
  Bad bug
  _Remediation:_ Update to 2.32.0

#### High (1)

- **Use of eval** — `src/app.py:42` ([semgrep])
  Detected use of eval().
  _Remediation:_ Avoid eval.

### Fixed findings (1)

#### Info (1)

- **No active firewall detected** ([baseline])
  Neither ufw nor iptables.
";
        assert_eq!(
            render_pr_comment(&appendix::changes(), &diff(None, None, false)),
            expected
        );
    }

    #[test]
    fn an_empty_change_set_is_the_marker_and_one_sentence() {
        let compare = PrComment {
            mode: ChangeMode::Compare,
            ..diff(Some("o/r"), Some("abc"), false)
        };
        assert_eq!(
            render_pr_comment(&ChangeSet::default(), &compare),
            "<!-- securescan:compare -->\n_No drift since baseline._\n"
        );
        assert_eq!(
            render_pr_comment(&ChangeSet::default(), &diff(None, None, true)),
            "<!-- securescan:diff -->\n_No new or fixed findings._\n"
        );
    }

    #[test]
    fn only_suppressed_changes_render_as_empty_unless_shown() {
        let changes = ChangeSet {
            new: vec![appendix::shell()],
            fixed: Vec::new(),
            unchanged: vec![appendix::eval()],
        };
        assert_eq!(
            render_pr_comment(&changes, &diff(None, None, false)),
            "<!-- securescan:diff -->\n_No new or fixed findings._\n"
        );
        let shown = render_pr_comment(&changes, &diff(None, None, true));
        assert!(shown.contains("| Unchanged findings | 1 |\n"), "{shown}");
        assert!(
            shown.contains("### Fixed findings (0)\n\n_None._\n"),
            "{shown}"
        );
        assert!(shown.ends_with("_None._\n"), "{shown}");
    }

    #[test]
    fn compare_mode_uses_its_own_marker_and_words() {
        let options = PrComment {
            mode: ChangeMode::Compare,
            ..diff(None, None, false)
        };
        let comment = render_pr_comment(&appendix::changes(), &options);
        assert!(comment.starts_with(
            "<!-- securescan:compare -->\n## SecureScan: baseline drift\n\n| Change | Count |\n\
             |---|---:|\n| New since baseline | 2 |\n| Disappeared from baseline (drift?) | 1 |\n\
             | Still present | 0 |\n\n### New since baseline (2)\n"
        ));
        assert!(comment.contains("\n### Disappeared from baseline (drift?) (1)\n"));
    }

    #[test]
    fn unknown_suppression_mechanisms_follow_the_known_ones_sorted() {
        let mut zeta = appendix::eval();
        zeta.suppression = Some(Suppression::by(SuppressedBy::Recorded("zeta".into())));
        let mut alpha = appendix::cve();
        alpha.suppression = Some(Suppression::by(SuppressedBy::Recorded("alpha".into())));
        let mut inline = appendix::firewall();
        inline.suppression = Some(Suppression::by(SuppressedBy::Inline));
        let changes = ChangeSet {
            new: vec![alpha, zeta, appendix::shell()],
            fixed: vec![inline],
            unchanged: Vec::new(),
        };
        let comment = render_pr_comment(&changes, &diff(None, None, true));
        assert!(
            comment.contains(
                "\n| Suppressed | 4 (inline=1, config=1, baseline=0, alpha=1, zeta=1) |\n\n"
            ),
            "{comment}"
        );
    }

    #[test]
    fn an_absolute_path_is_shown_but_never_linked() {
        let mut absolute = appendix::eval();
        absolute.file_path = Some("/home/runner/work/r/src/app.py".into());
        let changes = ChangeSet {
            new: vec![absolute],
            ..ChangeSet::default()
        };
        let comment = render_pr_comment(&changes, &diff(Some("o/r"), Some("abc"), false));
        assert!(
            comment
                .contains("- **Use of eval** — `/home/runner/work/r/src/app.py:42` ([semgrep])\n"),
            "{comment}"
        );
    }

    #[test]
    fn a_path_climbing_out_of_the_repository_is_never_linked() {
        for path in ["../../../evil-org/phish", "src/../../x.py", "./a.py"] {
            let mut climbing = appendix::eval();
            climbing.file_path = Some(path.into());
            let changes = ChangeSet {
                new: vec![climbing],
                ..ChangeSet::default()
            };
            let comment = render_pr_comment(&changes, &diff(Some("o/r"), Some("abc"), false));
            assert!(
                comment.contains(&format!("- **Use of eval** — `{path}:42` ([semgrep])\n")),
                "{comment}"
            );
            assert!(!comment.contains("https://"), "{comment}");
        }
    }

    #[test]
    fn links_need_both_repo_and_sha() {
        let changes = appendix::changes();
        for options in [
            diff(Some("o/r"), None, false),
            diff(None, Some("abc"), false),
            diff(Some(""), Some("abc"), false),
        ] {
            assert!(!render_pr_comment(&changes, &options).contains("https://"));
        }
    }

    #[test]
    fn an_end_line_equal_to_the_start_or_without_a_start_is_not_a_range() {
        let mut no_start = appendix::shell();
        no_start.line_start = None;
        let mut zero = appendix::eval();
        zero.line_start = Some(0);
        let changes = ChangeSet {
            new: vec![zero, no_start],
            ..ChangeSet::default()
        };
        let comment = render_pr_comment(&changes, &diff(Some("o/r"), Some("s"), true));
        assert!(
            comment.contains("[`src/app.py`](https://github.com/o/r/blob/s/src/app.py) "),
            "{comment}"
        );
        assert!(
            comment.contains("[`src/run.py`](https://github.com/o/r/blob/s/src/run.py) "),
            "{comment}"
        );
    }

    #[test]
    fn long_prose_is_cut_to_120_characters_and_empty_prose_is_left_out() {
        let mut wordy = appendix::cve();
        wordy.description = "x".repeat(300);
        wordy.remediation = Some("  ".into());
        wordy.scanner = String::new();
        let changes = ChangeSet {
            new: vec![wordy],
            ..ChangeSet::default()
        };
        let comment = render_pr_comment(&changes, &diff(None, None, false));
        let expected = format!(
            "- **CVE-2024-0001 in requests** — `requirements.txt`\n  {}…\n\n### Fixed",
            "x".repeat(119)
        );
        assert!(comment.contains(&expected), "{comment}");
    }

    #[test]
    fn rendering_twice_gives_the_same_bytes() {
        let options = diff(Some("o/r"), Some("abc1234def"), true);
        let changes = appendix::changes();
        assert_eq!(
            render_pr_comment(&changes, &options),
            render_pr_comment(&changes.clone(), &options)
        );
    }
}
