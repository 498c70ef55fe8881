//! GitHub's size limits, applied where the artifacts are rendered so that what the Action posts
//! is accepted as is: a PR comment body of at most 65,536 characters, at most 50 inline comments
//! in one review, and a SARIF upload of at most 25,000 results per run and 10 MB once gzipped
//! and base64-encoded. Each cut says what it left out, in the artifact people read.

use std::io::Write;

use base64::Engine;
use flate2::Compression;
use flate2::write::GzEncoder;
use securescan_model::{Finding, Severity};

/// The longest issue or PR comment body GitHub stores, in characters.
pub const COMMENT_MAX_CHARS: usize = 65_536;
/// The inline comments one review of the Action carries; the others are listed in its body.
pub const INLINE_COMMENTS_MAX: usize = 50;
/// The results GitHub code scanning takes in one SARIF run.
pub const SARIF_RESULTS_MAX: usize = 25_000;
/// The largest SARIF upload, measured gzipped then base64-encoded, as the code-scanning API takes
/// it. GitHub says "10 MB"; the decimal reading is the stricter one.
pub const SARIF_UPLOAD_MAX_BYTES: usize = 10_000_000;

/// `text` gzipped (default level) and base64-encoded: the `sarif` field of GitHub's
/// code-scanning upload.
pub fn gzip_base64(text: &str) -> String {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let gzipped = encoder
        .write_all(text.as_bytes())
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(gzipped)
}

/// A SARIF log cut to GitHub's limits.
#[derive(Debug, Clone, PartialEq)]
pub struct SarifFit {
    pub text: String,
    /// How many findings it holds.
    pub kept: usize,
    /// The findings left out, by severity, most severe first (empty when nothing was cut).
    pub left_out: Vec<(Severity, usize)>,
}

impl SarifFit {
    /// What the PR comment says about a cut SARIF, or `None` when it holds every finding.
    pub fn note(&self) -> Option<String> {
        if self.left_out.is_empty() {
            return None;
        }
        let dropped: usize = self.left_out.iter().map(|(_, n)| n).sum();
        let by_severity: Vec<String> = self
            .left_out
            .iter()
            .map(|(severity, n)| format!("{} {}", severity.as_str(), thousands(*n)))
            .collect();
        Some(format!(
            "> **Note:** the SARIF upload holds {} of the {} new findings: GitHub code scanning \
             takes at most {} results per run and {} MB compressed, so the {} of lowest severity \
             ({}) are left out of it. They are all listed here.",
            thousands(self.kept),
            thousands(self.kept + dropped),
            thousands(SARIF_RESULTS_MAX),
            SARIF_UPLOAD_MAX_BYTES / 1_000_000,
            thousands(dropped),
            by_severity.join(", ")
        ))
    }
}

/// The SARIF `render` makes of the most severe of `findings` that fit GitHub's limits: at most
/// [`SARIF_RESULTS_MAX`], then as many as keep the upload within [`SARIF_UPLOAD_MAX_BYTES`].
/// Lowest severities are dropped first, and within a severity the last in `findings`' order;
/// the kept ones are rendered in that order.
pub fn fit_sarif(findings: &[Finding], render: impl Fn(&[Finding]) -> String) -> SarifFit {
    fit_sarif_within(findings, SARIF_RESULTS_MAX, SARIF_UPLOAD_MAX_BYTES, render)
}

fn fit_sarif_within(
    findings: &[Finding],
    max_results: usize,
    max_bytes: usize,
    render: impl Fn(&[Finding]) -> String,
) -> SarifFit {
    let mut rank: Vec<usize> = (0..findings.len()).collect();
    // Stable: ties keep the findings' own (canonical) order.
    rank.sort_by_key(|&i| std::cmp::Reverse(findings[i].severity));
    let first = |count: usize| -> Vec<Finding> {
        let mut chosen: Vec<usize> = rank[..count].to_vec();
        chosen.sort_unstable();
        chosen.into_iter().map(|i| findings[i].clone()).collect()
    };
    let fits = |text: &str| encoded_len(text) <= max_bytes;
    let mut kept = findings.len().min(max_results);
    let mut text = render(&first(kept));
    if !fits(&text) {
        // The encoded size grows with the findings kept: the largest count that fits, by
        // bisection between none (an empty log always fits) and `kept` (too big).
        let (mut fitting, mut too_big) = (0, kept);
        while too_big - fitting > 1 {
            let middle = fitting + (too_big - fitting) / 2;
            if fits(&render(&first(middle))) {
                fitting = middle;
            } else {
                too_big = middle;
            }
        }
        kept = fitting;
        text = render(&first(kept));
    }
    let mut left_out: Vec<(Severity, usize)> = Vec::new();
    for &i in &rank[kept..] {
        let severity = findings[i].severity;
        match left_out.last_mut() {
            Some((last, n)) if *last == severity => *n += 1,
            _ => left_out.push((severity, 1)),
        }
    }
    SarifFit {
        text,
        kept,
        left_out,
    }
}

