/// The documented exit codes (see `securescan --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok,
    Internal,
    Usage,
    ScannerFailed,
    /// `config validate`: the config has errors.
    ConfigInvalid,
    /// A kept finding is at or above `--fail-on-severity` (or the config's `fail_on_severity`).
    FindingsAtThreshold,
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Internal => 1,
            Exit::Usage => 2,
            Exit::ScannerFailed => 3,
            Exit::ConfigInvalid => 1,
            Exit::FindingsAtThreshold => 4,
            Exit::Interrupted => 130,
        }
    }
}

/// A command that could not do its job: what to tell the user and how to exit.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Internal,
            message: message.into(),
        }
    }
}

pub type CommandResult = Result<Exit, Failure>;
