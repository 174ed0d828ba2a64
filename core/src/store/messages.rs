//! The message table and its two id indices (inbound ids, outbound ids). An index slot
//! holds only the message's position, four bytes: the id's text is the message's own,
//! reached through the table, so each id is stored once and its index costs a few bytes
//! per message rather than a key and a value.
//!
//! Snapshots see the layout of before: the message vector, then each index as its
//! (id, position) pairs sorted by id (postcard writes a tuple as its parts in turn, so the
//! three parts read as the three fields they were).

use super::{MsgIx, MsgRec};
use crate::model::Direction;
use crate::util::sort::SortSlice as _;
use hashbrown::{DefaultHashBuilder, HashTable};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::hash::BuildHasher;

/// The messages, in arrival order, with their id indices.
#[derive(Clone, Default)]
pub(crate) struct Messages {
    rows: Vec<MsgRec>,
    hasher: DefaultHashBuilder,
    inbound: HashTable<MsgIx>,
    outbound: HashTable<MsgIx>,
}

impl std::ops::Deref for Messages {
    type Target = [MsgRec];

    fn deref(&self) -> &[MsgRec] {
        &self.rows
    }
}

impl std::ops::DerefMut for Messages {
    fn deref_mut(&mut self) -> &mut [MsgRec] {
        &mut self.rows
    }
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages")
            .field("rows", &self.rows)
            .field("inbound", &self.pairs(Direction::Inbound))
            .field("outbound", &self.pairs(Direction::Outbound))
            .finish_non_exhaustive()
    }
}

impl PartialEq for Messages {
    fn eq(&self, o: &Messages) -> bool {
        self.rows == o.rows
            && [Direction::Inbound, Direction::Outbound]
                .into_iter()
                .all(|d| self.pairs(d) == o.pairs(d))
    }
}

impl Messages {
    /// The messages `rows`, each indexed under its id and direction.
    pub(crate) fn from_rows(rows: Vec<MsgRec>) -> Messages {
        let mut m = Messages {
            rows,
            ..Messages::default()
        };
        for ix in 0..m.rows.len() as MsgIx {
            m.index(ix);
        }
        m
    }

    /// The rows, taking them out (the indices go with them).
    pub(crate) fn take_rows(&mut self) -> Vec<MsgRec> {
        std::mem::take(self).rows
    }

    /// The message with id `id` in the index of direction `dir`.
    pub(crate) fn find(&self, dir: Direction, id: &str) -> Option<MsgIx> {
        let rows = &self.rows;
        self.table(dir)
            .find(self.hasher.hash_one(id), |&ix| &*rows[ix as usize].id == id)
            .copied()
    }

    /// Append a message whose id is not indexed yet under its direction.
    pub(crate) fn push(&mut self, m: MsgRec) -> MsgIx {
        let ix = self.rows.len() as MsgIx;
        // The row table is the store's largest part: a doubled table of 10M rows would
        // hold up to 10M empty 56-byte slots.
        crate::util::push_growing_by_quarter(&mut self.rows, m);
        self.index(ix);
        ix
    }

    /// The slots the row vector reserves.
    pub(crate) fn capacity(&self) -> usize {
        self.rows.capacity()
    }

    /// The bytes the two indices reserve: a slot and its control byte per bucket.
    pub(crate) fn index_bytes(&self) -> usize {
        let slot = std::mem::size_of::<MsgIx>() + 1;
        (self.inbound.capacity() + self.outbound.capacity()) * slot
    }

    fn table(&self, dir: Direction) -> &HashTable<MsgIx> {
        match dir {
            Direction::Inbound => &self.inbound,
            Direction::Outbound => &self.outbound,
        }
    }

    /// Index row `ix` under its own id and direction.
    fn index(&mut self, ix: MsgIx) {
        let row = &self.rows[ix as usize];
        self.put(row.dir, ix);
    }

    /// Index row `ix` under its id in the index of `dir`, replacing an entry for that id.
    fn put(&mut self, dir: Direction, ix: MsgIx) {
        let Messages {
            rows,
            hasher,
            inbound,
            outbound,
        } = self;
        let table = match dir {
            Direction::Inbound => inbound,
            Direction::Outbound => outbound,
        };
        let id = &*rows[ix as usize].id;
        let hash = hasher.hash_one(id);
        let entry = table.entry(
            hash,
            |&i| &*rows[i as usize].id == id,
            |&i| hasher.hash_one(&*rows[i as usize].id),
        );
        *entry.or_insert(ix).get_mut() = ix;
    }

