//! Where the store's bytes go, part by part, for the memory benchmarks: the vectors'
//! reserved bytes measured in place, and everything below them measured by cloning it
//! under the caller's allocation counter. Read-only; nothing here changes the store.

use super::Store;
use super::msg::OutTrack;

/// The bytes a vector reserves: its capacity times its element size.
fn reserved<T>(v: &Vec<T>) -> isize {
    isize::try_from(v.capacity() * std::mem::size_of::<T>()).unwrap_or(isize::MAX)
}

/// The bytes cloning each item allocates below it, summed: `live` is the caller's counter
/// of allocated bytes, read before and after each clone while the clone is alive.
fn heap_of<T, C>(items: &[T], live: &dyn Fn() -> isize, clone: impl Fn(&T) -> C) -> isize {
    items.iter().map(|x| allocated_by(live, || clone(x))).sum()
}

/// The bytes one clone allocates while it is alive.
pub(crate) fn allocated_by<C>(live: &dyn Fn() -> isize, clone: impl FnOnce() -> C) -> isize {
    let before = live();
    let c = clone();
    let bytes = live() - before;
    drop(c);
    bytes
}

impl Store {
    /// The store's parts and their bytes (see the module doc). Without a counting
    /// allocator behind `live`, the cloned parts measure 0.
    pub(crate) fn footprint(&self, live: &dyn Fn() -> isize) -> Vec<(&'static str, isize)> {
        // The id's text; the id indices find it in the row.
        let ids: usize = self.msgs.iter().map(|m| m.id.len()).sum();
        let tracks = self.msgs.iter().filter(|m| m.out.is_some()).count();
        // The set's table, and each record with its counters.
        let records = allocated_by(live, || self.records.0.clone())
            + self
                .records
                .0
                .iter()
                .map(|r| allocated_by(live, || std::sync::Arc::new((**r).clone())))
                .sum::<isize>()
            + allocated_by(live, || self.replies.0.clone())
            + (self.replies.0.iter())
                .map(|r| allocated_by(live, || std::sync::Arc::new((**r).clone())))
                .sum::<isize>();
        let timelines: isize = self.users.iter().map(|u| reserved(&u.timeline)).sum();
        let user_heap = heap_of(&self.users, live, |u| {
            (u.wa_id.clone(), u.bsuid.clone(), u.name.clone())
        }) + self
            .users
            .iter()
            .map(|u| (u.externals.reserved() + u.closes.reserved() + u.reopens.reserved()) as isize)
            .sum::<isize>();
        let other = allocated_by(live, || {
            (
                self.externals.clone(),
                self.spend.clone(),
                self.clicks.clone(),
            )
        }) + allocated_by(live, || (self.agent.clone(), self.stats.clone()));
        vec![
            (
                "message rows (Vec<MsgRec>, capacity)",
                isize::try_from(self.msgs.capacity() * std::mem::size_of::<super::MsgRec>())
                    .unwrap_or(isize::MAX),
            ),
            (
                "message id indices (4-byte slots)",
                isize::try_from(self.msgs.index_bytes()).unwrap_or(isize::MAX),
            ),
            (
                "message ids (one Box<str> per message, found by its index)",
                isize::try_from(ids).unwrap_or(isize::MAX),
            ),
            (
                "inbound data (Box + text/referral)",
                heap_of(&self.msgs, live, |m| m.inbound.clone()),
            ),
            (
                "outbound tracks (Box: statuses, pricing, record pointer)",
                isize::try_from(tracks * std::mem::size_of::<OutTrack>()).unwrap_or(isize::MAX),
            ),
            (
                "outbound records, replies (one shared copy of each)",
                records,
            ),
            (
                "status heap (errors, conversation)",
                heap_of(&self.msgs, live, |m| m.status().more.clone()),
            ),
            (
                "user rows + union-find parents",
                reserved(&self.users) + reserved(&self.parent),
            ),
            ("user strings, externals, closes", user_heap),
            ("user timelines (message indices)", timelines),
            ("externals, spend, clicks, agent, stats", other),
        ]
    }

    /// The message vector's shape: the bytes of one row, the rows held and the slots
    /// reserved.
    pub(crate) fn message_slots(&self) -> (usize, usize, usize) {
        (
            std::mem::size_of::<super::MsgRec>(),
            self.msgs.len(),
            self.msgs.capacity(),
        )
    }
}
