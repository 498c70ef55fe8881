//! CSV (RFC 4180): one row per finding, CRLF line ends, fields quoted when they must be.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
//! formula, and finding text comes from scanned content an attacker may write (a title, a path,
//! a description). Such cells get a leading `'`, which spreadsheets show as text (OWASP's CSV
//! injection guidance). Programs reading the CSV see that `'`; the JSON output carries the text
//! unchanged.

use securescan_model::{Finding, ScanResult, SuppressedBy};

const HEADER: [&str; 9] = [
    "severity",
    "scanner",
    "title",
    "file",
    "line",
    "rule_id",
    "cwe",
    "description",
    "remediation",
];

/// Description and remediation are cut to this many characters to keep rows spreadsheet-sized.
const TEXT_LIMIT: usize = 200;

pub fn render(result: &ScanResult) -> String {
    let mut out = String::new();
    // The `suppressed` column is there when suppressed findings are listed (--show-suppressed).
    let with_suppressed = result.findings.iter().any(Finding::is_suppressed);
    let mut header: Vec<&str> = HEADER.to_vec();
    if with_suppressed {
        header.push("suppressed");
    }
    push_record(&mut out, &header);
    for f in &result.findings {
        let line = f
            .line_start
            .filter(|&line| line > 0)
            .map(|line| line.to_string())
            .unwrap_or_default();
        let truncate = |text: &str| text.chars().take(TEXT_LIMIT).collect::<String>();
        let (description, remediation) = (
            truncate(&f.description),
            truncate(f.remediation.as_deref().unwrap_or("")),
        );
        let mut fields = vec![
            f.severity.as_str(),
            &f.scanner,
            &f.title,
            f.file_path.as_deref().unwrap_or(""),
            &line,
            f.rule_id.as_deref().unwrap_or(""),
            f.cwe.as_deref().unwrap_or(""),
            &description,
            &remediation,
        ];
        let by = with_suppressed.then(|| {
            f.suppressed_by()
                .map(SuppressedBy::to_string)
                .unwrap_or_default()
        });
        if let Some(by) = &by {
            fields.push(by);
        }
        push_record(&mut out, &fields);
    }
    out
}

fn push_record(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, &defused(field));
    }
    out.push_str("\r\n");
}

/// The field with a leading `'` when a spreadsheet would take it for a formula.
fn defused(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// Quoted, with inner quotes doubled, when the field holds a comma, quote or line break.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> String {
        let mut out = String::new();
        push_field(&mut out, text);
        out
    }

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_defused() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(defused(formula), format!("'{formula}"));
        }
        assert_eq!(defused("a=b"), "a=b");
        assert_eq!(defused(""), "");
    }

    #[test]
    fn plain_fields_are_written_as_is() {
        assert_eq!(field("src/app.py"), "src/app.py");
        assert_eq!(field(""), "");
        assert_eq!(field("naïve ☃"), "naïve ☃");
    }

    #[test]
    fn inner_quotes_are_doubled_inside_quotes() {
        assert_eq!(
            field(r#"shell=True identified, "security issue"."#),
            r#""shell=True identified, ""security issue"".""#
        );
        assert_eq!(field(r#"say "hi""#), r#""say ""hi""""#);
    }

    #[test]
    fn commas_and_line_breaks_force_quotes() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("one\ntwo"), "\"one\ntwo\"");
        assert_eq!(field("one\r\ntwo"), "\"one\r\ntwo\"");
    }

    #[test]
    fn records_end_in_crlf() {
        let mut out = String::new();
        push_record(&mut out, &["a", "b,c", ""]);
        assert_eq!(out, "a,\"b,c\",\r\n");
    }
}
