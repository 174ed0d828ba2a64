//! Snapshot files: the engine's state and the log position it covers.
//!
//! # Layout and rules
//!
//! - One file per snapshot, `snapshots/<position, 20 digits>.snap`: the magic `CVLNSNP1`,
//!   the log position (`u64` LE) up to which every record is in the state and after which
//!   none is, a CRC-32 (`u32` LE) of the rest, then the engine's own snapshot bytes
//!   ([`convolens::Engine::snapshot`], which carry their own version and checksum).
//! - Written to a `.tmp` file, synced, renamed into place, and the directory synced: a
//!   crash leaves either the whole new file or none (leftover `.tmp` files are removed on
//!   start).
//! - On start the newest snapshot that reads and restores is used; a damaged one is
//!   reported and the next older one tried ([`load_newest`]). That is why more than one is
//!   kept, and why the log is pruned only up to the oldest snapshot kept.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The magic at the start of every snapshot file.
pub const SNAPSHOT_MAGIC: &[u8; 8] = b"CVLNSNP1";
const HEADER: usize = 8 + 8 + 4;

/// The snapshot files of `dir`, oldest first, with their positions.
pub fn list(dir: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    crate::wal::numbered_files(dir, ".snap")
}

/// Write a snapshot of state `engine_bytes` covering the log up to `position`, durably.
pub fn write(dir: &Path, position: u64, engine_bytes: &[u8]) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{position:020}.snap"));
    let tmp = dir.join(format!("{position:020}.snap.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(SNAPSHOT_MAGIC)?;
    f.write_all(&position.to_le_bytes())?;
    f.write_all(&crc32fast::hash(engine_bytes).to_le_bytes())?;
    f.write_all(engine_bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, &path)?;
    File::open(dir)?.sync_all()?;
    Ok(path)
}

/// Read a snapshot file: its position and the engine bytes, or what is wrong with it.
pub fn read(path: &Path) -> Result<(u64, Vec<u8>), String> {
    let mut bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if bytes.len() < HEADER || &bytes[..8] != SNAPSHOT_MAGIC {
        return Err("not a snapshot file (bad magic or too short)".into());
    }
    let mut pos = [0u8; 8];
    pos.copy_from_slice(&bytes[8..16]);
    let crc = u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    if crc32fast::hash(&bytes[HEADER..]) != crc {
        return Err("checksum mismatch (truncated or altered)".into());
    }
    bytes.drain(..HEADER);
    Ok((u64::from_le_bytes(pos), bytes))
}

/// A snapshot that could not be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// The file.
    pub path: PathBuf,
    /// What was wrong.
    pub reason: String,
}

/// What [`load_newest`] found: the snapshot used (its position and what `restore` made of
/// it), and every newer one that was rejected.
pub type Loaded<T> = (Option<(u64, T)>, Vec<Rejected>);

/// The newest snapshot whose bytes `restore` accepts: its position and what `restore`
/// made of it, plus every newer snapshot that was rejected (renamed to
/// `<position>.snap.damaged`, so that it never counts among the snapshots kept). Removes
/// leftover `.tmp` files.
pub fn load_newest<T, F>(dir: &Path, mut restore: F) -> io::Result<Loaded<T>>
where
    F: FnMut(&[u8]) -> Result<T, String>,
{
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "tmp") {
            std::fs::remove_file(&path)?;
        }
    }
    let mut rejected = Vec::new();
    for (_, path) in list(dir)?.into_iter().rev() {
        match read(&path).and_then(|(pos, bytes)| Ok((pos, restore(&bytes)?))) {
            Ok(found) => return Ok((Some(found), rejected)),
            Err(reason) => {
                // Set aside, so it never counts among the snapshots kept.
                let aside = path.with_extension("snap.damaged");
                std::fs::rename(&path, &aside)?;
                rejected.push(Rejected {
                    path: aside,
                    reason,
                });
            }
        }
    }
    Ok((None, rejected))
}

/// Delete all but the newest `keep` snapshots (at least one is always kept). Returns the
/// position of the oldest snapshot kept, up to which the log may be pruned.
pub fn prune(dir: &Path, keep: usize) -> io::Result<Option<u64>> {
    let all = list(dir)?;
    let cut = all.len().saturating_sub(keep.max(1));
    for (_, path) in &all[..cut] {
        std::fs::remove_file(path)?;
    }
    Ok(all.get(cut).map(|(pos, _)| *pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cvl-snap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn newest_good_snapshot_wins_and_damaged_ones_are_reported() {
        let dir = tmp("newest");
        write(&dir, 100, b"state-100").unwrap();
        write(&dir, 200, b"state-200").unwrap();
        let p300 = write(&dir, 300, b"state-300").unwrap();
        std::fs::write(dir.join("00000000000000000400.snap.tmp"), b"half").unwrap();
        // Damage the newest: the one before it is used.
        let mut b = std::fs::read(&p300).unwrap();
        let n = b.len() - 1;
        b[n] ^= 1;
        std::fs::write(&p300, &b).unwrap();
        let restore = |b: &[u8]| Ok(String::from_utf8_lossy(b).into_owned());
        let (found, rejected) = load_newest(&dir, restore).unwrap();
        assert_eq!(found, Some((200, "state-200".to_string())));
        assert_eq!(rejected.len(), 1);
        assert!(rejected[0].reason.contains("checksum"));
        assert!(!dir.join("00000000000000000400.snap.tmp").exists());
        assert!(
            rejected[0]
                .path
                .ends_with("00000000000000000300.snap.damaged")
        );
        assert_eq!(list(&dir).unwrap().len(), 2);
        // A snapshot the engine refuses is skipped the same way.
        let (found, rejected) = load_newest(&dir, |b: &[u8]| {
            if b == b"state-200" {
                Err("engine says no".to_string())
            } else {
                Ok(b.len())
            }
        })
        .unwrap();
        assert_eq!(found, Some((100, 9)));
        assert_eq!(rejected.len(), 1);
    }

    #[test]
    fn prune_keeps_the_newest_and_names_the_oldest_kept() {
        let dir = tmp("prune");
        for p in [10, 20, 30] {
            write(&dir, p, b"x").unwrap();
        }
        assert_eq!(prune(&dir, 2).unwrap(), Some(20));
        let left: Vec<u64> = list(&dir).unwrap().iter().map(|x| x.0).collect();
        assert_eq!(left, vec![20, 30]);
        assert_eq!(prune(&dir, 0).unwrap(), Some(30));
    }
}
