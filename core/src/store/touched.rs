//! Which users input changed since the last look: the store's change journal.
//!
//! Every mutation of a user's facts (a message, a status, a record, a close, a click, an
//! identity link) notes the user it touched; the engine drains the journal before a
//! report and refolds only those users (see `crate::engagement::DayCache`). It records
//! facts that changed, not analysis state. A journal entry may name a user that has
//! since been linked to another: readers resolve it with [`super::Store::find`].

use super::UserIx;
use crate::util::sort::SortSlice as _;

/// The users touched since the journal was last taken.
#[derive(Clone, Debug, Default)]
pub(crate) struct Touched {
    /// Touched users (repeats possible; resolve with `find`).
    pub(crate) users: Vec<UserIx>,
    /// More entries than the journal keeps arrived: treat every user as touched.
    pub(crate) overflow: bool,
    /// `Store::last_message_ts` is the maximum of the messages' times, save for those of
    /// users marked dirty since: no time was lowered or removed (when false, the next
    /// `Store::prepare` scans every message).
    pub(crate) last_ts_holds: bool,
    /// Users whose `dirty` flag was set since the last `Store::prepare` (each once).
    pub(crate) dirty: Vec<UserIx>,
}

/// Entries kept before the journal gives up and says "everything" (beyond this, folding
/// every user again costs about what folding the journal's users would).
fn limit(users: usize) -> usize {
    users.saturating_mul(2).max(4096)
}

/// A journal is bookkeeping, not state: two stores with the same facts are equal whatever
/// their journals say.
impl PartialEq for Touched {
    fn eq(&self, _: &Touched) -> bool {
        true
    }
}

impl super::Store {
    /// Note that user `u`'s facts changed.
    pub(crate) fn touch(&mut self, u: UserIx) {
        let t = &mut self.touched;
        if t.overflow {
            return;
        }
        if t.users.len() >= limit(self.users.len()) {
            t.overflow = true;
            t.users = Vec::new();
            return;
        }
        t.users.push(u);
    }

    /// Note that every user may have changed (indices were rewritten, say).
    pub(crate) fn touch_all(&mut self) {
        self.touched = Touched {
            users: Vec::new(),
            overflow: true,
            last_ts_holds: false,
            dirty: std::mem::take(&mut self.touched.dirty),
        };
    }

    /// Note that a message's time was lowered or a message went: the latest message time
    /// must be found again over every message.
    pub(crate) fn lowered_ts(&mut self) {
        self.touched.last_ts_holds = false;
    }

    /// Note that the user of message `ix` changed.
    pub(crate) fn touch_msg(&mut self, ix: super::MsgIx) {
        if let Some(m) = self.msgs.get(ix as usize) {
            let u = self.find(m.user);
            self.touch(u);
        }
    }

    /// Take the journal: every user index touched since the last call (both sides of an
    /// identity link among them), sorted and distinct; `None` when every user may have
    /// changed.
    pub(crate) fn take_touched(&mut self) -> Option<Vec<UserIx>> {
        let holds = self.touched.last_ts_holds;
        let dirty = std::mem::take(&mut self.touched.dirty);
        let t = std::mem::replace(
            &mut self.touched,
            Touched {
                last_ts_holds: holds,
                dirty,
                ..Touched::default()
            },
        );
        if t.overflow {
            return None;
        }
        let mut users = t.users;
        users.sort_total();
        users.dedup();
        Some(users)
    }
}

/// Journal entries gathered by one consumer of the journal (the engine's day aggregates,
/// each kept report preparation) since it last brought itself up to date: sorted and
/// distinct, or `None` when every user may have changed.
#[derive(Clone, Debug)]
pub(crate) struct Pending(Option<Vec<UserIx>>);

impl Default for Pending {
    /// Nothing pending.
    fn default() -> Pending {
        Pending(Some(Vec::new()))
    }
}

impl Pending {
    /// Gather a journal taken from the store ([`super::Store::take_touched`]).
    pub(crate) fn note(&mut self, changed: Option<&[UserIx]>) {
        match (&mut self.0, changed) {
            (Some(a), Some(b)) => {
                a.extend_from_slice(b);
                a.sort_total();
                a.dedup();
            }
            (p, _) => *p = None,
        }
    }

    /// The users gathered (`None`: every user may have changed), leaving nothing pending.
    pub(crate) fn take(&mut self) -> Option<Vec<UserIx>> {
        std::mem::take(self).0
    }
}

impl super::Store {
    /// The distinct representatives of journal entries `changed`, sorted.
    pub(crate) fn roots_of(&self, changed: &[UserIx]) -> Vec<UserIx> {
        let mut roots: Vec<UserIx> = changed.iter().map(|u| self.find(*u)).collect();
        roots.sort_total();
        roots.dedup();
        roots
    }
}

#[cfg(test)]
mod tests {
    use super::super::Store;

    #[test]
    fn the_journal_gives_users_sorted_once_then_overflows_to_everything() {
        let mut s = Store::default();
        for u in [7, 3, 7, 1] {
            s.touch(u);
        }
        assert_eq!(s.take_touched(), Some(vec![1, 3, 7]));
        assert_eq!(s.take_touched(), Some(vec![]), "taken: empty again");
        // No users: the journal keeps 4,096 entries (limit(0)); the 4,097th gives up.
        for u in 0..4_096 {
            s.touch(u);
        }
        assert_eq!(s.take_touched().map(|v| v.len()), Some(4_096));
        for u in 0..4_097 {
            s.touch(u);
        }
        assert_eq!(
            s.take_touched(),
            None,
            "overflowed: every user may have changed"
        );
        s.touch_all();
        s.touch(1);
        assert_eq!(s.take_touched(), None);
        assert_eq!(s.take_touched(), Some(vec![]));
    }
}
