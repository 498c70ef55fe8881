//! The environment a child process runs with: the inherited one, minus the variables that must
//! not reach it, plus the ones it is given.

use std::ffi::{OsStr, OsString};

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

    /// Everything `other` sets or removes, applied after this environment's.
    pub fn merged(mut self, other: &ChildEnv) -> ChildEnv {
        for name in &other.removed {
            self = self.remove(name);
        }
        for (name, value) in &other.set {
            self = self.set(name, value);
        }
        self
    }

    pub fn apply(&self, command: &mut std::process::Command) {
        for name in &self.removed {
            command.env_remove(name);
        }
        command.envs(self.set.iter().map(|(name, value)| (name, value)));
    }

    /// The value this environment gives `name`, if it sets it.
    pub fn get(&self, name: &str) -> Option<&OsStr> {
        self.set
            .iter()
            .find(|(set, _)| set == name)
            .map(|(_, value)| value.as_os_str())
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
            .merged(&ChildEnv::new().set("A", "3").remove("B"));
        assert_eq!(env.get("A"), Some(OsStr::new("3")));
        assert_eq!(env.get("B"), None);
        let mut command = std::process::Command::new("env");
        env.apply(&mut command);
        let envs: Vec<_> = command.get_envs().collect();
        assert!(envs.contains(&(OsStr::new("B"), None)));
        assert!(envs.contains(&(OsStr::new("A"), Some(OsStr::new("3")))));
    }
}
