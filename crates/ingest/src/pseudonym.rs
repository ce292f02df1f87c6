//! CPR → pseudonymous person key: HMAC-SHA-256 with a secret key kept outside the store.
//!
//! The key comes from the environment variable `SAMTALEBANK_KEY`, or from a key file beside
//! (never inside) the store: `<store>.key`, created with mode 0600 and 32 random bytes the first
//! time. The person key is the first 8 bytes of the HMAC, as a signed 64-bit integer.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use rustc_hash::FxHashMap;
use sha2::Sha256;

pub const KEY_ENV: &str = "SAMTALEBANK_KEY";

/// The most CPR numbers whose keys are kept (about 50 MB).
const PERSONS_CACHED: usize = 1 << 20;

/// Where the key came from (for the summary; never the key itself).
#[derive(Debug, Clone)]
pub enum KeySource {
    Env,
    File(PathBuf),
    NewFile(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Env => write!(f, "${KEY_ENV}"),
            KeySource::File(p) => write!(f, "key file {}", p.display()),
            KeySource::NewFile(p) => {
                write!(f, "new key file {} (mode 0600; keep it safe)", p.display())
            }
        }
    }
}

#[derive(Clone)]
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
    /// Both keys of a CPR number (by its 10 digits as a number), computed once per number.
    persons: FxHashMap<u64, (i64, u32)>,
}

/// The key file that belongs to a store: beside it, named after it.
pub fn key_file_for(store: &Path) -> PathBuf {
    let abs = std::path::absolute(store).unwrap_or_else(|_| store.to_path_buf());
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    abs.with_file_name(format!("{name}.key"))
}

impl Pseudonymiser {
    pub fn new(key: &[u8]) -> Pseudonymiser {
        Pseudonymiser {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length"), // ok: infallible for HMAC
            persons: FxHashMap::default(),
        }
    }

    /// The key from `SAMTALEBANK_KEY`, or the store's key file (created if missing).
    pub fn for_store(store: &Path) -> Result<(Pseudonymiser, KeySource), crate::IngestError> {
        Pseudonymiser::key_for(store).map_err(crate::IngestError::Key)
    }

    fn key_for(store: &Path) -> Result<(Pseudonymiser, KeySource), String> {
        if let Ok(k) = std::env::var(KEY_ENV) {
            if k.len() < 16 {
                return Err(format!("{KEY_ENV} must be at least 16 characters"));
            }
            return Ok((Pseudonymiser::new(k.as_bytes()), KeySource::Env));
        }
        let path = key_file_for(store);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let key = String::from_utf8_lossy(&bytes).trim().to_string();
                if key.len() < 16 {
                    return Err(format!("{}: key file is too short", path.display()));
                }
                Ok((Pseudonymiser::new(key.as_bytes()), KeySource::File(path)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = new_key().map_err(|e| format!("/dev/urandom: {e}"))?;
                write_key_file(&path, &key).map_err(|e| format!("{}: {e}", path.display()))?;
                Ok((Pseudonymiser::new(key.as_bytes()), KeySource::NewFile(path)))
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn mac(&self, prefix: &[u8], value: &[u8]) -> i64 {
        let mut m = self.mac.clone();
        m.update(prefix);
        m.update(value);
        let out = m.finalize().into_bytes();
        let mut b = [0u8; 8];
        b.copy_from_slice(&out[..8]);
        i64::from_be_bytes(b)
    }

    /// The keys of a record from one HMAC-SHA-256(key, `kind` `:` the record's id): the record
    /// key of the cell key method (`rkey`, a uniform 32-bit number: bytes 0–3) and the id as
    /// stored (`samtale_id`/`forloeb_id`: bytes 4–11, a signed 64-bit number). Nobody without
    /// the key can compute either or recover the id (which may hold a CPR number); the same id
    /// always gets the same keys, so a re-delivered record is recognised.
    pub fn record_keys(&self, kind: &str, id: &str) -> (u32, i64) {
        self.record_keys_bytes(kind.as_bytes(), id.as_bytes())
    }

    /// [`Pseudonymiser::record_keys`] of an id's bytes.
    pub fn record_keys_bytes(&self, kind: &[u8], id: &[u8]) -> (u32, i64) {
        let mut m = self.mac.clone();
        m.update(kind);
        m.update(b":");
        m.update(id);
        let out = m.finalize().into_bytes();
        let mut b = [0u8; 8];
        b.copy_from_slice(&out[4..12]);
        (
            u32::from_be_bytes([out[0], out[1], out[2], out[3]]),
            i64::from_be_bytes(b),
        )
    }

    /// The person key of a CPR number's 10 digits (the first 8 bytes of HMAC-SHA-256(key,
    /// `cpr:` + the digits)) and the person's cell key ([`Pseudonymiser::person_cell_key`]), each
    /// computed once per number.
    pub fn cpr_keys(&mut self, digits: [u8; 10]) -> (i64, u32) {
        let n = digits
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d.wrapping_sub(b'0')));
        if let Some(k) = self.persons.get(&n) {
            return *k;
        }
        let person = self.mac(b"cpr:", &digits);
        let k = (person, self.person_cell_key(person));
        // Bounded memory: a register file comes sorted by municipality, so a person's rows are
        // near each other and a fresh cache soon holds the current ones again.
        if self.persons.len() >= PERSONS_CACHED {
            self.persons.clear();
        }
        self.persons.insert(n, k);
        k
    }

    /// Person key of the cell key method: the first 4 bytes of HMAC-SHA-256(key, `pkey:` +
    /// the person's pseudonymous key as 8 big-endian bytes).
    pub fn person_cell_key(&self, person: i64) -> u32 {
        let mut m = self.mac.clone();
        m.update(b"pkey:");
        m.update(&person.to_be_bytes());
        let out = m.finalize().into_bytes();
        u32::from_be_bytes([out[0], out[1], out[2], out[3]])
    }

    /// Person key of an already pseudonymous `person_id` (keyed again, so that both kinds of
    /// input share one key space without colliding).
    pub fn person_id(&self, id: &str) -> i64 {
        self.mac(b"person_id:", id.trim().as_bytes())
    }
}

fn new_key() -> std::io::Result<String> {
    let mut b = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn write_key_file(path: &Path, key: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(key.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}