    /// The index of `dir` as (id, position) pairs, sorted.
    fn pairs(&self, dir: Direction) -> Vec<(&str, MsgIx)> {
        let mut v: Vec<(&str, MsgIx)> = self
            .table(dir)
            .iter()
            .map(|&ix| (&*self.rows[ix as usize].id, ix))
            .collect();
        v.sort_total();
        v
    }

    /// The messages and indices a snapshot held. An index entry must name a message with
    /// that id (as every index written does); a repeated id keeps its last entry.
    fn from_parts(
        rows: Vec<MsgRec>,
        inbound: Vec<(Box<str>, MsgIx)>,
        outbound: Vec<(Box<str>, MsgIx)>,
    ) -> Result<Messages, &'static str> {
        let mut m = Messages {
            rows,
            ..Messages::default()
        };
        for (dir, pairs) in [
            (Direction::Inbound, inbound),
            (Direction::Outbound, outbound),
        ] {
            for (id, ix) in pairs {
                let row = m
                    .rows
                    .get(ix as usize)
                    .ok_or("index references a missing entry")?;
                if *row.id != *id {
                    return Err("message index names a message by another id");
                }
                m.put(dir, ix);
            }
        }
        Ok(m)
    }
}

impl Serialize for Messages {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            &self.rows,
            self.pairs(Direction::Inbound),
            self.pairs(Direction::Outbound),
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Messages {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Messages, D::Error> {
        type Pairs = Vec<(Box<str>, MsgIx)>;
        let (rows, inbound, outbound) = <(Vec<MsgRec>, Pairs, Pairs)>::deserialize(d)?;
        Messages::from_parts(rows, inbound, outbound).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, dir: Direction) -> MsgRec {
        MsgRec::new(id.into(), 0, 0, dir, 1_751_328_000)
    }

    fn table() -> Messages {
        Messages::from_rows(vec![
            row("b", Direction::Inbound),
            row("a", Direction::Outbound),
            row("a", Direction::Inbound),
        ])
    }

    #[test]
    fn the_row_table_grows_by_a_quarter() {
        let mut m = Messages::default();
        // 64 rows at first, 64 more while a quarter is below that minimum (up to 256
        // rows), then a quarter: 320 / 4 = 80 more, 400; 400 / 4 = 100 more, 500.
        // (Doubling would have reserved 512 for 401 rows.)
        let mut caps = Vec::new();
        for i in 0..401 {
            m.push(row(&format!("m{i}"), Direction::Inbound));
            if caps.last() != Some(&m.capacity()) {
                caps.push(m.capacity());
            }
        }
        assert_eq!(caps, [64, 128, 192, 256, 320, 400, 500]);
    }

    /// Each direction has its own index: one id can name an inbound and an outbound
    /// message.
    #[test]
    fn ids_are_found_per_direction() {
        let mut m = table();
        assert_eq!(m.find(Direction::Inbound, "a"), Some(2));
        assert_eq!(m.find(Direction::Outbound, "a"), Some(1));
        assert_eq!(m.find(Direction::Outbound, "b"), None);
        assert_eq!(m.push(row("c", Direction::Outbound)), 3);
        assert_eq!(m.find(Direction::Outbound, "c"), Some(3));
    }

    /// Written as the three fields of before: the rows, then each index's (id, position)
    /// pairs sorted by id.
    #[test]
    fn encodes_as_rows_then_sorted_pairs() {
        let m = table();
        let old = (&m.rows, vec![("a", 2u32), ("b", 0)], vec![("a", 1u32)]);
        let bytes = postcard::to_allocvec(&m).unwrap();
        assert_eq!(bytes, postcard::to_allocvec(&old).unwrap());
        let back: Messages = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.find(Direction::Inbound, "b"), Some(0));
    }

    /// A snapshot's index entry must name a message that exists, by that message's id.
    #[test]
    fn decoding_refuses_entries_that_name_no_such_message() {
        let rows = table().take_rows();
        let bad = |inbound: Vec<(&str, u32)>| {
            let bytes = postcard::to_allocvec(&(&rows, inbound, Vec::<(&str, u32)>::new()));
            postcard::from_bytes::<Messages>(&bytes.unwrap()).is_err()
        };
        assert!(bad(vec![("b", 7)]));
        assert!(bad(vec![("x", 0)]));
        assert!(!bad(vec![("b", 0)]));
    }
}
