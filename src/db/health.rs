//! What `/ready` knows beyond "the database answers": whether the SQLite file is still the
//! one that was opened (a file deleted under a running server takes writes into its unlinked
//! inode, lost at the next start), whether its disk has room, and whether a write failed
//! for want of storage a short while ago.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AppError;

/// How long a storage fault keeps `/ready` failing after the last write it refused.
const FAULT_MEMORY: Duration = Duration::from_secs(30);
/// Below this much free space on the SQLite file's disk, `/ready` fails.
const MIN_FREE_BYTES: u64 = 1024 * 1024;

pub struct Health {
    /// The SQLite file and its identity (device, inode) when it was opened.
    sqlite: Option<(PathBuf, u64, u64)>,
    last_fault: Mutex<Option<(Instant, String)>>,
}

impl Health {
    pub fn new(sqlite: Option<&Path>) -> anyhow::Result<Health> {
        let sqlite = match sqlite {
            Some(path) => {
                let meta = std::fs::metadata(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                Some((path.to_owned(), meta.dev(), meta.ino()))
            }
            None => None,
        };
        Ok(Health {
            sqlite,
            last_fault: Mutex::new(None),
        })
    }

    /// Refuses every database call once the SQLite file is gone or replaced: what would be
    /// written could not be found again.
    pub fn check_file(&self) -> Result<(), AppError> {
        let Some((path, dev, ino)) = &self.sqlite else {
            return Ok(());
        };
        match std::fs::metadata(path) {
            Ok(meta) if meta.dev() == *dev && meta.ino() == *ino => Ok(()),
            Ok(_) => Err(AppError::Storage(format!(
                "database file unavailable: {} was replaced",
                path.display()
            ))),
            Err(e) => Err(AppError::Storage(format!(
                "database file unavailable: {}: {e}",
                path.display()
            ))),
        }
    }

    pub fn remember(&self, fault: &str) {
        if let Ok(mut last) = self.last_fault.lock() {
            *last = Some((Instant::now(), fault.to_owned()));
        }
    }

    pub fn problem(&self) -> Option<String> {
        if let Err(AppError::Storage(fault)) = self.check_file() {
            return Some(fault);
        }
        if let Some((path, _, _)) = &self.sqlite {
            if let Some(free) = free_bytes(path) {
                if free < MIN_FREE_BYTES {
                    return Some(format!("disk full: {free} bytes free for the database"));
                }
            }
        }
        let last = self.last_fault.lock().ok()?;
        match &*last {
            Some((at, fault)) if at.elapsed() < FAULT_MEMORY => Some(fault.clone()),
            _ => None,
        }
    }
}

/// Bytes an unprivileged writer may still use on the file system holding `path`.
fn free_bytes(path: &Path) -> Option<u64> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let c_path = CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs is plain data, for which all-zero bytes are a valid value.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c_path is a valid NUL-terminated string and stat a writable statvfs.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) };
    (rc == 0).then(|| stat.f_bavail.saturating_mul(stat.f_frsize))
}
