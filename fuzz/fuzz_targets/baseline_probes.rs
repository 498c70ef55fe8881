//! Any bytes as what the host probed for a baseline audit: the first byte picks the mode and the
//! probes' modes and exit codes, the rest is split at each 0xFF byte and dealt in turn (over
//! again when it runs out) to the config files, the command outputs and the environment
//! (`NAME=value` lines). Findings or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_sdk::{Adapter, CommandOutput, FileKind, FileMetadata, GatheredFile, Input};

/// Files the checks read, relative to the audited root.
const FILES: &[&str] = &[
    "etc/ssh/sshd_config",
    "etc/ssh/sshd_config.d/50-cloud-init.conf",
    "etc/passwd",
    "etc/shadow",
    "etc/sudoers",
    "etc/sudoers.d/90-users",
    "etc/login.defs",
    "etc/crontab",
    "etc/cron.d/backup",
    "var/spool/cron/crontabs/root",
    "var/spool/cron/root",
    "proc/sys/net/ipv4/ip_forward",
    "proc/sys/net/ipv4/conf/all/accept_redirects",
    "proc/sys/kernel/randomize_va_space",
];

/// Host commands, as the registry entry names them.
const COMMANDS: &[&str] = &[
    "ufw-status",
    "iptables-list",
    "ss-listening",
    "netstat-listening",
    "apt-upgradable",
    "world-writable-etc",
    "world-writable-usr",
    "world-writable-var",
];

fuzz_target!(|data: &[u8]| {
    let (control, rest) = data.split_first().map_or((0, data), |(c, r)| (*c, r));
    let pieces: Vec<&[u8]> = rest.split(|b| *b == 0xff).collect();
    let mut dealt = pieces.iter().copied().cycle();
    let target_mode = control & 1 != 0;
    let (root, mode) = if target_mode {
        ("/mnt/snap/", "target")
    } else {
        ("/", "host")
    };
    let at = |relative: &str| format!("{root}{relative}");

    let mut input = Input {
        target: root.into(),
        ..Input::default()
    };
    input.settings.insert("mode".into(), mode.into());
    if control & 2 == 0 {
        input.settings.insert("home".into(), "/root".into());
    }
    for relative in FILES {
        input.files.push(GatheredFile {
            path: at(relative),
            bytes: dealt.next().unwrap_or_default().to_vec(),
        });
    }
    for (index, name) in COMMANDS.iter().enumerate() {
        // Bit 2 fails the firewall and ss commands (so netstat is read), bit 3 kills the rest.
        let exit_code = match (index, control & 4 != 0, control & 8 != 0) {
            (0..=2, true, _) => Some(1),
            (3.., _, true) => None,
            _ => Some(0),
        };
        input.commands.push(CommandOutput {
            name: (*name).into(),
            exit_code,
            stdout: dealt.next().unwrap_or_default().to_vec(),
        });
    }
    let environment = String::from_utf8_lossy(dealt.next().unwrap_or_default()).into_owned();
    for line in environment.lines() {
        let (name, value) = line.split_once('=').unwrap_or((line, ""));
        input.environment.insert(name.into(), value.into());
    }
    // Bits 4-7: loose permissions on files, then on directories and scripts, symlinks where
    // regular files belong, or no metadata at all.
    if control & 0x80 == 0 {
        let (passwd, shadow, keys) = match control & 0x10 {
            0 => (0o644, 0o640, 0o600),
            _ => (0o666, 0o644, 0o644),
        };
        let (sudoers, ssh_dir, script) = match control & 0x20 {
            0 => (0o440, 0o700, 0o755),
            _ => (0o666, 0o777, 0o777),
        };
        let kind = match control & 0x40 {
            0 => FileKind::Regular,
            _ => FileKind::Symlink,
        };
        let probed = [
            (at("etc/ssh/sshd_config"), kind, 0o644),
            (at("etc/passwd"), FileKind::Regular, passwd),
            (at("etc/shadow"), kind, shadow),
            (at("etc/sudoers"), FileKind::Regular, sudoers),
            ("/root/.ssh".into(), FileKind::Directory, ssh_dir),
            ("/root/.ssh/authorized_keys".into(), kind, keys),
            (at("usr/local/bin/backup.sh"), FileKind::Regular, script),
            (at("etc/login.defs"), FileKind::Missing, 0),
        ];
        for (path, kind, mode) in probed {
            input.metadata.push(FileMetadata {
                path,
                kind,
                mode,
                uid: 0,
                gid: 0,
                size: 0,
            });
        }
    }
    let _ = securescan_adapter_baseline::Baseline::parse(&input);
});
