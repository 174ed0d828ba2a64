#![doc = include_str!("../guide/engagement/support.md")]

use super::FoldCtx;
use super::day_store::{Contribution, Emit};
use crate::model::{AuthorKind, Direction};
use crate::store::{MsgRec, PhoneIx, UserRec};
use crate::util::ranked::Ranked;
use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

/// Support conversation counts over a range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Support {
    /// Openings in the range, reopens included.
    pub opened: u64,
    /// Closes in the range.
    pub closed: u64,
    /// Openings that followed a close.
    pub reopened: u64,
    /// Of those, reopened by an agent's reopen record.
    pub reopened_manually: u64,
    /// Conversations open at the end of the range.
    pub open_at_end: i64,
}

/// First-response times of the support conversations opened in a range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResponseTime {
    /// Conversations users opened in the range (reopens by a user's message included).
    pub conversations: u64,
    /// Of those, answered.
    pub answered: u64,
    /// Median seconds to the first reply.
    pub first_response_median_s: Option<f64>,
    /// 90th percentile of seconds to the first reply.
    pub first_response_p90_s: Option<f64>,
    /// The same by the reply's author kind.
    pub by_author: Map<String, AuthorResponse>,
}

/// First-response times of one author kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuthorResponse {
    /// Conversations this kind answered first.
    pub answered: u64,
    /// Median seconds.
    pub median_s: Option<f64>,
    /// 90th percentile.
    pub p90_s: Option<f64>,
}

/// A user's support conversation with one business number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum State {
    /// Opened at `since` by an inbound message; `answered` once a business message followed.
    Open {
        /// When it opened.
        since: i64,
        /// Whether a business message answered it.
        answered: bool,
    },
    /// Closed by a close record.
    Closed,
}

/// Per business number, the state of a user's support conversations.
pub(crate) type States = SmallVec<[(PhoneIx, State); 2]>;

/// Fold one user's timeline and close records into support contributions, starting from
/// the states the user's expired history left ([`super::Carry`]).
pub(crate) fn fold<'a>(
    cx: &FoldCtx<'a>,
    user: &'a UserRec,
    carry: Option<&super::Carry>,
    out: &mut Vec<Contribution<'a>>,
) {
    let init = carry.map(|c| c.support.clone());
    fold_from(cx, user, init.unwrap_or_default(), out);
}

/// [`fold`] from the given states; returns the states at the end of the timeline.
pub(crate) fn fold_from<'a>(
    cx: &FoldCtx<'a>,
    user: &'a UserRec,
    init: States,
    out: &mut Vec<Contribution<'a>>,
) -> States {
    // Closes (false) before reopens (true) at equal timestamps.
    let mut marks: SmallVec<[(i64, bool, PhoneIx); 4]> = user
        .closes
        .iter()
        .map(|(t, p)| (*t, false, *p))
        .chain(user.reopens.iter().map(|(t, p)| (*t, true, *p)))
        .collect();
    marks.sort_total();
    let mut convs = init;
    let mut next = 0usize;
    for &ix in &user.timeline {
        let m = &cx.store.msgs[ix as usize];
        while next < marks.len() && marks[next].0 < m.ts {
            on_mark(cx, &mut convs, marks[next], out);
            next += 1;
        }
        match m.dir {
            Direction::Inbound => on_inbound(cx, &mut convs, m, out),
            Direction::Outbound => on_outbound(cx, &mut convs, m, out),
        }
    }
    for mark in &marks[next..] {
        on_mark(cx, &mut convs, *mark, out);
    }
    convs
}

/// A close record closes the open conversations it names; a reopen record reopens the
/// closed ones.
fn on_mark<'a>(
    cx: &FoldCtx<'a>,
    convs: &mut States,
    (ts, reopen, phone): (i64, bool, PhoneIx),
    out: &mut Vec<Contribution<'a>>,
) {
    for (p, st) in convs.iter_mut() {
        if *p != phone && Some(phone) != cx.no_phone {
            continue;
        }
        let emit = match (*st, reopen) {
            (State::Open { .. }, false) => {
                *st = State::Closed;
                Emit::Closed
            }
            (State::Closed, true) => {
                // No user message opened it: nothing to answer.
                *st = State::Open {
                    since: ts,
                    answered: true,
                };
                Emit::Opened {
                    reopen: true,
                    manual: true,
                }
            }
            _ => continue,
        };
        out.push(Contribution {
            phone: *p,
            day: cx.day(ts),
            emit,
        });
    }
}

/// A user's message: opens the conversation on its number, or reopens a closed one.
fn on_inbound<'a>(
    cx: &FoldCtx<'a>,
    convs: &mut States,
    m: &MsgRec,
    out: &mut Vec<Contribution<'a>>,
) {
    if !m.inbound.as_deref().is_some_and(|d| d.ty.is_user_message()) {
        return;
    }
    let Some(i) = convs.iter().position(|(p, _)| *p == m.phone) else {
        convs.push((
            m.phone,
            State::Open {
                since: m.ts,
                answered: false,
            },
        ));
        out.push(Contribution {
            phone: m.phone,
            day: cx.day(m.ts),
            emit: Emit::Opened {
                reopen: false,
                manual: false,
            },
        });
        return;
    };
    if convs[i].1 == State::Closed {
        convs[i].1 = State::Open {
            since: m.ts,
            answered: false,
        };
        out.push(Contribution {
            phone: m.phone,
            day: cx.day(m.ts),
            emit: Emit::Opened {
                reopen: true,
                manual: false,
            },
        });
    }
}

