#![doc = include_str!("../guide/store/forget.md")]

use super::{Direction, Store, UserIx, UserRec, unbump};
use crate::model::StatusKind;
use crate::util::sort::SortSlice as _;

/// What an erasure ([`crate::Engine::forget`]) removed from the facts.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Forgotten {
    /// Identifiers removed (`wa_id`s and BSUIDs, or their pseudonyms).
    pub identifiers: u32,
    /// Messages removed, inbound and outbound.
    pub messages: u32,
    /// External events removed.
    pub external_events: u32,
    /// Close and reopen records removed.
    pub closes: u32,
    /// URL-button clicks removed.
    pub clicks: u32,
}

impl Store {
    /// Forget the person whose representative is `rep` (see the module rules). Timelines
    /// must be in order. Returns what was removed and the person's identifiers (for
    /// state kept beside the store).
    pub(crate) fn forget(&mut self, rep: UserIx) -> (Forgotten, Vec<Box<str>>) {
        self.lowered_ts();
        let rep = self.find(rep);
        let mut out = Forgotten::default();
        let drop_msg: Vec<bool> = self.msgs.iter().map(|m| self.find(m.user) == rep).collect();
        let drop_ext: Vec<bool> = self
            .externals
            .iter()
            .map(|x| self.find(x.user) == rep)
            .collect();
        self.forget_conflicts(&drop_msg, &drop_ext);
        let keys = self.forget_identity(rep);
        out.identifiers = keys.len() as u32;
        self.unstat_messages(&drop_msg, &mut out);
        for _ in drop_ext.iter().filter(|d| **d) {
            unbump(&mut self.stats.records, "external_event");
            self.stats.ingested = self.stats.ingested.saturating_sub(1);
            out.external_events += 1;
        }
        let rec = std::mem::take(&mut self.users[rep as usize]);
        let marks =
            (rec.closes.iter().map(|_| "close")).chain(rec.reopens.iter().map(|_| "reopen"));
        for kind in marks {
            unbump(&mut self.stats.records, kind);
            self.stats.ingested = self.stats.ingested.saturating_sub(1);
            out.closes += 1;
        }
        let clicks_before = self.clicks.len();
        self.compact(&drop_msg, &drop_ext);
        for _ in self.clicks.len()..clicks_before {
            unbump(&mut self.stats.records, "click");
            self.stats.ingested = self.stats.ingested.saturating_sub(1);
            out.clicks += 1;
        }
        self.users[rep as usize] = UserRec::default();
        for k in &keys {
            self.extra.countries.remove(k);
        }
        self.recompute_bounds();
        (out, keys)
    }

    /// Drop the conflict marks of the messages and external events about to be dropped
    /// (the `flag_conflict` keys of their versions, statuses and clicks).
    fn forget_conflicts(&mut self, drop_msg: &[bool], drop_ext: &[bool]) {
        if self.conflicted.is_empty() {
            return;
        }
        let mut gone = hashbrown::HashSet::new();
        let mut outbound = hashbrown::HashSet::new();
        for (m, _) in self.msgs.iter().zip(drop_msg).filter(|(_, d)| **d) {
            if m.dir == Direction::Inbound {
                gone.insert(format!("inbound:{}", m.id));
                continue;
            }
            outbound.insert(&*m.id);
            gone.insert(format!("outbound:{}", m.id));
            for k in StatusKind::ALL {
                gone.insert(format!("status:{}:{}", m.id, k.as_str()));
            }
        }
        for (x, _) in self.externals.iter().zip(drop_ext).filter(|(_, d)| **d) {
            gone.insert(format!("external_event:{}", x.id));
        }
        for (key, c) in &self.clicks {
            if outbound.contains(&*c.message_id) {
                gone.insert(format!("click:{key}"));
            }
        }
        let before = self.conflicted.len();
        self.conflicted.retain(|k| !gone.contains(k));
        let dropped = (before - self.conflicted.len()) as u64;
        self.stats.conflicts = self.stats.conflicts.saturating_sub(dropped);
    }

    /// Remove the lookups of every identifier of `rep`; returns the identifiers.
    fn forget_identity(&mut self, rep: UserIx) -> Vec<Box<str>> {
        let mut keys = Vec::new();
        let parent = &self.parent;
        let find = |mut u: UserIx| {
            while parent[u as usize] != u {
                u = parent[u as usize];
            }
            u
        };
        for map in [&mut self.by_wa, &mut self.by_bsuid] {
            keys.extend(map.take_users(|u| find(u) == rep));
        }
        keys.sort_total();
        keys
    }

    /// Take the dropped messages out of the unique-item counters.
    fn unstat_messages(&mut self, drop_msg: &[bool], out: &mut Forgotten) {
        for (m, _) in self.msgs.iter().zip(drop_msg).filter(|(_, d)| **d) {
            out.messages += 1;
            let mut items = 0u64;
            if let Some(d) = m.inbound.as_deref() {
                unbump(&mut self.stats.messages, d.ty.as_str());
                items += 1;
            }
            if m.dir == Direction::Outbound {
                for (i, k) in StatusKind::ALL.iter().enumerate() {
                    if m.seen & (1 << i) != 0 {
                        unbump(&mut self.stats.statuses, k.as_str());
                        items += 1;
                    }
                }
                if m.outbound().is_some() {
                    unbump(&mut self.stats.records, "outbound");
                    items += 1;
                }
            }
            self.stats.ingested = self.stats.ingested.saturating_sub(items);
        }
    }

    /// The earliest and latest event times of the facts that stay.
    fn recompute_bounds(&mut self) {
        let msg_times = self
            .msgs
            .iter()
            .flat_map(|m| std::iter::once(m.ts).chain(m.status().times().into_iter().flatten()));
        let times = msg_times
            .chain(self.externals.iter().map(|x| x.ts))
            .chain(self.clicks.values().map(|c| c.ts))
            .chain(
                self.users
                    .iter()
                    .flat_map(|u| u.closes.iter().chain(&u.reopens).map(|c| c.0)),
            );
        let (mut lo, mut hi) = (None::<i64>, None::<i64>);
        for t in times {
            lo = Some(lo.map_or(t, |l| l.min(t)));
            hi = Some(hi.map_or(t, |h| h.max(t)));
        }
        self.min_ts = lo;
        self.max_ts = hi;
    }
}
