//! One self-contained HTML report: inline CSS, no scripts, no external resources, and a
//! Content-Security-Policy that forbids loading anything, so opening it never touches the network.

use std::fmt::Write;

use super::{
    by_severity_and_location, compliance_coverage, headline, location, risk_label, scanner_status,
    severity_heading, suppressed_prefix, top_findings,
};
use securescan_model::ScanResult;
use securescan_model::{Explanation, Explanations, Finding, Severity};

const STYLE: &str = "\
body{margin:0;padding:2rem;background:#0f172a;color:#e2e8f0;font:15px/1.5 system-ui,sans-serif}
main{max-width:1100px;margin:0 auto}
h1{margin:0 0 .5rem;font-size:1.8rem}
h2{margin:2.5rem 0 1rem;padding-bottom:.3rem;border-bottom:1px solid #334155;font-size:1.3rem}
h3{margin:1.5rem 0 .5rem;font-size:1.1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:1rem 0}
dt{color:#94a3b8}
dd{margin:0;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse;margin:.5rem 0}
th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;border-bottom:1px solid #1e293b;overflow-wrap:anywhere}
th{color:#94a3b8;font-weight:600}
.risk{display:inline-block;padding:.3rem .8rem;border-radius:999px;font-weight:700}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{flex:1 1 8rem;padding:.8rem 1rem;border-radius:.5rem;background:#1e293b}
.card b{display:block;font-size:1.6rem}
.text{white-space:pre-wrap;color:#cbd5e1}
.muted{color:#94a3b8}
code{font-family:ui-monospace,monospace;font-size:.9em}
.critical{background:#7f1d1d;color:#fecaca}
.high{background:#7c2d12;color:#fed7aa}
.medium{background:#713f12;color:#fef08a}
.low{background:#1e3a8a;color:#bfdbfe}
.info{background:#334155;color:#e2e8f0}
footer{margin-top:3rem;color:#64748b;font-size:.85rem}
";

pub fn render(result: &ScanResult) -> String {
    render_explained(result, &Explanations::default())
}

/// The report with each explained finding's AI explanation and remediation in its row.
pub fn render_explained(result: &ScanResult, explanations: &Explanations) -> String {
    let summary = result.summary();
    let label = risk_label(summary.risk_score);
    let scan_id: String = result.scan_id.chars().take(8).collect();
    let types: Vec<&str> = result.scan_types.iter().map(|t| t.as_str()).collect();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Security Assessment Report — {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&scan_id)
    );
    let _ = write!(
        out,
        "<header>\n<h1>Security Assessment Report</h1>\n\
         <span class=\"risk {}\">Risk Score: {:.1} — {label}</span>\n<dl>\n\
         <dt>Target</dt><dd>{}</dd>\n<dt>Scan ID</dt><dd><code>{}</code></dd>\n\
         <dt>Scan Types</dt><dd>{}</dd>\n<dt>Total Findings</dt><dd>{}</dd>\n</dl>\n</header>\n",
        label.to_lowercase(),
        summary.risk_score,
        escape(&result.target),
        escape(&result.scan_id),
        escape(&types.join(", ")),
        summary.total_findings
    );

    out.push_str("<section>\n<h2>Executive Summary</h2>\n<div class=\"cards\">\n");
    for (severity, count) in [
        (Severity::Critical, summary.critical),
        (Severity::High, summary.high),
        (Severity::Medium, summary.medium),
        (Severity::Low, summary.low),
        (Severity::Info, summary.info),
    ] {
        let _ = writeln!(
            out,
            "<div class=\"card {}\"><b>{count}</b>{}</div>",
            severity.as_str(),
            severity_heading(severity)
        );
    }
    out.push_str("</div>\n");
    let top = top_findings(&result.findings);
    if !top.is_empty() {
        out.push_str("<h3>Top findings</h3>\n<ul>\n");
        for f in top {
            let _ = writeln!(
                out,
                "<li><span class=\"risk {}\">{}</span> {}</li>",
                f.severity.as_str(),
                severity_heading(f.severity),
                escape(&headline(f))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");

    let coverage = compliance_coverage(&result.findings);
    if !coverage.is_empty() {
        out.push_str(
            "<section>\n<h2>Compliance Coverage</h2>\n<table>\n\
             <thead><tr><th>Control</th><th>Findings</th></tr></thead>\n<tbody>\n",
        );
        for (tag, count) in coverage {
            let _ = writeln!(out, "<tr><td>{}</td><td>{count}</td></tr>", escape(tag));
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }

    out.push_str("<section>\n<h2>Findings by Severity</h2>\n");
    let groups = by_severity_and_location(&result.findings);
    if groups.is_empty() {
        out.push_str("<p class=\"muted\">No findings.</p>\n");
    }
    for (severity, group) in groups {
        let _ = write!(
            out,
            "<h3><span class=\"risk {}\">{} ({})</span></h3>\n<table>\n\
             <thead><tr><th>Finding</th><th>Location</th><th>Scanner</th><th>Rule</th></tr></thead>\n<tbody>\n",
            severity.as_str(),
            severity_heading(severity),
            group.len()
        );
        for f in group {
            push_finding_row(&mut out, f, explanations.get(&f.fingerprint));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");

    out.push_str(
        "<section>\n<h2>Scanners</h2>\n<table>\n\
         <thead><tr><th>Scanner</th><th>Type</th><th>Status</th><th>Details</th></tr></thead>\n<tbody>\n",
    );
    for scanner in &result.scanners {
        let (status, detail) = scanner_status(result, scanner);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{status}</td><td>{}",
            escape(&scanner.scanner),
            scanner.scan_type.as_str(),
            escape(&detail)
        );
        for warning in &scanner.warnings {
            let _ = write!(
                out,
                "<div class=\"text\"><span class=\"muted\">Warning:</span> {}</div>",
                escape(warning)
            );
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    let _ = write!(
        out,
        "<footer>SecureScan — Security Assessment Report — Scan {}</footer>\n</main>\n</body>\n</html>\n",
        escape(&result.scan_id)
    );
    out
}

fn push_finding_row(out: &mut String, f: &Finding, ai: Option<&Explanation>) {
    let _ = write!(
        out,
        "<tr><td><strong>{}{}</strong>",
        escape(&suppressed_prefix(f)),
        escape(&headline(f))
    );
    if !f.description.is_empty() {
        let _ = write!(out, "<div class=\"text\">{}</div>", escape(&f.description));
    }
    if let Some(remediation) = &f.remediation {
        let _ = write!(
            out,
            "<div class=\"text\"><span class=\"muted\">Remediation:</span> {}</div>",
            escape(remediation)
        );
    }
    for (label, text) in ai
        .into_iter()
        .flat_map(|ai| {
            [
                ("AI explanation", &ai.explanation),
                ("AI remediation", &ai.remediation),
            ]
        })
        .filter(|(_, text)| !text.trim().is_empty())
    {
        let _ = write!(
            out,
            "<div class=\"text\"><span class=\"muted\">{label}:</span> {}</div>",
            escape(text.trim())
        );
    }
    if let Some(cwe) = &f.cwe {
        let _ = write!(out, "<div class=\"muted\">{}</div>", escape(cwe));
    }
    if !f.compliance_tags.is_empty() {
        let _ = write!(
            out,
            "<div class=\"muted\">Compliance: {}</div>",
            escape(&f.compliance_tags.join(", "))
        );
    }
    let _ = writeln!(
        out,
        "</td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>",
        escape(&location(f).unwrap_or_default()),
        escape(&f.scanner),
        escape(f.rule_id.as_deref().unwrap_or(""))
    );
}

/// Text and attribute values: markup characters as references, control characters (which HTML
/// forbids in documents) as U+FFFD; tab, newline and carriage return are kept.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
    }

    #[test]
    fn control_characters_become_replacement_characters_but_line_breaks_stay() {
        assert_eq!(
            escape("a\u{1b}[31mb\u{0}\u{7f}\none\ttwo\r"),
            "a\u{FFFD}[31mb\u{FFFD}\u{FFFD}\none\ttwo\r"
        );
        assert_eq!(escape("naïve ☃ 𝄞"), "naïve ☃ 𝄞");
    }

    #[test]
    fn an_explained_finding_shows_the_ai_text_escaped() {
        let finding = Finding {
            fingerprint: "fp".into(),
            ..Finding::sample("bandit", "subprocess with shell=True", Severity::High)
        };
        let result = ScanResult {
            scan_id: "id".into(),
            target: "app".into(),
            scan_types: Vec::new(),
            scanners: Vec::new(),
            findings: vec![finding],
        };
        let mut explanations = Explanations::default();
        explanations.insert(
            "fp".into(),
            Explanation {
                explanation: "<script>x</script> runs".into(),
                remediation: "Pass a list.".into(),
            },
        );
        let html = render_explained(&result, &explanations);
        assert!(
            html.contains(
                "<div class=\"text\"><span class=\"muted\">AI explanation:</span> \
                 &lt;script&gt;x&lt;/script&gt; runs</div>\
                 <div class=\"text\"><span class=\"muted\">AI remediation:</span> Pass a list.</div>"
            ),
            "{html}"
        );
        assert!(!render(&result).contains("AI explanation"));
    }

    #[test]
    fn the_stylesheet_loads_nothing() {
        for forbidden in ["url(", "@import", "http", "//"] {
            assert!(!STYLE.contains(forbidden), "{forbidden}");
        }
    }
}
