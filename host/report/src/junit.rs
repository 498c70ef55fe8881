//! JUnit XML for CI test-result tabs: one test case per finding, critical and high ones failing.
//! A suppressed finding (listed with `--show-suppressed`) is a skipped test case: it never fails
//! the tab, as it never fails the build.

use std::fmt::Write;

use super::scanner_status;
use securescan_model::{Finding, ScanResult, Severity};

/// Test case names are cut to this many characters; CI tabs truncate long names anyway.
const NAME_LIMIT: usize = 200;

pub fn render(result: &ScanResult) -> String {
    let failing = |f: &Finding| {
        matches!(f.severity, Severity::Critical | Severity::High) && !f.is_suppressed()
    };
    let failures = result.findings.iter().filter(|f| failing(f)).count();
    let skipped = result.findings.iter().filter(|f| f.is_suppressed()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(
        out,
        "<testsuite name=\"SecureScan\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" \
         skipped=\"{skipped}\">",
        result.findings.len()
    );
    push_scanner_properties(&mut out, result);
    for f in &result.findings {
        let name: String = f.title.chars().take(NAME_LIMIT).collect();
        let _ = write!(
            out,
            "<testcase name=\"{}\" classname=\"securescan.{}\"",
            attribute(&name),
            attribute(&f.scanner)
        );
        if let Some(by) = f.suppressed_by() {
            let _ = write!(
                out,
                "><skipped message=\"SUPPRESSED:{}\"/></testcase>",
                attribute(by.as_str())
            );
        } else if failing(f) {
            let body = format!(
                "{}\nFile: {}\nLine: {}\nRemediation: {}",
                f.description,
                f.file_path.as_deref().unwrap_or("N/A"),
                f.line_start
                    .map_or_else(|| "N/A".to_string(), |l| l.to_string()),
                f.remediation.as_deref().unwrap_or("N/A"),
            );
            let _ = write!(
                out,
                "><failure type=\"{}\" message=\"{}\">{}</failure></testcase>",
                f.severity.as_str(),
                attribute(&f.title),
                text(&body)
            );
        } else if f.severity == Severity::Medium {
            let _ = write!(
                out,
                "><system-out>{}</system-out></testcase>",
                text(&f.description)
            );
        } else {
            out.push_str(" />");
        }
    }
    out.push_str("</testsuite>\n");
    out
}

/// How each scanner ended, as suite properties (`securescan.scanner.<id>` = `completed: 3
/// findings`, `skipped: …`, `failed: <kind>: …`, and one `….warning` per warning), so a CI tab
/// without test cases still says whether anything ran.
fn push_scanner_properties(out: &mut String, result: &ScanResult) {
    if result.scanners.is_empty() {
        return;
    }
    out.push_str("<properties>");
    for scanner in &result.scanners {
        let (status, detail) = scanner_status(result, scanner);
        let name = format!("securescan.scanner.{}", scanner.scanner);
        let _ = write!(
            out,
            "<property name=\"{}\" value=\"{}\"/>",
            attribute(&name),
            attribute(&format!("{status}: {detail}"))
        );
        for warning in &scanner.warnings {
            let _ = write!(
                out,
                "<property name=\"{}.warning\" value=\"{}\"/>",
                attribute(&name),
                attribute(warning)
            );
        }
    }
    out.push_str("</properties>");
}

/// XML 1.0 cannot carry these at all, not even as character references.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Character data: markup escaped, CR kept as a reference (parsers fold a raw one into LF),
/// characters XML forbids replaced by U+FFFD.
fn text(value: &str) -> String {
    escape(value, false)
}

/// An attribute value in double quotes: as [`text`], plus the quote, and tab and newline as
/// references since parsers turn raw ones into spaces.
fn attribute(value: &str) -> String {
    escape(value, true)
}

fn escape(value: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_keeps_newlines() {
        assert_eq!(
            text("a < b && c > d\n\"q\" 'a'"),
            "a &lt; b &amp;&amp; c &gt; d\n\"q\" 'a'"
        );
        assert_eq!(text("]]>"), "]]&gt;");
    }

    #[test]
    fn attributes_escape_quotes_and_whitespace_that_parsers_would_fold() {
        assert_eq!(
            attribute("say \"hi\"\n\tnow\r"),
            "say &quot;hi&quot;&#10;&#9;now&#13;"
        );
    }

    #[test]
    fn characters_xml_forbids_become_replacement_characters() {
        assert_eq!(
            text("a\u{0}b\u{1b}[31mc\u{7}"),
            "a\u{FFFD}b\u{FFFD}[31mc\u{FFFD}"
        );
        assert_eq!(
            attribute("\u{FFFE}\u{FFFF}\u{B}\u{C}"),
            "\u{FFFD}".repeat(4)
        );
    }

    #[test]
    fn unicode_outside_the_forbidden_ranges_is_kept() {
        assert_eq!(text("naïve ☃ 𝄞 \u{7f}"), "naïve ☃ 𝄞 \u{7f}");
    }
}
