#![doc = include_str!("../guide/billing/windows.md")]

use crate::model::pricing::{Rules, Timeline};
use crate::model::{Direction, ReferralSource};
use crate::store::{PhoneIx, Store, UserIx};
use crate::util::sort::SortSlice as _;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The windows of one (business number, user), advanced event by event in time order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WindowTracker {
    /// The latest user message so far.
    pub(crate) last_inbound: Option<i64>,
    /// The latest referral message not yet answered.
    pub(crate) pending_referral: Option<i64>,
    /// The open (or last) free entry point window: `[opened, until)`.
    pub(crate) free_entry: Option<(i64, i64)>,
}

/// What a delivered business message meant for the free entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryOutcome {
    /// The message is the reply that opened a window `[at, until)`.
    Opened {
        /// When the window closes.
        until: i64,
    },
    /// The message was delivered inside an open window.
    Inside {
        /// When the window closes.
        until: i64,
    },
    /// No window applies.
    Outside,
}

impl WindowTracker {
    /// A user message arrived at `ts`; `referral` when it came from a CTWA ad or Page CTA.
    pub(crate) fn on_inbound(&mut self, ts: i64, referral: bool) {
        self.last_inbound = Some(self.last_inbound.map_or(ts, |t| t.max(ts)));
        if referral {
            self.pending_referral = Some(ts);
        }
    }

    /// Whether the customer service window is open at `at`.
    pub(crate) fn service_open(&self, at: i64, rules: &Rules) -> bool {
        self.service_until(rules).is_some_and(|u| at < u)
    }

    /// When the customer service window closes (or closed), if the user ever wrote.
    pub(crate) fn service_until(&self, rules: &Rules) -> Option<i64> {
        self.last_inbound.map(|t| t + rules.service_window_secs())
    }

    /// The free entry point window open at `at`, as its closing instant.
    pub(crate) fn free_entry_open(&self, at: i64) -> Option<i64> {
        self.free_entry
            .filter(|(o, u)| *o <= at && at < *u)
            .map(|(_, u)| u)
    }

    /// A business message was delivered at `at`: open a free entry point window if it is
    /// the first reply to a referral, and say whether the message falls in one.
    pub(crate) fn on_delivery(&mut self, at: i64, rules: &Rules) -> EntryOutcome {
        if let Some(until) = self.free_entry_open(at) {
            self.pending_referral = None;
            return EntryOutcome::Inside { until };
        }
        if let Some(r) = self.pending_referral.take() {
            if at < r + rules.free_entry_reply_secs() {
                let until = at + rules.free_entry_secs();
                self.free_entry = Some((at, until));
                return EntryOutcome::Opened { until };
            }
        }
        EntryOutcome::Outside
    }
}

/// Whether an inbound message makes the user eligible for a free entry point: a referral
/// from a Click-to-WhatsApp ad or a Page post call-to-action.
pub(crate) fn is_entry_referral(source: Option<ReferralSource>) -> bool {
    matches!(source, Some(ReferralSource::Ad | ReferralSource::Post))
}

/// What the business may send to a user at an instant, and what it costs.
///
/// `open` says only that free-form (non-template) messages *may be sent*; it does not say
/// they are free. Whether one delivered now is free is `free` (and `charged` the opposite,
/// while the window is open): from 2026-10-01 (default timeline) free-form service messages
/// are charged unless a free entry point window is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    /// The customer service window is open: free-form messages may be sent (at a price
    /// under the rules in force: see `charged`).
    pub open: bool,
    /// The window is open and a free-form message delivered now would cost nothing: the
    /// rules in force make service messages free (2024-11-01 to 2026-09-30 by default), or
    /// a free entry point window is open.
    #[serde(default)]
    pub free: bool,
    /// The window is open and a free-form message delivered now would be charged at the
    /// market's service rate (from 2026-10-01 by default, outside a free entry point window).
    #[serde(default)]
    pub charged: bool,
    /// When the customer service window closes (or last closed); `None` if the user never wrote.
    pub until: Option<i64>,
    /// The user's latest message at or before the instant.
    pub last_inbound: Option<i64>,
    /// A free entry point window is open until then: every message delivered before it is free.
    pub free_entry_until: Option<i64>,
    /// The user came from an ad or Page CTA and has not been answered: a reply delivered
    /// before this instant opens a free entry point window.
    pub free_entry_reply_by: Option<i64>,
}

