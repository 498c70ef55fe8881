//! A PDF 1.4 report written by hand, so no system library is needed: A4 pages, the standard
//! Helvetica fonts in WinAnsiEncoding, uncompressed content streams. The file is pure ASCII (bytes
//! above 0x7F in strings are octal escapes), so it travels as a `String` like the other formats.

use std::fmt::Write;

use super::{
    by_severity_and_location, compliance_coverage, headline, location, risk_label, scanner_status,
    severity_heading, suppressed_prefix, top_findings,
};
use securescan_model::ScanResult;
use securescan_model::{Finding, Severity};

/// A4 in points.
const PAGE_WIDTH: f64 = 595.0;
const PAGE_HEIGHT: f64 = 842.0;
const MARGIN: f64 = 56.0;
const TEXT_WIDTH: f64 = PAGE_WIDTH - 2.0 * MARGIN;
const LEADING: f64 = 1.35;

/// Helvetica advance widths (per 1000 em) of the printable ASCII bytes 0x20..=0x7E, from the
/// standard AFM metrics; every byte above 0x7F counts as 556, a digit's width.
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
];

/// Helvetica-Bold is at most about this much wider than Helvetica; wrapping bold text with the
/// regular widths scaled by it keeps lines inside the margin.
const BOLD_FACTOR: f64 = 1.1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }
}

/// An RGB fill colour as PDF operands.
type Colour = &'static str;
const BLACK: Colour = "0 0 0";
const GREY: Colour = "0.4 0.4 0.4";

fn severity_colour(severity: Severity) -> Colour {
    match severity {
        Severity::Critical => "0.6 0.07 0.07",
        Severity::High => "0.75 0.3 0.05",
        Severity::Medium => "0.6 0.45 0",
        Severity::Low => "0.1 0.25 0.6",
        Severity::Info => GREY,
    }
}

pub fn render(result: &ScanResult) -> String {
    let summary = result.summary();
    let mut page = Layout::new();
    page.text("Security Assessment Report", Font::Bold, 20.0, 0.0, BLACK);
    page.gap(4.0);
    let label = risk_label(summary.risk_score);
    let label_colour = match label {
        "CRITICAL" => severity_colour(Severity::Critical),
        "HIGH" => severity_colour(Severity::High),
        "MEDIUM" => severity_colour(Severity::Medium),
        "LOW" => severity_colour(Severity::Low),
        _ => GREY,
    };
    let score = format!("Risk Score: {:.1} — {label}", summary.risk_score);
    page.text(&score, Font::Bold, 13.0, 0.0, label_colour);
    page.gap(6.0);
    let types: Vec<&str> = result.scan_types.iter().map(|t| t.as_str()).collect();
    for (key, value) in [
        ("Target", result.target.clone()),
        ("Scan ID", result.scan_id.clone()),
        ("Scan Types", types.join(", ")),
        ("Total Findings", summary.total_findings.to_string()),
    ] {
        page.text(&format!("{key}: {value}"), Font::Regular, 10.0, 0.0, BLACK);
    }

    page.heading("Executive Summary");
    let counts = format!(
        "Critical: {}    High: {}    Medium: {}    Low: {}    Info: {}",
        summary.critical, summary.high, summary.medium, summary.low, summary.info
    );
    page.text(&counts, Font::Regular, 10.0, 0.0, BLACK);
    let top = top_findings(&result.findings);
    if !top.is_empty() {
        page.gap(4.0);
        page.text("Top findings:", Font::Bold, 10.0, 0.0, BLACK);
        for f in top {
            let line = format!("[{}] {}", f.severity.as_str().to_uppercase(), headline(f));
            page.text(&line, Font::Regular, 10.0, 12.0, BLACK);
        }
    }

    let coverage = compliance_coverage(&result.findings);
    if !coverage.is_empty() {
        page.heading("Compliance Coverage");
        for (tag, count) in coverage {
            let line = format!(
                "{tag}: {count} finding{}",
                if count == 1 { "" } else { "s" }
            );
            page.text(&line, Font::Regular, 10.0, 0.0, BLACK);
        }
    }

    page.heading("Findings by Severity");
    let groups = by_severity_and_location(&result.findings);
    if groups.is_empty() {
        page.text("No findings.", Font::Regular, 10.0, 0.0, GREY);
    }
    for (severity, group) in groups {
        page.gap(6.0);
        page.keep(12.0 * LEADING + 3.0 * 10.0 * LEADING);
        let heading = format!("{} ({})", severity_heading(severity), group.len());
        page.text(&heading, Font::Bold, 12.0, 0.0, severity_colour(severity));
        for f in group {
            push_finding(&mut page, f);
        }
    }

    page.heading("Scanners");
    for scanner in &result.scanners {
        let (status, detail) = scanner_status(result, scanner);
        let line = format!(
            "{} ({}): {status} — {detail}",
            scanner.scanner,
            scanner.scan_type.as_str()
        );
        page.text(&line, Font::Regular, 10.0, 0.0, BLACK);
        for warning in &scanner.warnings {
            page.text(
                &format!("Warning: {warning}"),
                Font::Regular,
                10.0,
                12.0,
                GREY,
            );
        }
    }
    document(&page.finish())
}

