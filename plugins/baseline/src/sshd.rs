//! BASELINE-SSH-001..003 over `etc/ssh/sshd_config`, read the way sshd reads it: keywords are
//! case-insensitive, written `Keyword value` or `Keyword=value`, and the first value obtained
//! wins. A `Match` line makes everything after it conditional until the next `Match` or the end
//! of the file, so a setting inside a Match block is never taken as the global value: the global
//! checks look only outside Match blocks, and a Match block that itself enables root login or
//! password authentication is reported as its own finding, at its line, naming the block.
//!
//! `Include` is followed into `etc/ssh/sshd_config.d/` (the Debian/Ubuntu layout, gathered by the
//! host); any other include cannot be read and is reported as a warning, since an included file
//! read earlier can override what the main file says.

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::{Probes, TextFile, file_name, numbered_lines, same_path};

pub const CONFIG: &str = "etc/ssh/sshd_config";
/// The only include directory the host gathers.
pub const DROP_IN_DIR: &str = "etc/ssh/sshd_config.d";
/// sshd's own limit on nested includes.
const MAX_INCLUDE_DEPTH: usize = 16;
/// Included files read in all. Patterns that match their own directory would otherwise re-read
/// it at every level: k patterns, k^16 reads (found by fuzzing).
const MAX_INCLUDED_READS: usize = 256;
/// Where the user edits the setting, whatever path was audited.
const EDIT_HINT: &str = "in /etc/ssh/sshd_config (or the sshd_config.d file that sets it) and restart sshd: sudo systemctl restart sshd";

pub fn check(probes: &Probes, out: &mut Output) {
    let Some(main) = probes.file(&probes.path(CONFIG)) else {
        return;
    };
    let mut reader = Reader {
        probes,
        config: Config::default(),
        warnings: Vec::new(),
        chain: vec![main.path.clone()],
        reads: 0,
    };
    reader.read(&main, 0, &mut None);
    let config = reader.config;
    out.warnings.extend(reader.warnings);

    let root_login_on = |s: &Setting| s.value.eq_ignore_ascii_case("yes");
    let passwords_on = |s: &Setting| !s.value.eq_ignore_ascii_case("no");
    if let Some(setting) = config
        .global("permitrootlogin")
        .filter(|s| root_login_on(s))
    {
        out.findings.push(root_login(setting, None));
    }
    for (setting, block) in config.conditional("permitrootlogin") {
        if root_login_on(setting) {
            out.findings.push(root_login(setting, Some(block)));
        }
    }
    if let Some(setting) = config
        .global("passwordauthentication")
        .filter(|s| passwords_on(s))
    {
        out.findings.push(password_auth(setting, None));
    }
    for (setting, block) in config.conditional("passwordauthentication") {
        if passwords_on(setting) {
            out.findings.push(password_auth(setting, Some(block)));
        }
    }
    // Protocol is not allowed inside Match blocks, so only the global value matters.
    if let Some(setting) = config.global("protocol").filter(|s| s.value != "2") {
        out.findings.push(protocol_one(setting));
    }
}

fn root_login(setting: &Setting, block: Option<&MatchBlock>) -> Finding {
    let description = match block {
        None => "PermitRootLogin is set to 'yes' in sshd_config: anyone holding the root password or a root key can log in as root directly, which invites brute-force attacks on the one account every system has and leaves no record of which person acted.".to_string(),
        Some(block) => format!(
            "PermitRootLogin is set to 'yes' for connections matching `Match {}` ({} line {}): those clients can log in as root directly.",
            block.criteria, block.file, block.line
        ),
    };
    finding(
        "BASELINE-SSH-001",
        Severity::High,
        "SSH root login enabled",
        &description,
        &format!(
            "Set 'PermitRootLogin no' (or 'prohibit-password' where root needs key-only access) {EDIT_HINT}. Administrators log in as themselves and use sudo."
        ),
        setting,
        block,
    )
}