/// The length of [`gzip_base64`] of `text`, without keeping the encoding.
pub fn encoded_len(text: &str) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    let gzipped = encoder
        .write_all(text.as_bytes())
        .and_then(|()| encoder.finish())
        .map(|bytes| bytes.len())
        .unwrap_or(usize::MAX / 2);
    gzipped.div_ceil(3) * 4
}

/// `comment` (Markdown from [`super::render_pr_comment`]) within `max_chars` characters, with
/// `notes` (blockquote paragraphs) before its first section. When it does not fit, it is cut
/// before a finding's bullet and ends with how many findings were left out and where the full
/// report is.
pub fn fit_pr_comment(
    comment: &str,
    max_chars: usize,
    notes: &[String],
    details_url: Option<&str>,
) -> String {
    let comment = with_notes(comment, notes);
    if comment.chars().count() <= max_chars {
        return comment;
    }
    let lines: Vec<&str> = comment.lines().collect();
    let bullets = lines.iter().filter(|l| is_bullet(l)).count();
    // The count is at most `bullets`, so this note is at least as long as the final one.
    let reserve = truncation_note(bullets, max_chars, details_url)
        .chars()
        .count();
    let mut used = 0;
    let mut cut = 0;
    for (index, line) in lines.iter().enumerate() {
        let width = line.chars().count() + 1;
        if used + width + reserve > max_chars {
            break;
        }
        used += width;
        if index + 1 == lines.len() || is_bullet(lines[index + 1]) || lines[index + 1].is_empty() {
            cut = index + 1;
        }
    }
    let left_out = lines[cut..].iter().filter(|l| is_bullet(l)).count();
    let mut text: String = lines[..cut].iter().flat_map(|l| [l, "\n"]).collect();
    text.push_str(&truncation_note(left_out, max_chars, details_url));
    text
}

/// A finding's line in the PR comment.
fn is_bullet(line: &str) -> bool {
    line.starts_with("- ")
}

fn truncation_note(left_out: usize, max_chars: usize, details_url: Option<&str>) -> String {
    let report = match details_url {
        Some(url) => format!(" The full report: {url}"),
        None => String::new(),
    };
    format!(
        "\n> **Truncated:** {} more findings are not shown: GitHub takes at most {} characters \
         in a comment.{report}\n",
        thousands(left_out),
        thousands(max_chars)
    )
}

/// `notes` inserted, each a paragraph, before the comment's first `### ` section (at its end
/// when it has none).
fn with_notes(comment: &str, notes: &[String]) -> String {
    if notes.is_empty() {
        return comment.to_string();
    }
    let block: String = notes.iter().map(|n| format!("{n}\n\n")).collect();
    match comment.find("\n### ") {
        Some(at) => format!("{}{block}{}", &comment[..=at], &comment[at + 1..]),
        None => format!("{comment}\n{block}").trim_end().to_string() + "\n",
    }
}