fn push_finding(page: &mut Layout, f: &Finding) {
    page.gap(4.0);
    page.keep(3.0 * 10.0 * LEADING);
    page.text(
        &format!("{}{}", suppressed_prefix(f), headline(f)),
        Font::Bold,
        10.5,
        0.0,
        BLACK,
    );
    let mut facts = Vec::new();
    if let Some(location) = location(f) {
        facts.push(format!("Location: {location}"));
    }
    facts.push(format!("Scanner: {}", f.scanner));
    if let Some(rule) = &f.rule_id {
        facts.push(format!("Rule: {rule}"));
    }
    page.text(&facts.join("  ·  "), Font::Regular, 9.0, 12.0, GREY);
    if let Some(cwe) = &f.cwe {
        page.text(cwe, Font::Regular, 9.0, 12.0, GREY);
    }
    if !f.description.is_empty() {
        page.text(&f.description, Font::Regular, 9.5, 12.0, BLACK);
    }
    if let Some(remediation) = &f.remediation {
        page.text(
            &format!("Remediation: {remediation}"),
            Font::Regular,
            9.5,
            12.0,
            BLACK,
        );
    }
    if !f.compliance_tags.is_empty() {
        let tags = format!("Compliance: {}", f.compliance_tags.join(", "));
        page.text(&tags, Font::Regular, 9.0, 12.0, GREY);
    }
}

/// One line of text placed on a page, already in WinAnsi bytes.
#[derive(Debug)]
struct Placed {
    font: Font,
    size: f64,
    x: f64,
    y: f64,
    colour: Colour,
    text: Vec<u8>,
}

