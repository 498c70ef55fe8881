//! CSV (RFC 4180): one row per finding, CRLF line ends, fields quoted when they must be.

use crate::scan::ScanResult;

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
    push_record(&mut out, HEADER);
    for f in &result.findings {
        let line = f
            .line_start
            .filter(|&line| line > 0)
            .map(|line| line.to_string())
            .unwrap_or_default();
        let truncate = |text: &str| text.chars().take(TEXT_LIMIT).collect::<String>();
        push_record(
            &mut out,
            [
                f.severity.as_str(),
                &f.scanner,
                &f.title,
                f.file_path.as_deref().unwrap_or(""),
                &line,
                f.rule_id.as_deref().unwrap_or(""),
                f.cwe.as_deref().unwrap_or(""),
                &truncate(&f.description),
                &truncate(f.remediation.as_deref().unwrap_or("")),
            ],
        );
    }
    out
}

fn push_record<const N: usize>(out: &mut String, fields: [&str; N]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field);
    }
    out.push_str("\r\n");
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
        push_record(&mut out, ["a", "b,c", ""]);
        assert_eq!(out, "a,\"b,c\",\r\n");
    }
}
