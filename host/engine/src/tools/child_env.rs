//! The environment a child process runs with: the inherited one, minus the variables that must
//! not reach it, plus the ones it is given.

use std::ffi::{OsStr, OsString};

/// SecureScan's own settings (`SECURESCAN_*`: the server's API key and event-token secret, the
/// AI and ZAP keys). They configure the scanner, not the host: never handed to a tool, never
/// reported as host posture (a read-scoped API caller would see the server's credentials).
pub fn is_own_variable(name: &str) -> bool {
    name.to_ascii_uppercase().starts_with("SECURESCAN_")
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildEnv {
    set: Vec<(OsString, OsString)>,
    removed: Vec<OsString>,
}

impl ChildEnv {
    pub fn new() -> ChildEnv {
        ChildEnv::default()
    }

    /// `name=value` for the child (a later value for the same name wins).
    pub fn set(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> ChildEnv {
        let name = name.as_ref().to_os_string();
        self.removed.retain(|removed| *removed != name);
        self.set.retain(|(set, _)| *set != name);
        self.set.push((name, value.as_ref().to_os_string()));
        self
    }

    /// `name` is not inherited (unless it is also set).
    pub fn remove(mut self, name: impl AsRef<OsStr>) -> ChildEnv {
        let name = name.as_ref().to_os_string();
        self.set.retain(|(set, _)| *set != name);
        self.removed.push(name);
        self
    }

    /// Without SecureScan's own variables ([`is_own_variable`]) as this process has them now.
    pub fn without_own_variables(self) -> ChildEnv {
        std::env::vars_os()
            .map(|(name, _)| name)
            .filter(|name| is_own_variable(&name.to_string_lossy()))
            .fold(self, ChildEnv::remove)
    }

    pub fn apply(&self, command: &mut std::process::Command) {
        for name in &self.removed {
            command.env_remove(name);
        }
        command.envs(self.set.iter().map(|(name, value)| (name, value)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_settings_win_and_removal_undoes_a_setting() {
        let env = ChildEnv::new()
            .set("A", "1")
            .set("B", "2")
            .set("A", "3")
            .remove("B");
        let mut command = std::process::Command::new("env");
        env.apply(&mut command);
        let mut envs: Vec<_> = command.get_envs().collect();
        envs.sort();
        assert_eq!(
            envs,
            vec![
                (OsStr::new("A"), Some(OsStr::new("3"))),
                (OsStr::new("B"), None)
            ]
        );
    }
}
