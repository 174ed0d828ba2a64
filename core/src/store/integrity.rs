//! Checking a store decoded from untrusted bytes (a snapshot).

use super::{Store, UserIx};
use hashbrown::HashMap;

/// Whether every index value of `map` is below `n`.
fn idx_ok<K>(map: &HashMap<K, u32>, n: usize) -> bool {
    map.values().all(|v| (*v as usize) < n)
}

impl Store {
    /// Check the internal references of a store decoded from untrusted bytes, so a corrupt
    /// snapshot is rejected instead of causing an out-of-bounds access later.
    pub(crate) fn check_integrity(&mut self) -> Result<(), String> {
        self.check_references()?;
        self.check_times()?;
        self.check_indices()?;
        self.share_records();
        Ok(())
    }

    /// How many users, messages, numbers and external events the store holds: the bounds
    /// every reference is checked against.
    fn table_sizes(&self) -> (usize, usize, usize, usize) {
        (
            self.users.len(),
            self.msgs.len(),
            self.phones.len(),
            self.externals.len(),
        )
    }

    /// Every user link, message, event and support mark points at an existing entry.
    fn check_references(&mut self) -> Result<(), String> {
        let (nu, nm, np, nx) = self.table_sizes();
        if self.parent.len() != nu {
            return Err("user table and union-find sizes differ".into());
        }
        if self.parent.iter().any(|p| *p as usize >= nu) {
            return Err("user link out of range".into());
        }
        // Parents must point to smaller-or-equal indices (that is how `union` links), which
        // also rules out cycles.
        if self.parent.iter().enumerate().any(|(i, p)| *p as usize > i) {
            return Err("user links are not a forest".into());
        }
        for u in &mut self.users {
            if u.timeline.iter().any(|m| *m as usize >= nm)
                || u.externals.iter().any(|x| *x as usize >= nx)
            {
                return Err("user references a missing message or event".into());
            }
            // (Reopens are checked where the snapshot extension puts them back.)
            if u.closes.iter().any(|(_, p)| *p as usize >= np) {
                return Err("close references a missing number".into());
            }
            u.dirty = true;
        }
        // Every timeline is sorted again by the next prepare.
        self.touched.dirty = (0..nu as UserIx).collect();
        if self
            .msgs
            .iter()
            .any(|m| m.user as usize >= nu || m.phone as usize >= np)
        {
            return Err("message references a missing user or number".into());
        }
        if self.externals.iter().any(|x| x.user as usize >= nu) {
            return Err("event references a missing user".into());
        }
        Ok(())
    }

    /// Ingestion only accepts times in [MIN_TS, MAX_TS); a snapshot must too, or a report
    /// would build day series spanning absurd ranges.
    fn check_times(&self) -> Result<(), String> {
        let ok = |t: i64| crate::util::time::is_plausible(t);
        let ok_opt = |t: Option<i64>| t.is_none_or(ok);
        let day_ok = |d: chrono::NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .is_some_and(|t| ok(t.and_utc().timestamp()))
        };
        let msg_times_ok = self
            .msgs
            .iter()
            .all(|m| ok(m.ts) && m.status().times().into_iter().all(ok_opt));
        if !msg_times_ok
            || !ok_opt(self.min_ts)
            || !ok_opt(self.max_ts)
            || !self.externals.iter().all(|x| ok(x.ts))
            || !self.clicks.values().all(|c| ok(c.ts))
            || !self
                .users
                .iter()
                .all(|u| u.closes.iter().all(|(t, _)| ok(*t)))
            || !self
                .spend
                .values()
                .all(|r| day_ok(r.from) && day_ok(r.to) && r.from <= r.to)
        {
            return Err("a timestamp or date outside 2000-01-01..2100-01-01".into());
        }
        Ok(())
    }

    /// Every id index points at an existing entry, and agent facts at a known message.
    /// (The message id indices were checked as they were decoded: see [`super::messages`].)
    fn check_indices(&self) -> Result<(), String> {
        let (nu, _, np, nx) = self.table_sizes();
        if !(self.by_wa.users().chain(self.by_bsuid.users())).all(|u| (u as usize) < nu)
            || !idx_ok(&self.phone_ix, np)
            || !idx_ok(&self.external_ix, nx)
        {
            return Err("index references a missing entry".into());
        }
        if self.agent.keys().any(|id| self.outbound(id).is_none()) {
            return Err("agent facts reference a missing message".into());
        }
        Ok(())
    }
}