/// Top-to-bottom flow of wrapped lines onto as many pages as they need.
struct Layout {
    pages: Vec<Vec<Placed>>,
    /// Top of the next line.
    y: f64,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Vec::new()],
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    fn gap(&mut self, points: f64) {
        self.y -= points;
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn keep(&mut self, height: f64) {
        if self.y - height < MARGIN {
            self.pages.push(Vec::new());
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    /// A section heading, moved to the next page rather than left alone at the bottom.
    fn heading(&mut self, text: &str) {
        self.gap(14.0);
        self.keep(14.0 * LEADING + 2.0 * 10.0 * LEADING);
        self.text(text, Font::Bold, 14.0, 0.0, BLACK);
        self.gap(3.0);
    }

    fn text(&mut self, text: &str, font: Font, size: f64, indent: f64, colour: Colour) {
        let lead = size * LEADING;
        for line in wrap(&encode(text), font, size, TEXT_WIDTH - indent) {
            self.keep(lead);
            let page = self.pages.last_mut().expect("a page");
            page.push(Placed {
                font,
                size,
                x: MARGIN + indent,
                y: self.y - size,
                colour,
                text: line,
            });
            self.y -= lead;
        }
    }

    /// Each page's content stream, with its footer.
    fn finish(self) -> Vec<String> {
        let count = self.pages.len();
        self.pages
            .into_iter()
            .enumerate()
            .map(|(i, mut lines)| {
                let footer = format!(
                    "SecureScan — Security Assessment Report — page {} of {count}",
                    i + 1
                );
                lines.push(Placed {
                    font: Font::Regular,
                    size: 8.0,
                    x: MARGIN,
                    y: MARGIN / 2.0,
                    colour: GREY,
                    text: encode(&footer),
                });
                let mut stream = String::new();
                for line in lines {
                    let _ = writeln!(
                        stream,
                        "{} rg BT /{} {} Tf {:.2} {:.2} Td ({}) Tj ET",
                        line.colour,
                        line.font.resource(),
                        line.size,
                        line.x,
                        line.y,
                        escape(&line.text)
                    );
                }
                stream
            })
            .collect()
    }
}

/// The full file: catalog, page tree, fonts, info, then a page and its content per stream; the
/// xref table holds each object's byte offset (the file is ASCII, so `len()` counts bytes).
fn document(contents: &[String]) -> String {
    const FIRST_PAGE: usize = 6;
    let kids: Vec<String> = (0..contents.len())
        .map(|i| format!("{} 0 R", FIRST_PAGE + 2 * i))
        .collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            contents.len()
        ),
        font_object("Helvetica"),
        font_object("Helvetica-Bold"),
        "<< /Title (Security Assessment Report) /Producer (SecureScan) >>".to_string(),
    ];
    for (i, content) in contents.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            FIRST_PAGE + 2 * i + 1
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = write!(out, "{} 0 obj\n{object}\nendobj\n", i + 1);
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(out, "{offset:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out
}

fn font_object(name: &str) -> String {
    format!("<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>")
}

/// Text as WinAnsi bytes: line breaks become `\n`, tabs spaces, and anything WinAnsi cannot show
/// (control characters, most of Unicode) `?`.
fn encode(text: &str) -> Vec<u8> {
    let text = text.replace("\r\n", "\n");
    text.chars()
        .map(|c| match c {
            '\n' | '\r' => b'\n',
            '\t' => b' ',
            ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => b'?',
        })
        .collect()
}

/// A literal string's body: `(`, `)` and `\` backslash-escaped, bytes outside printable ASCII as
/// three-digit octal escapes, so the file stays ASCII.
fn escape(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            b' '..=b'~' => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out
}

fn width(b: u8, font: Font, size: f64) -> f64 {
    let units = match b {
        b' '..=b'~' => HELVETICA_WIDTHS[usize::from(b - b' ')],
        _ => 556,
    };
    let factor = match font {
        Font::Regular => 1.0,
        Font::Bold => BOLD_FACTOR,
    };
    f64::from(units) * factor * size / 1000.0
}

/// Greedy word wrap of WinAnsi text into lines at most `max` points wide; each `\n` starts a new
/// line, and a word wider than a whole line is broken where it overflows.
fn wrap(text: &[u8], font: Font, size: f64, max: f64) -> Vec<Vec<u8>> {
    let measure = |s: &[u8]| s.iter().map(|&b| width(b, font, size)).sum::<f64>();
    let space = width(b' ', font, size);
    let mut lines = Vec::new();
    for paragraph in text.split(|&b| b == b'\n') {
        let mut line: Vec<u8> = Vec::new();
        let mut used = 0.0;
        for word in paragraph.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
            let word_width = measure(word);
            if !line.is_empty() && used + space + word_width <= max {
                line.push(b' ');
                line.extend_from_slice(word);
                used += space + word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            used = 0.0;
            for &b in word {
                let w = width(b, font, size);
                if !line.is_empty() && used + w > max {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                }
                line.push(b);
                used += w;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_delimiters_and_write_winansi_bytes_in_octal() {
        assert_eq!(escape(&encode(r"f(x) \ y")), r"f\(x\) \\ y");
        assert_eq!(escape(&encode("Clé — «ok»")), r"Cl\351 \227 \253ok\273");
        assert_eq!(escape(&encode("€ ‘q’ “q”")), r"\200 \221q\222 \223q\224");
    }

    #[test]
    fn characters_outside_winansi_and_controls_become_question_marks() {
        assert_eq!(encode("☃ 𝄞 a\u{1b}[0m\u{7f}"), b"? ? a?[0m?");
        assert_eq!(encode("a\tb\r\nc\rd"), b"a b\nc\nd");
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = encode(&"a fairly ordinary sentence with words ".repeat(20));
        let lines = wrap(&text, Font::Regular, 10.0, 200.0);
        assert!(lines.len() > 5, "{}", lines.len());
        for line in &lines {
            let w: f64 = line.iter().map(|&b| width(b, Font::Regular, 10.0)).sum();
            assert!(w <= 200.0, "{w}: {}", String::from_utf8_lossy(line));
        }
        let rejoined: Vec<u8> = lines.join(&b' ');
        let words = |t: &[u8]| {
            t.split(|&b| b == b' ')
                .filter(|w| !w.is_empty())
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        };
        assert_eq!(words(&rejoined), words(&text));
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_and_newlines_start_lines() {
        let lines = wrap(&encode(&"x".repeat(100)), Font::Bold, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), b"x".repeat(100));
        assert_eq!(
            wrap(b"one\ntwo", Font::Regular, 10.0, 500.0),
            [b"one".to_vec(), b"two".to_vec()]
        );
    }

    /// Parses the xref table at `startxref` and checks every in-use entry points at its object.
    fn check_xref(pdf: &str) -> usize {
        let start: usize = pdf
            .rsplit_once("startxref\n")
            .and_then(|(_, rest)| rest.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref offset");
        let table = pdf[start..].strip_prefix("xref\n").expect("xref at offset");
        let mut lines = table.lines();
        let header = lines.next().expect("subsection header");
        let count: usize = header
            .strip_prefix("0 ")
            .and_then(|n| n.parse().ok())
            .expect("0 N");
        let entries: Vec<&str> = table.as_bytes()[header.len() + 1..]
            .chunks(20)
            .take(count)
            .map(|e| std::str::from_utf8(e).expect("ascii"))
            .collect();
        assert_eq!(entries[0], "0000000000 65535 f \n");
        for (n, entry) in entries.iter().enumerate().skip(1) {
            assert_eq!(entry.len(), 20, "{entry:?}");
            assert!(entry.ends_with(" 00000 n \n"), "{entry:?}");
            let offset: usize = entry[..10].parse().expect("offset");
            assert!(
                pdf[offset..].starts_with(&format!("{n} 0 obj\n")),
                "object {n} is not at {offset}"
            );
        }
        let trailer = &table[header.len() + 1 + 20 * count..];
        assert!(
            trailer.starts_with(&format!("trailer\n<< /Size {count} ")),
            "{trailer}"
        );
        count - 1
    }

    #[test]
    fn xref_offsets_point_at_their_objects_and_lengths_match() {
        let contents = vec![
            "BT (a) Tj ET\n".to_string(),
            "BT (\\227) Tj ET\n".to_string(),
        ];
        let pdf = document(&contents);
        assert!(pdf.starts_with("%PDF-1.4\n") && pdf.ends_with("%%EOF\n"));
        assert!(pdf.is_ascii());
        assert_eq!(check_xref(&pdf), 5 + 2 * contents.len());
        for content in &contents {
            assert!(pdf.contains(&format!(
                "<< /Length {} >>\nstream\n{content}endstream",
                content.len()
            )));
        }
    }

    #[test]
    fn a_long_scan_flows_onto_several_pages_each_with_a_footer() {
        let mut page = Layout::new();
        for i in 0..200 {
            page.text(&format!("line {i}"), Font::Regular, 10.0, 0.0, BLACK);
        }
        let contents = page.finish();
        assert!(contents.len() >= 3, "{}", contents.len());
        let last = contents.len();
        assert!(contents[last - 1].contains(&format!("page {last} of {last}")));
        for content in &contents {
            for line in content.lines() {
                let y: f64 = line
                    .split_once(" Tf ")
                    .and_then(|(_, rest)| rest.split(' ').nth(1))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("{line}"));
                assert!((MARGIN / 2.0..=PAGE_HEIGHT - MARGIN).contains(&y), "{line}");
            }
        }
        let pdf = document(&contents);
        assert_eq!(check_xref(&pdf), 5 + 2 * contents.len());
        assert!(pdf.contains(&format!("/Count {last} >>")));
    }
}