/// `12,345`: counts people read.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{PrComment, appendix, render_pr_comment};
    use super::*;
    use securescan_model::{ChangeMode, ChangeSet};

    fn many(count: usize) -> Vec<Finding> {
        (0..count)
            .map(|i| {
                let mut f = appendix::eval();
                f.line_start = Some(u32::try_from(i + 1).unwrap_or(u32::MAX));
                f.fingerprint = format!("{i:064x}");
                f.severity = [Severity::Low, Severity::High, Severity::Info][i % 3];
                f
            })
            .collect()
    }

    fn comment_of(findings: Vec<Finding>) -> String {
        let changes = ChangeSet {
            new: findings,
            ..ChangeSet::default()
        };
        render_pr_comment(
            &changes,
            &PrComment {
                repo: Some("o/r"),
                sha: Some("abc"),
                mode: ChangeMode::Diff,
                show_suppressed: false,
            },
        )
    }

    #[test]
    fn a_comment_within_the_limit_is_unchanged() {
        let comment = comment_of(many(3));
        assert_eq!(
            fit_pr_comment(&comment, COMMENT_MAX_CHARS, &[], None),
            comment
        );
    }

    #[test]
    fn a_long_comment_is_cut_before_a_bullet_and_counts_what_it_left_out() {
        let comment = comment_of(many(2_000));
        assert!(comment.chars().count() > COMMENT_MAX_CHARS);
        let url = "https://github.com/o/r/actions/runs/7";
        let fitted = fit_pr_comment(&comment, COMMENT_MAX_CHARS, &[], Some(url));
        assert!(fitted.chars().count() <= COMMENT_MAX_CHARS);
        assert!(fitted.starts_with("<!-- securescan:diff -->\n"));
        let shown = fitted.lines().filter(|l| is_bullet(l)).count();
        let note = format!(
            "\n> **Truncated:** {} more findings are not shown: GitHub takes at most 65,536 \
             characters in a comment. The full report: {url}\n",
            thousands(2_000 - shown)
        );
        assert!(fitted.ends_with(&note), "{}", &fitted[fitted.len() - 400..]);
        // Every bullet shown keeps its description line.
        let kept = &fitted[..fitted.len() - note.len()];
        assert!(kept.ends_with("\n\n") || kept.ends_with(".\n"), "{kept:?}");
        assert!(shown > 100);
    }

    #[test]
    fn notes_go_before_the_first_section_and_survive_the_cut() {
        let comment = comment_of(many(2_000));
        let note = "> **Note:** something".to_string();
        let fitted = fit_pr_comment(&comment, 5_000, std::slice::from_ref(&note), None);
        assert!(fitted.chars().count() <= 5_000);
        assert!(
            fitted.contains("| Unchanged findings | 0 |\n\n> **Note:** something\n\n### New"),
            "{fitted}"
        );
        let quiet = fit_pr_comment(
            "<!-- securescan:diff -->\n_No new or fixed findings._\n",
            100,
            &[note],
            None,
        );
        assert_eq!(
            quiet,
            "<!-- securescan:diff -->\n_No new or fixed findings._\n\n> **Note:** something\n"
        );
    }

    fn count_render(findings: &[Finding]) -> String {
        findings
            .iter()
            .map(|f| format!("{}:{}\n", f.severity.as_str(), f.fingerprint))
            .collect()
    }

    #[test]
    fn sarif_beyond_the_result_limit_drops_the_lowest_severities_first() {
        let findings = many(30);
        let fit = fit_sarif_within(&findings, 12, usize::MAX, count_render);
        assert_eq!(fit.kept, 12);
        // 10 high, then 2 of the 10 low (the first two in order); every info is left out.
        assert_eq!(fit.left_out, vec![(Severity::Low, 8), (Severity::Info, 10)]);
        let lines: Vec<&str> = fit.text.lines().collect();
        assert_eq!(lines.iter().filter(|l| l.starts_with("high:")).count(), 10);
        assert_eq!(lines[0], format!("low:{:064x}", 0));
        assert_eq!(lines[1], format!("high:{:064x}", 1));
        assert!(fit.note().is_some_and(
            |n| n.contains("holds 12 of the 30 new findings") && n.contains("(low 8, info 10)")
        ));
    }

    #[test]
    fn sarif_beyond_the_byte_limit_keeps_the_largest_count_that_fits() {
        let findings = many(300);
        let limit = encoded_len(&count_render(&findings)) / 2;
        let fit = fit_sarif_within(&findings, usize::MAX, limit, count_render);
        assert!(encoded_len(&fit.text) <= limit);
        assert!(fit.kept > 0 && fit.kept < 300, "{}", fit.kept);
        let kept_plus_one: Vec<Finding> = {
            let bigger = fit_sarif_within(&findings, fit.kept + 1, usize::MAX, count_render);
            findings
                .iter()
                .filter(|f| bigger.text.contains(&f.fingerprint))
                .cloned()
                .collect()
        };
        assert!(encoded_len(&count_render(&kept_plus_one)) > limit);
    }

    #[test]
    fn sarif_within_the_limits_is_rendered_once_and_whole() {
        let findings = many(5);
        let fit = fit_sarif(&findings, count_render);
        assert_eq!(fit.text, count_render(&findings));
        assert_eq!((fit.kept, fit.note()), (5, None));
    }

    #[test]
    fn gzip_base64_is_what_encoded_len_measures() {
        let text = "x".repeat(100_000);
        assert_eq!(gzip_base64(&text).len(), encoded_len(&text));
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
