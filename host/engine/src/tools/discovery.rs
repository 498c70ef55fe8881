use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The executable `name` on PATH, else next to the running securescan binary (where an installer
/// may have put bundled tools). Absolute, so the process runs exactly what status reported.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf));
    path_dirs
        .into_iter()
        .chain(exe_dir)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
