//! Built-in host-config audit (BASELINE-*): SSH daemon settings, accounts, permissions of
//! sensitive files, password policy, sudo and cron, kernel parameters, firewall, listening
//! services, pending updates and world-writable files, over what the host probed.
//!
//! The host says which of two audits this is in `settings["mode"]`:
//! - `host`: the running machine. Every check, in the original's order, over absolute paths,
//!   the user's home (`settings["home"]`), host commands and secret-looking environment variables.
//! - `target`: a directory holding a filesystem (a chroot, a mounted image or snapshot). Its
//!   sshd_config, passwd and shadow, as the original did, plus its login.defs and sudoers: they
//!   describe that system just as its passwd does, so an image audit should judge them. Checks
//!   of the running system (kernel, firewall, ports, updates, environment, ~/.ssh) do not apply,
//!   and cron needs world-writable listings that only exist for the live host.
//!
//! A missing or unreadable probe is simply skipped: a non-root scan cannot read /etc/shadow.

mod accounts;
mod cron;
mod environment;
mod firewall;
mod kernel;
mod listening;
mod login_defs;
mod packages;
mod permissions;
mod probes;
mod scope;
mod sshd;
mod sudoers;
mod world_writable;

use securescan_adapter_sdk::prelude::*;

use probes::Probes;

pub struct Baseline;

#[derive(Clone, Copy)]
enum Mode {
    Host,
    Target,
}

impl Mode {
    fn of(input: &Input) -> Result<Mode, ParseError> {
        match input.setting("mode") {
            Some("host") => Ok(Mode::Host),
            Some("target") => Ok(Mode::Target),
            Some(other) => Err(ParseError::Malformed(format!(
                "the `mode` setting is {other:?}; expected `host` or `target`"
            ))),
            None => Err(ParseError::Malformed(
                "the `mode` setting is missing; the host must set it to `host` or `target`".into(),
            )),
        }
    }

    /// The `baseline_scope` metadata every finding carries.
    fn scope(self) -> &'static str {
        match self {
            Mode::Host => "host",
            Mode::Target => "target",
        }
    }
}

impl Adapter for Baseline {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let mode = Mode::of(input)?;
        let mut output = Output::default();
        match mode {
            Mode::Host => audit_host(input, &mut output),
            Mode::Target => audit_target(input, &mut output),
        }
        for finding in &mut output.findings {
            finding
                .metadata
                .insert("baseline_scope", mode.scope().into());
        }
        Ok(output)
    }
}

fn audit_host(input: &Input, out: &mut Output) {
    let probes = Probes::host(input, input.setting("home"));
    sshd::check(&probes, out);
    permissions::check(
        &probes,
        &probes.path(accounts::PASSWD),
        &permissions::PASSWD,
        out,
    );
    permissions::check(
        &probes,
        &probes.path(accounts::SHADOW),
        &permissions::SHADOW,
        out,
    );
    match (
        probes.home_path(".ssh"),
        probes.home_path(".ssh/authorized_keys"),
    ) {
        (Some(ssh_dir), Some(authorized_keys)) => {
            permissions::check(&probes, &ssh_dir, &permissions::SSH_DIR, out);
            permissions::check(
                &probes,
                &authorized_keys,
                &permissions::AUTHORIZED_KEYS,
                out,
            );
        }
        _ => out
            .warnings
            .push("no `home` setting: the ~/.ssh permission checks were skipped".into()),
    }
    firewall::check(&probes, out);
    login_defs::check(&probes, out);
    kernel::check(&probes, out);
    environment::check(&probes, out);
    sudoers::check(&probes, out);
    cron::check(&probes, out);
    if let Some(passwd) = probes.file(&probes.path(accounts::PASSWD)) {
        accounts::check_passwd(&passwd, out);
    }
    if let Some(shadow) = probes.file(&probes.path(accounts::SHADOW)) {
        accounts::check_shadow(&shadow, out);
    }
    listening::check(&probes, out);
    packages::check(&probes, out);
    world_writable::check(&probes, out);
}

fn audit_target(input: &Input, out: &mut Output) {
    let probes = Probes::target(input);
    let sshd_config = probes.path(sshd::CONFIG);
    let passwd = probes.path(accounts::PASSWD);
    let shadow = probes.path(accounts::SHADOW);
    let present = |path: &str| probes.is_regular_file(path);
    if !(present(&sshd_config) || present(&passwd) || present(&shadow)) {
        out.findings
            .push(scope::no_host_config_files(&input.target));
        return;
    }
    if present(&sshd_config) {
        sshd::check(&probes, out);
    }
    if present(&passwd) {
        permissions::check(&probes, &passwd, &permissions::PASSWD, out);
        if let Some(file) = probes.file(&passwd) {
            accounts::check_passwd(&file, out);
        }
    }
    if present(&shadow) {
        permissions::check(&probes, &shadow, &permissions::SHADOW, out);
        if let Some(file) = probes.file(&shadow) {
            accounts::check_shadow(&file, out);
        }
    }
    login_defs::check(&probes, out);
    sudoers::check(&probes, out);
}

securescan_adapter_sdk::export_adapter!(Baseline);

#[cfg(test)]
mod tests;