/// A business message: the first response of every unanswered open conversation on its
/// number (or of every number, for a message on no known number) — unless it failed or
/// is a campaign's.
fn on_outbound<'a>(
    cx: &FoldCtx<'a>,
    convs: &mut States,
    m: &MsgRec,
    out: &mut Vec<Contribution<'a>>,
) {
    let campaign = m
        .outbound()
        .is_some_and(|o| o.author == AuthorKind::Campaign || o.campaign.is_some());
    if m.status().is_failed() || campaign {
        return;
    }
    let kind = m.outbound().map_or(AuthorKind::Unknown, |o| o.author);
    for (p, st) in convs.iter_mut() {
        if *p != m.phone && Some(m.phone) != cx.no_phone {
            continue;
        }
        if let State::Open {
            since,
            answered: false,
        } = *st
        {
            if m.ts >= since {
                *st = State::Open {
                    since,
                    answered: true,
                };
                let secs = u32::try_from(m.ts - since).unwrap_or(u32::MAX);
                out.push(Contribution {
                    phone: *p,
                    day: cx.day(since),
                    emit: Emit::Response { kind, secs },
                });
            }
        }
    }
}

/// The `q`-quantile (0–1) of sorted values, interpolating linearly between the closest
/// ranks; `None` for no values.
pub(crate) fn quantile(sorted: &[u32], q: f64) -> Option<f64> {
    quantile_of(sorted.len() as u64, q, |k| sorted[k as usize])
}

/// The `q`-quantile of `n` values whose `k`-th smallest (from 0) is `at(k)`: the value at
/// rank `(n − 1)·q`, interpolated linearly between the two closest ranks; `None` for none.
fn quantile_of(n: u64, q: f64, at: impl Fn(u64) -> u32) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let rank = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = rank.floor() as u64;
    let hi = (lo + 1).min(n - 1);
    let (low, high) = (f64::from(at(lo)), f64::from(at(hi)));
    Some(low + (rank - lo as f64) * (high - low))
}

/// Summarize the first-response times of the conversations opened in a range.
pub(crate) fn response_time(opened: u64, responses: &[(AuthorKind, u32)]) -> ResponseTime {
    let mut all: Vec<u32> = responses.iter().map(|r| r.1).collect();
    all.sort_total();
    let mut by: Map<AuthorKind, Vec<u32>> = Map::new();
    for (k, s) in responses {
        by.entry(*k).or_default().push(*s);
    }
    ResponseTime {
        conversations: opened,
        answered: all.len() as u64,
        first_response_median_s: quantile(&all, 0.5),
        first_response_p90_s: quantile(&all, 0.9),
        by_author: by
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_total();
                let r = AuthorResponse {
                    answered: v.len() as u64,
                    median_s: quantile(&v, 0.5),
                    p90_s: quantile(&v, 0.9),
                };
                (k.as_str().to_string(), r)
            })
            .collect(),
    }
}

/// The first-response times of a watched range, kept up to date one response at a time
/// (issue 17): [`ResponseTimes::summary`] equals [`response_time`] over the same responses
/// without sorting them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResponseTimes {
    all: Ranked,
    by: Map<AuthorKind, Ranked>,
}

impl ResponseTimes {
    /// One more (`s > 0`) or one fewer (`s < 0`) response by `kind` after `secs`.
    pub(crate) fn step(&mut self, kind: AuthorKind, secs: u32, s: i64) {
        self.all.step(secs, s);
        let r = self.by.entry(kind).or_default();
        r.step(secs, s);
        if r.len() == 0 {
            self.by.remove(&kind);
        }
    }

    /// The summary [`response_time`] gives for the same responses.
    pub(crate) fn summary(&self, opened: u64) -> ResponseTime {
        let q = |r: &Ranked, q: f64| quantile_of(r.len(), q, |k| r.select(k).unwrap_or(0));
        ResponseTime {
            conversations: opened,
            answered: self.all.len(),
            first_response_median_s: q(&self.all, 0.5),
            first_response_p90_s: q(&self.all, 0.9),
            by_author: self
                .by
                .iter()
                .map(|(k, r)| {
                    let a = AuthorResponse {
                        answered: r.len(),
                        median_s: q(r, 0.5),
                        p90_s: q(r, 0.9),
                    };
                    (k.as_str().to_string(), a)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::tests::cases::cases(64)))]
        /// The watched summary equals the one sorting every response, after any additions
        /// and removals.
        #[test]
        fn kept_response_times_summarize_as_the_sorted_ones(
            ops in proptest::collection::vec((0usize..3, 0u32..4_000, 0u8..4), 0..120)
        ) {
            let kinds = [AuthorKind::Agent, AuthorKind::Api, AuthorKind::Automation];
            let mut kept = ResponseTimes::default();
            let mut all: Vec<(AuthorKind, u32)> = Vec::new();
            for (k, secs, op) in ops {
                let kind = kinds[k];
                if op == 0 {
                    if let Some(i) = all.iter().position(|x| *x == (kind, secs)) {
                        all.swap_remove(i);
                        kept.step(kind, secs, -1);
                    }
                } else {
                    all.push((kind, secs));
                    kept.step(kind, secs, 1);
                }
            }
            prop_assert_eq!(kept.summary(7), response_time(7, &all));
        }
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7], 0.9), Some(7.0));
        // Median of 10 and 20: h = 0.5 → 15.
        assert_eq!(quantile(&[10, 20], 0.5), Some(15.0));
        // p90 of 1..=10: h = 9 × 0.9 = 8.1 → 9 + 0.1 × (10 − 9) = 9.1.
        let v: Vec<u32> = (1..=10).collect();
        assert!((quantile(&v, 0.9).unwrap() - 9.1).abs() < 1e-9);
        assert_eq!(quantile(&v, 0.5), Some(5.5));
    }
}
