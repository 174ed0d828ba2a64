//! A compact copy of chrono-tz's UTC offsets, for builds where size matters more than
//! lookup speed (the `compact` feature; the WebAssembly package turns it on).
//!
//! chrono-tz keeps every zone's whole history as a table of spans (about 875 kB of the
//! WebAssembly module). The engine accepts instants from 2000 to 2100 only, and needs a
//! zone's offset, nothing else (no abbreviations, no DST/standard split). So this table
//! holds, for each of chrono-tz's zone names, the offset at 1970-01-01T00:00Z and every
//! change of offset after it up to 2100, taken from chrono-tz itself: the same answers
//! from 1970 on (`tests` checks every change and a sample of instants against chrono-tz;
//! before 1970 the table answers the offset of 1970). Zones with the same changes (links
//! such as `Asia/Calcutta` → `Asia/Kolkata`) share one entry.
//!
//! Layout of `zones/zones.bin` (one entry per distinct history, found through
//! `index::ZONES`, sorted by name): the offset in force at 1970 (zigzag varint,
//! seconds east of UTC), the number of changes (varint), then per change the seconds
//! since the previous one (the first: since 1970; varint) and the new offset (zigzag
//! varint). Deltas of yearly DST rules repeat, so the table gzips to little.

/// Seconds in a day (as `time::DAY`; not imported: `time` uses this module).
const DAY: i64 = 86_400;

mod index;

use super::varint;

static DATA: &[u8] = include_bytes!("zones/zones.bin");

/// Reads one entry's changes in order: `(instant, offset from then on)`.
struct Changes<'a> {
    bytes: &'a [u8],
    left: u64,
    at: i64,
}

/// A zigzag varint of the table as an offset (seconds east of UTC fit an `i32`).
fn offset(bytes: &mut &[u8]) -> i32 {
    varint::unzigzag(varint::read(bytes)) as i32
}

impl Iterator for Changes<'_> {
    type Item = (i64, i32);

    fn next(&mut self) -> Option<(i64, i32)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        self.at += varint::read(&mut self.bytes) as i64;
        Some((self.at, offset(&mut self.bytes)))
    }
}

/// The offset at 1970 and the changes after it of the zone named `name` (`None`: a name
/// chrono-tz does not know).
fn entry(name: &str) -> Option<(i32, Changes<'static>)> {
    let i = index::ZONES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()?;
    let mut bytes = DATA.get(index::ZONES[i].1 as usize..)?;
    let first = offset(&mut bytes);
    let left = varint::read(&mut bytes);
    Some((first, Changes { bytes, left, at: 0 }))
}

/// Seconds east of UTC in zone `name` at the UTC instant `ts` (0 for an unknown name,
/// which [`chrono_tz::Tz`] cannot hold).
pub(crate) fn offset_at(name: &str, ts: i64) -> i32 {
    let Some((mut offset, changes)) = entry(name) else {
        return 0;
    };
    for (at, o) in changes {
        if at > ts {
            break;
        }
        offset = o;
    }
    offset
}

/// The earliest UTC instant whose local time in zone `name` is `local` (local seconds
/// since 1970 as if they were UTC), or `None` when that local time is skipped (a DST
/// gap): chrono's `from_local_datetime(..).earliest()`.
pub(crate) fn earliest_utc(name: &str, local: i64) -> Option<i64> {
    let (first, changes) = entry(name)?;
    // Every offset in force within a day either side: any reading of `local` is among them.
    let mut candidates = vec![first];
    for (at, o) in changes {
        if at > local + DAY {
            break;
        }
        if at < local - DAY {
            candidates.clear();
        }
        candidates.push(o);
    }
    candidates
        .into_iter()
        .map(|o| local - i64::from(o))
        .filter(|&t| i64::from(offset_at(name, t)) == local - t)
        .min()
}

#[cfg(test)]
mod tests;