fn password_auth(setting: &Setting, block: Option<&MatchBlock>) -> Finding {
    let scope = match block {
        None => String::new(),
        Some(block) => format!(
            " for connections matching `Match {}` ({} line {})",
            block.criteria, block.file, block.line
        ),
    };
    finding(
        "BASELINE-SSH-002",
        Severity::Medium,
        "SSH password authentication enabled",
        &format!(
            "PasswordAuthentication is '{}'{scope}, so sshd accepts passwords, which can be guessed, brute-forced or phished; key-based authentication is far harder to attack.",
            setting.value
        ),
        &format!(
            "Install SSH keys for every user who needs access, then set 'PasswordAuthentication no' {EDIT_HINT}."
        ),
        setting,
        block,
    )
}

fn protocol_one(setting: &Setting) -> Finding {
    finding(
        "BASELINE-SSH-003",
        Severity::High,
        "SSH Protocol version 1 allowed",
        &format!(
            "SSH Protocol is set to '{}'. Protocol 1 has known cryptographic weaknesses (weak CRC integrity check, session hijacking and key recovery attacks); only protocol 2 should be offered.",
            setting.value
        ),
        &format!(
            "Set 'Protocol 2' (OpenSSH 7.4 and later speak only protocol 2, so the line can also be removed) {EDIT_HINT}."
        ),
        setting,
        None,
    )
}

fn finding(
    rule: &str,
    severity: Severity,
    title: &str,
    description: &str,
    remediation: &str,
    setting: &Setting,
    block: Option<&MatchBlock>,
) -> Finding {
    let finding = Finding::new(title, description, severity)
        .rule(rule)
        .file(&setting.file)
        .lines(setting.line, setting.line)
        .remediation(remediation)
        .meta("setting", setting.keyword.as_str())
        .meta("value", setting.value.as_str());
    match block {
        Some(block) => finding.meta("match", block.criteria.as_str()),
        None => finding,
    }
}

/// One `Keyword value` line, with where it was written.
struct Setting {
    /// As written (for messages); compared lowercased.
    keyword: String,
    value: String,
    file: String,
    line: u32,
    /// Index into `Config::blocks`, or `None` in the global section.
    block: Option<usize>,
}

struct MatchBlock {
    criteria: String,
    file: String,
    line: u32,
}

#[derive(Default)]
struct Config {
    settings: Vec<Setting>,
    blocks: Vec<MatchBlock>,
}

impl Config {
    /// The first value obtained outside any Match block.
    fn global(&self, keyword: &str) -> Option<&Setting> {
        self.settings
            .iter()
            .find(|s| s.block.is_none() && s.keyword.eq_ignore_ascii_case(keyword))
    }

    /// The first value each Match block sets, in file order.
    fn conditional(&self, keyword: &str) -> Vec<(&Setting, &MatchBlock)> {
        self.blocks
            .iter()
            .enumerate()
            .filter_map(|(index, block)| {
                self.settings
                    .iter()
                    .find(|s| s.block == Some(index) && s.keyword.eq_ignore_ascii_case(keyword))
                    .map(|setting| (setting, block))
            })
            .collect()
    }
}

struct Reader<'p, 'a> {
    probes: &'p Probes<'a>,
    config: Config,
    warnings: Vec<String>,
    /// The files being read, outermost first: a file that includes itself (directly or through
    /// others) is not read again.
    chain: Vec<String>,
    reads: usize,
}

impl Reader<'_, '_> {
    /// One warning per distinct message: a fanned-out include repeats the same one endlessly.
    fn warn(&mut self, message: String) {
        if !self.warnings.contains(&message) {
            self.warnings.push(message);
        }
    }
}

impl Reader<'_, '_> {
    /// Read `file` in the Match context `block`, which a `Match` line changes until the end of
    /// the file: an included file starts in its includer's context and cannot change it.
    fn read(&mut self, file: &TextFile, depth: usize, block: &mut Option<usize>) {
        for (number, line) in numbered_lines(&file.text) {
            let Some((keyword, rest)) = split_directive(line) else {
                continue;
            };
            if keyword.eq_ignore_ascii_case("match") {
                self.config.blocks.push(MatchBlock {
                    criteria: rest.to_string(),
                    file: file.path.clone(),
                    line: number,
                });
                *block = Some(self.config.blocks.len() - 1);
            } else if keyword.eq_ignore_ascii_case("include") {
                for pattern in rest.split_whitespace() {
                    self.include(file, number, pattern, depth, *block);
                }
            } else if let Some(value) = first_value(rest) {
                self.config.settings.push(Setting {
                    keyword: keyword.to_string(),
                    value: value.to_string(),
                    file: file.path.clone(),
                    line: number,
                    block: *block,
                });
            }
        }
    }

