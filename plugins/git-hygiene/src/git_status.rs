//! What git itself says about the candidate files, from the two `git ls-files` commands the
//! host runs in the target (see the registry entry). Paths are relative to the target.

use std::collections::BTreeSet;

use securescan_adapter_sdk::Input;

/// `git -C <target> ls-files -z --cached -- <patterns>`: files in the index, i.e. committed or
/// about to be.
pub const TRACKED: &str = "git-tracked";
/// `git -C <target> ls-files -z --others --ignored --exclude-standard -- <patterns>`: untracked
/// files git's own ignore rules (every `.gitignore`, `.git/info/exclude`, `core.excludesFile`)
/// exclude, listed one by one.
pub const IGNORED: &str = "git-ignored";

/// Where one candidate file stands with git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In the index: committed (or staged), so in the repository for everyone.
    Tracked,
    /// Untracked and ignored: stays on this machine.
    Ignored,
    /// Untracked and not ignored: the next `git add -A` commits it.
    Untracked,
    /// Not a git work tree, or git could not be run.
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Tracked => "tracked",
            Status::Ignored => "ignored",
            Status::Untracked => "untracked",
            Status::Unknown => "unknown",
        }
    }
}

/// The two listings, or nothing when either command is missing or did not exit 0 (not a git
/// work tree, git not installed, timed out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitView {
    listings: Option<(BTreeSet<String>, BTreeSet<String>)>,
}

impl GitView {
    pub fn from_input(input: &Input) -> GitView {
        let listing = |name: &str| input.command(name)?.succeeded_text().map(|s| split_nul(&s));
        GitView {
            listings: listing(TRACKED).zip(listing(IGNORED)),
        }
    }

    pub fn is_available(&self) -> bool {
        self.listings.is_some()
    }

    pub fn tracks(&self, path: &str) -> bool {
        self.listings
            .as_ref()
            .is_some_and(|(tracked, _)| tracked.contains(path))
    }

    pub fn status(&self, path: &str) -> Status {
        let Some((tracked, ignored)) = &self.listings else {
            return Status::Unknown;
        };
        if tracked.contains(path) {
            Status::Tracked
        } else if ignored.contains(path) || ignored_directory(ignored, path) {
            Status::Ignored
        } else {
            Status::Untracked
        }
    }
}

/// `ls-files --directory` (if a registry ever adds it) collapses an ignored directory to `dir/`.
fn ignored_directory(ignored: &BTreeSet<String>, path: &str) -> bool {
    path.match_indices('/')
        .any(|(at, _)| path.get(..=at).is_some_and(|dir| ignored.contains(dir)))
}

fn split_nul(text: &str) -> BTreeSet<String> {
    text.split('\0')
        .map(|p| p.strip_prefix("./").unwrap_or(p))
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}
