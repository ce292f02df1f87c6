//! Durable files, the one place for the file-system rules every stage relies on:
//!
//! - [`write_atomic`]: a file is replaced whole or not at all (a unique temporary file in the
//!   same directory, fsync, rename, fsync of the directory), so concurrent writers of the same
//!   file never see each other's halves and a crash leaves the old or the new content;
//! - [`sync_dir`]: make a rename or a new file durable;
//! - [`Lock`]: advisory locks on a lock file (`flock`), released by the kernel when the process
//!   dies, so a killed writer never leaves a store or a releases directory locked;
//! - [`sha256_file`], [`Sha256Writer`]: checksums of what was written;
//! - [`open_regular`]: open an input for reading, refusing symbolic links and anything that is not
//!   a regular file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// A file-system operation that failed, with the path it failed on.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Another process holds the lock.
    #[error("{what} is in use by another process ({holder}); {hint}")]
    Busy {
        what: String,
        holder: String,
        hint: String,
    },
    #[error("{0}: is a symbolic link; give the file itself")]
    Symlink(PathBuf),
    #[error("{0}: is not a regular file")]
    NotRegular(PathBuf),
}

pub type Result<T> = std::result::Result<T, FileError>;

/// `map_err` helper: an I/O error on `path`.
pub fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// fsync a directory, so that renames and new files in it survive a crash.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary name beside `path` that no other writer (thread or process) uses.
fn tmp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Is `name` a temporary file of [`write_atomic`] (left by a process killed while writing)?
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Replace `path` with `bytes` atomically and durably, with file mode `mode` (e.g. `0o644`).
/// Concurrent calls for the same path each write their own temporary file; the last rename
/// wins and every reader sees one whole version.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tmp_path(path);
    let write = || -> std::io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(FileError::Io {
            path: path.to_path_buf(),
            source: e,
        });
    }
    sync_dir(dir)
}

/// Create a new file for writing with mode `mode`, failing if it exists (never follows a
/// symbolic link someone left at that name).
pub fn create_new(path: &Path, mode: u32) -> Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(io_err(path))
}

/// Open an input file for reading: a symbolic link or anything but a regular file is refused.
pub fn open_regular(path: &Path) -> Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                FileError::Symlink(path.to_path_buf())
            } else {
                io_err(path)(e)
            }
        })?;
    let meta = f.metadata().map_err(io_err(path))?;
    if !meta.is_file() {
        return Err(FileError::NotRegular(path.to_path_buf()));
    }
    Ok(f)
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(d: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(d.len() * 2);
    for b in d {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Hex SHA-256 of a file's bytes.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// A writer that computes the SHA-256 of what passes through it.
pub struct Sha256Writer<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Sha256Writer<W> {
    pub fn new(inner: W) -> Self {
        Sha256Writer {
            inner,
            hash: Sha256::new(),
        }
    }
    /// The writer and the hex SHA-256 of everything written.
    pub fn finish(self) -> (W, String) {
        (self.inner, hex(&self.hash.finalize()))
    }
}

impl<W: Write> Write for Sha256Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Whether to wait for a lock another process holds, or fail at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Yes,
    No,
}

/// An advisory lock on a lock file, held until dropped (or the process ends).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// The exclusive lock of `path` (created if missing). The holder's process id and start time
    /// are written into the file, so that a refused process can say who holds it. `what` names
    /// the locked thing in the error; `hint` says what to do.
    pub fn exclusive(path: &Path, wait: Wait, what: &str, hint: &str) -> Result<Lock> {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(io_err(path))?;
        match wait {
            Wait::Yes => f.lock().map_err(io_err(path))?,
            Wait::No => match f.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = f.read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(FileError::Busy {
                        what: what.to_string(),
                        holder: if holder.is_empty() {
                            "process unknown".into()
                        } else {
                            holder.to_string()
                        },
                        hint: hint.to_string(),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io_err(path)(e)),
            },
        }
        // Say who holds it (best effort: the lock is what matters).
        let _ = f.set_len(0);
        let _ = std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(0));
        let _ = writeln!(f, "pid {}, since {}", std::process::id(), now_utc_text());
        Ok(Lock { _file: f })
    }

    /// The exclusive lock of `path` if nobody holds it (shared or exclusive); `None` otherwise.
    pub fn try_exclusive(path: &Path) -> Result<Option<Lock>> {
        let f = open_lock_file(path)?;
        match f.try_lock() {
            Ok(()) => Ok(Some(Lock { _file: f })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io_err(path)(e)),
        }
    }

    /// A shared lock of `path`: many holders at once, none while an exclusive one is held
    /// (waits for it). A reader without write access to the directory opens an existing lock
    /// file read-only; `None` if there is none it may open (it then reads unlocked).
    pub fn shared(path: &Path) -> Result<Option<Lock>> {
        let f = match open_lock_file(path) {
            Ok(f) => f,
            Err(_) => match File::open(path) {
                Ok(f) => f,
                Err(_) => return Ok(None),
            },
        };
        f.lock_shared().map_err(io_err(path))?;
        Ok(Some(Lock { _file: f }))
    }
}

fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(io_err(path))
}

/// The current UTC time, to the second.
fn now_utc_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_from_many_threads_leave_one_whole_version_and_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.json");
        std::thread::scope(|s| {
            for t in 0..8u8 {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..20 {
                        write_atomic(path, &vec![b'a' + t; 10_000], 0o644).unwrap();
                    }
                });
            }
        });
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), 10_000);
        assert!(
            bytes.iter().all(|&b| b == bytes[0]),
            "one writer's whole content"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["q.json".to_string()]);
        assert!(is_temporary(
            &tmp_path(&path).file_name().unwrap().to_string_lossy()
        ));
        assert!(!is_temporary("q.json"));
    }

    #[test]
    fn a_second_exclusive_lock_is_refused_with_the_holder_and_granted_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let first = Lock::exclusive(&path, Wait::No, "the store x", "try later").unwrap();
        // flock locks belong to the open file description: a second open in the same process
        // conflicts like another process would.
        let err = Lock::exclusive(&path, Wait::No, "the store x", "try later").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("the store x is in use"), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        assert!(Lock::try_exclusive(&path).unwrap().is_none());
        drop(first);
        assert!(Lock::try_exclusive(&path).unwrap().is_some());
    }

    #[test]
    fn a_shared_lock_blocks_the_exclusive_try_but_not_another_shared_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.lock");
        let a = Lock::shared(&path).unwrap().unwrap();
        let _b = Lock::shared(&path).unwrap().unwrap();
        assert!(Lock::try_exclusive(&path).unwrap().is_none());
        drop(a);
        drop(_b);
        assert!(Lock::try_exclusive(&path).unwrap().is_some());
    }

    #[test]
    fn inputs_that_are_symlinks_or_not_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "a\n").unwrap();
        let link = dir.path().join("samtaler.csv");
        std::os::unix::fs::symlink("/etc/passwd", &link).unwrap();
        assert!(open_regular(&real).is_ok());
        let e = open_regular(&link).unwrap_err();
        assert!(matches!(e, FileError::Symlink(_)), "{e}");
        assert!(e.to_string().contains("symbolic link"));
        assert!(matches!(
            open_regular(dir.path()).unwrap_err(),
            FileError::NotRegular(_)
        ));
    }

    #[test]
    fn checksums_of_a_file_and_of_what_was_written_agree() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let mut w = Sha256Writer::new(Vec::new());
        w.write_all(b"abc").unwrap();
        let (bytes, sum) = w.finish();
        std::fs::write(&path, &bytes).unwrap();
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sum, abc);
        assert_eq!(sha256_file(&path).unwrap(), abc);
        assert_eq!(sha256_hex(b"abc"), abc);
    }

    #[test]
    fn the_lock_holder_text_has_a_plausible_utc_time() {
        let t = now_utc_text();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }
}