    fn include(
        &mut self,
        from: &TextFile,
        line: u32,
        pattern: &str,
        depth: usize,
        block: Option<usize>,
    ) {
        if depth + 1 >= MAX_INCLUDE_DEPTH {
            self.warn(format!(
                "{} line {line}: `Include {pattern}` nests more than {MAX_INCLUDE_DEPTH} deep and was not followed",
                from.path
            ));
            return;
        }
        match self.resolve(pattern) {
            Some(files) => {
                for file in files {
                    if self.chain.contains(&file.path) {
                        self.warn(format!(
                            "{} line {line}: `Include {pattern}` includes {} again, inside itself; not read twice",
                            from.path, file.path
                        ));
                        continue;
                    }
                    if self.reads >= MAX_INCLUDED_READS {
                        self.warn(format!(
                            "{} line {line}: more than {MAX_INCLUDED_READS} included files; the rest were not read",
                            from.path
                        ));
                        return;
                    }
                    self.reads += 1;
                    self.chain.push(file.path.clone());
                    let mut context = block;
                    self.read(&file, depth + 1, &mut context);
                    self.chain.pop();
                }
            }
            None => self.warn(format!(
                "{} line {line}: `Include {pattern}` was not followed (only {DROP_IN_DIR}/ is gathered); settings in the included files were not checked and may override those reported",
                from.path
            )),
        }
    }

    /// The gathered files an Include pattern names, or `None` when they were not gathered.
    fn resolve(&self, pattern: &str) -> Option<Vec<TextFile>> {
        // sshd reads relative include paths from /etc/ssh.
        let absolute = if pattern.starts_with('/') {
            pattern.to_string()
        } else {
            format!("/etc/ssh/{pattern}")
        };
        let probed = self.probes.path(&absolute);
        let (dir, name) = probed.rsplit_once('/')?;
        if has_glob(dir) || name.contains('[') {
            return None;
        }
        if same_path(dir, &self.probes.path(DROP_IN_DIR)) {
            let files = self.probes.files_in(dir);
            return Some(
                files
                    .into_iter()
                    .filter(|f| glob_match(name, file_name(&f.path)))
                    .collect(),
            );
        }
        if has_glob(name) {
            return None;
        }
        self.probes.file(&probed).map(|file| vec![file])
    }
}

/// The keyword and the rest of a directive line; `None` for blanks and comments.
fn split_directive(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    Some((keyword, rest))
}

/// The first argument, unquoted; later arguments and trailing comments do not matter here.
fn first_value(rest: &str) -> Option<&str> {
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or(quoted),
        None => rest.split_whitespace().next().unwrap_or(""),
    };
    (!value.is_empty()).then_some(value)
}

fn has_glob(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// Shell-style matching with `*` and `?`, as glob(3) does for a file name.
fn glob_match(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == name.get(n) => {
                p += 1;
                n += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    n = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|&c| c == '*'))
        // Like glob(3), a leading dot must be matched literally.
        && !(name.first() == Some(&'.') && pattern.first() != Some(&'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_accept_equals_tabs_and_quotes() {
        assert_eq!(
            split_directive("\tPermitRootLogin=yes\r"),
            Some(("PermitRootLogin", "yes"))
        );
        assert_eq!(
            split_directive("Match User deploy"),
            Some(("Match", "User deploy"))
        );
        assert_eq!(split_directive("  # PermitRootLogin yes"), None);
        assert_eq!(first_value("\"yes\" # really"), Some("yes"));
        assert_eq!(first_value(""), None);
    }

    #[test]
    fn include_globs_match_like_glob3() {
        assert!(glob_match("*.conf", "50-cloud-init.conf"));
        assert!(glob_match("5?-*.conf", "50-x.conf"));
        assert!(!glob_match("*.conf", "50-x.conf.bak"));
        assert!(!glob_match("*.conf", ".hidden.conf"));
        assert!(glob_match("*", "a"));
    }
}
