//! A fixed user base writing to a business day after day: traffic for expiry tests.
//!
//! Every user comes back in sessions separated by 1 to `max_gap` days (some users write
//! daily for weeks). A session is an inbound message (the user's first one of a period may
//! come from an ad), a free-form answer delivered and read minutes later, sometimes a
//! marketing template with its statuses, a quick reply quoting it, a URL click, a purchase
//! the same day and an agent's close. Every fact refers back at most a few hours, except a
//! first support response when a session went unanswered: it comes with the next session,
//! up to `max_gap` days later. So the traffic stays within the bounds under which expiry is
//! exact (see `convolens::expiry`) when `max_gap` is at most lookback + 4 days.

use super::{inbound_text_with as inbound, outbound_template, purchase, status};

/// SplitMix64.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo).max(1) as u64) as i64
    }

    /// True with probability `p` percent.
    pub fn pct(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
}

/// 2025-01-01T00:00:00Z.
pub const START: i64 = 1_735_689_600;
/// A day in seconds.
pub const DAY: i64 = 86_400;

/// The traffic generator's state: when each user comes back next.
pub struct Year {
    rng: Rng,
    next: Vec<i64>,
    max_gap: i64,
    seq: u64,
}

impl Year {
    /// `users` users, each back after at most `max_gap` days.
    pub fn new(seed: u64, users: usize, max_gap: i64) -> Year {
        let mut rng = Rng(seed);
        let next = (0..users).map(|_| START + rng.range(0, 3 * DAY)).collect();
        Year {
            rng,
            next,
            max_gap,
            seq: 0,
        }
    }

    fn id(&mut self, kind: &str) -> String {
        self.seq += 1;
        format!("wamid.{kind}.{}", self.seq)
    }

    /// The lines of day `d` (0-based), in time order: every session starting that day.
    pub fn day(&mut self, d: i64) -> Vec<String> {
        let (lo, hi) = (START + d * DAY, START + (d + 1) * DAY);
        let mut lines: Vec<(i64, String)> = Vec::new();
        for u in 0..self.next.len() {
            while self.next[u] >= lo && self.next[u] < hi {
                let t = self.next[u];
                self.session(u, t, &mut lines);
                let gap = if u % 7 == 0 {
                    // Regulars: back within hours, every day.
                    self.rng.range(DAY / 3, DAY + DAY / 2)
                } else {
                    self.rng.range(DAY, self.max_gap * DAY)
                };
                self.next[u] = t + gap;
            }
        }
        lines.sort_by_key(|l| l.0);
        lines.into_iter().map(|l| l.1).collect()
    }

    fn session(&mut self, u: usize, t: i64, out: &mut Vec<(i64, String)>) {
        let wa = format!("49151{u:07}");
        let id = self.id("in");
        let extra = if self.rng.pct(15) {
            let ad = if self.rng.pct(50) { "AD1" } else { "AD2" };
            format!(
                r#","referral":{{"source_type":"ad","source_id":"{ad}","headline":"Sale {ad}"}}"#
            )
        } else {
            String::new()
        };
        out.push((t, inbound(&id, &wa, t, "hello", &extra)));
        let r = t + self.rng.range(30, 900);
        let rid = self.id("out");
        out.push((
            r,
            format!(
                r#"{{"type":"outbound","id":"{rid}","phone_number_id":"PN1","to":"{wa}","timestamp":{r},"kind":"free_form","author":"agent","author_id":"agent-{}"}}"#,
                u % 3
            ),
        ));
        out.push((r + 2, status(&rid, &wa, r + 2, "delivered")));
        out.push((r + 60, status(&rid, &wa, r + 60, "read")));
        if self.rng.pct(30) {
            let m = r + self.rng.range(600, 4 * 3600);
            let mid = self.id("tpl");
            out.push((m, outbound_template(&mid, &wa, m, "promo", "marketing")));
            out.push((m + 3, status(&mid, &wa, m + 3, "delivered")));
            if self.rng.pct(60) {
                out.push((m + 300, status(&mid, &wa, m + 300, "read")));
            }
            if self.rng.pct(30) {
                let q = m + 400;
                let qid = self.id("in");
                let ctx = format!(r#","context":{{"from":"15550001111","id":"{mid}"}}"#);
                out.push((q, inbound(&qid, &wa, q, "yes", &ctx)));
            }
            if self.rng.pct(20) {
                let c = m + 500;
                out.push((
                    c,
                    format!(
                        r#"{{"type":"click","message_id":"{mid}","button":"Shop","timestamp":{c}}}"#
                    ),
                ));
            }
        }
        if self.rng.pct(20) {
            let p = t + self.rng.range(3600, 6 * 3600);
            let pid = self.id("order");
            let cents = self.rng.range(500, 20_000);
            out.push((
                p,
                purchase(&pid, &wa, p, &format!("{}.{:02}", cents / 100, cents % 100)),
            ));
        }
        if self.rng.pct(40) {
            let c = t + self.rng.range(2 * 3600, 8 * 3600);
            out.push((
                c,
                format!(
                    r#"{{"type":"close","contact":"{wa}","phone_number_id":"PN1","timestamp":{c},"by":"agent-1"}}"#
                ),
            ));
        }
    }
}