/// The window state of `user` with business number `phone` (or, with `None`, across all
/// numbers: open when open with any) at instant `at`, from everything ingested up to `at`.
/// Order-independent: it sorts the events itself.
pub(crate) fn window_state(
    store: &Store,
    timeline: &Timeline,
    tz: Tz,
    user: UserIx,
    phone: Option<PhoneIx>,
    at: i64,
) -> WindowState {
    let user = store.find(user);
    let rec = &store.users[user as usize];
    // (time, inbound first, id, phone, referral?)
    let mut events: Vec<(i64, u8, &str, PhoneIx, bool)> = Vec::new();
    let resolve = crate::store::PhoneResolver::new(store, user);
    for &ix in &rec.timeline {
        let m = &store.msgs[ix as usize];
        let p = resolve.phone_of(m);
        if phone.is_some_and(|f| f != p) {
            continue;
        }
        match m.dir {
            Direction::Inbound => {
                let Some(inb) = m.inbound.as_deref() else {
                    continue;
                };
                if inb.ty.is_user_message() && m.ts <= at {
                    events.push((
                        m.ts,
                        0,
                        &m.id,
                        p,
                        is_entry_referral(inb.referral().map(|r| r.source)),
                    ));
                }
            }
            Direction::Outbound => {
                if let Some(d) = m.status().delivered_at().filter(|d| *d <= at) {
                    events.push((d, 1, &m.id, p, false));
                }
            }
        }
    }
    events.sort_total();
    let mut trackers: Vec<(PhoneIx, WindowTracker)> = Vec::new();
    for (t, dir, _, p, referral) in events {
        let i = trackers
            .iter()
            .position(|(q, _)| *q == p)
            .unwrap_or_else(|| {
                trackers.push((p, WindowTracker::default()));
                trackers.len() - 1
            });
        let tr = &mut trackers[i].1;
        if dir == 0 {
            tr.on_inbound(t, referral);
        } else {
            tr.on_delivery(t, &timeline.rules_at(t, tz));
        }
    }
    let rules = timeline.rules_at(at, tz);
    let mut out = WindowState::default();
    for (_, tr) in &trackers {
        let open = tr.service_open(at, &rules);
        out.open |= open;
        out.free |= open && (rules.service_free || tr.free_entry_open(at).is_some());
        out.until = out.until.max(tr.service_until(&rules));
        out.last_inbound = out.last_inbound.max(tr.last_inbound);
        out.free_entry_until = out.free_entry_until.max(tr.free_entry_open(at));
        let reply_by = tr
            .pending_referral
            .map(|r| r + rules.free_entry_reply_secs())
            .filter(|u| at < *u);
        out.free_entry_reply_by = out.free_entry_reply_by.max(reply_by);
    }
    out.charged = out.open && !out.free;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    #[test]
    fn service_window_is_half_open() {
        let r = Rules::BASELINE;
        let mut w = WindowTracker::default();
        assert!(!w.service_open(0, &r));
        w.on_inbound(1000, false);
        assert!(w.service_open(1000, &r));
        assert!(w.service_open(1000 + 24 * H - 1, &r));
        // Exactly 24 h after the user's message the window is closed.
        assert!(!w.service_open(1000 + 24 * H, &r));
        // Each user message resets it.
        w.on_inbound(1000 + 10 * H, false);
        assert!(w.service_open(1000 + 24 * H, &r));
        assert_eq!(w.service_until(&r), Some(1000 + 34 * H));
    }

    #[test]
    fn free_entry_opens_on_first_reply_within_24h() {
        let r = Rules::BASELINE;
        let mut w = WindowTracker::default();
        w.on_inbound(0, true);
        // Reply delivered 1 h later: window [1 h, 73 h).
        assert_eq!(w.on_delivery(H, &r), EntryOutcome::Opened { until: 73 * H });
        assert_eq!(
            w.on_delivery(73 * H - 1, &r),
            EntryOutcome::Inside { until: 73 * H }
        );
        // Exactly 72 h after the reply's delivery the window is closed.
        assert_eq!(w.on_delivery(73 * H, &r), EntryOutcome::Outside);
    }

    #[test]
    fn reply_exactly_24h_later_is_too_late() {
        let r = Rules::BASELINE;
        let mut w = WindowTracker::default();
        w.on_inbound(0, true);
        assert_eq!(w.on_delivery(24 * H, &r), EntryOutcome::Outside);
        let mut w = WindowTracker::default();
        w.on_inbound(0, true);
        assert_eq!(
            w.on_delivery(24 * H - 1, &r),
            EntryOutcome::Opened { until: 96 * H - 1 }
        );
    }

    #[test]
    fn first_reply_consumes_eligibility() {
        let r = Rules::BASELINE;
        let mut w = WindowTracker::default();
        w.on_inbound(0, true);
        // First reply too late: no window; a later reply within 24 h of nothing opens none.
        assert_eq!(w.on_delivery(30 * H, &r), EntryOutcome::Outside);
        w.on_inbound(31 * H, false);
        assert_eq!(w.on_delivery(32 * H, &r), EntryOutcome::Outside);
        // A new referral makes the user eligible again.
        w.on_inbound(40 * H, true);
        assert_eq!(
            w.on_delivery(41 * H, &r),
            EntryOutcome::Opened { until: 113 * H }
        );
        // A referral inside an open window is consumed by the next reply without a new window.
        w.on_inbound(50 * H, true);
        assert_eq!(
            w.on_delivery(51 * H, &r),
            EntryOutcome::Inside { until: 113 * H }
        );
        assert_eq!(w.on_delivery(113 * H, &r), EntryOutcome::Outside);
    }
}
