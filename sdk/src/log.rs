//! Diagnostics from inside an adapter. In a component they go to the host through the imported
//! `log` interface (the host bounds them); in native tests they go to stderr.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

pub fn emit(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::__private::emit_log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}

pub fn debug(message: &str) {
    emit(Level::Debug, message);
}

pub fn warn(message: &str) {
    emit(Level::Warn, message);
}
