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
    /// Stopped by a signal (Ctrl-C, a CI runner's cancel): 128 + its number, as shells report.
    Signalled(StopSignal),
}

/// The signals that stop a run the way Ctrl-C does: tools killed, temporary checkouts removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    Interrupt,
    Terminate,
    HangUp,
}

impl StopSignal {
    fn number(self) -> u8 {
        match self {
            StopSignal::HangUp => 1,
            StopSignal::Interrupt => 2,
            StopSignal::Terminate => 15,
        }
    }

    /// What happened, for the message on stderr.
    pub fn describe(self) -> &'static str {
        match self {
            StopSignal::HangUp => "hung up (SIGHUP)",
            StopSignal::Interrupt => "interrupted (SIGINT)",
            StopSignal::Terminate => "terminated (SIGTERM)",
        }
    }
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
            Exit::Signalled(signal) => 128 + signal.number(),
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
