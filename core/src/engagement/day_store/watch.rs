//! The distinct users of one watched range, kept up to date as users are taken out of
//! and added to the day aggregates (issue 17: a report after new input costs what changed,
//! not the users active in its range).
//!
//! A range's active users are the union of its days' (and numbers') active sets, its new
//! users the union of the first-message sets. Summing them again for every report costs
//! every user active in the range. Watched, each user is counted once per (number, day)
//! set of the range that holds them, so one leaving a day is exact, and the set changes
//! [`DayStore::apply_held`](super::DayStore) makes are followed one by one. The range's
//! first-response times are kept the same way, counted for their quantiles
//! ([`ResponseTimes`]), so a report does not sort every response of the range.

use super::{DayNum, DayStore};
use crate::engagement::support::ResponseTimes;
use crate::model::AuthorKind;
use crate::model::country::Country;
use crate::store::{PhoneIx, UserIx};
use crate::util::counted::Counted;
use hashbrown::HashMap;

/// The numbers a watched range is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every number ("new" meaning the first message to any number).
    All,
    /// One number.
    One(PhoneIx),
}

/// The distinct users of the days `[from, to)` on the numbers of `scope`.
#[derive(Debug)]
pub(crate) struct RangeUsers {
    scope: Scope,
    from: DayNum,
    to: DayNum,
    /// Per user active in the range: the (number, day) sets holding them, and the country
    /// they were counted under.
    active: HashMap<UserIx, (u32, Option<Country>)>,
    /// Active users per country.
    countries: HashMap<Option<Country>, u64>,
    /// New users: in the first-message-ever sets (every number) or the first-message-on-
    /// the-number sets (one number) of the range.
    new_users: Counted<UserIx>,
    /// With every number in scope: per day of the range, the distinct active users (a
    /// user active on two numbers that day counts once).
    daily: Vec<Counted<UserIx>>,
    /// The first-response times of the range's days and numbers.
    responses: ResponseTimes,
}

/// A change of one user's membership of a day's set, for the watched range to follow.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SetMove {
    /// Active on `phone` that day.
    Active(PhoneIx, Option<Country>),
    /// First message on `phone` that day.
    NewOnPhone(PhoneIx),
    /// First message to any number that day.
    FirstEver,
}

impl RangeUsers {
    /// Whether this is the range `[from, to)` of `scope`.
    pub(crate) fn is(&self, scope: Scope, from: DayNum, to: DayNum) -> bool {
        self.scope == scope && self.from == from && self.to == to
    }

    /// The distinct users of `days` over `[from, to)` of `scope`.
    pub(crate) fn build(days: &DayStore, scope: Scope, from: DayNum, to: DayNum) -> RangeUsers {
        let width = if scope == Scope::All {
            usize::try_from(i64::from(to) - i64::from(from)).unwrap_or(0)
        } else {
            0
        };
        let mut r = RangeUsers {
            scope,
            from,
            to,
            active: HashMap::new(),
            countries: HashMap::new(),
            new_users: Counted::default(),
            daily: std::iter::repeat_with(Counted::default)
                .take(width)
                .collect(),
            responses: ResponseTimes::default(),
        };
        let phones: Vec<PhoneIx> = match scope {
            Scope::One(p) => vec![p],
            Scope::All => days.phones().collect(),
        };
        for day in from..to {
            for p in &phones {
                let Some(a) = days.day(*p, day) else { continue };
                a.active
                    .for_each(|u| r.step(u, SetMove::Active(*p, days.country(u)), day, 1));
                for (kind, secs) in &a.responses {
                    r.responses.step(*kind, *secs, 1);
                }
                if scope != Scope::All {
                    a.new_users
                        .for_each(|u| r.step(u, SetMove::NewOnPhone(*p), day, 1));
                }
            }
            if scope == Scope::All {
                if let Some(s) = days.first_ever(day) {
                    s.for_each(|u| r.step(u, SetMove::FirstEver, day, 1));
                }
            }
        }
        r
    }

    /// Follow `user` entering (`s = 1`) or leaving (`-1`) a set of `day`.
    pub(crate) fn step(&mut self, user: UserIx, m: SetMove, day: DayNum, s: i64) {
        if day < self.from || day >= self.to {
            return;
        }
        match m {
            SetMove::Active(p, country)
                if matches!(self.scope, Scope::All) || self.scope == Scope::One(p) =>
            {
                self.step_active(user, country, s);
                if let Some(d) = self.daily.get_mut((day - self.from) as usize) {
                    d.step(user, s);
                }
            }
            SetMove::NewOnPhone(p) if self.scope == Scope::One(p) => self.new_users.step(user, s),
            SetMove::FirstEver if self.scope == Scope::All => self.new_users.step(user, s),
            _ => {}
        }
    }

    /// Follow a first response by `kind` after `secs` on `phone` and `day` being added
    /// (`s = 1`) or taken out (`-1`).
    pub(crate) fn step_response(
        &mut self,
        (phone, day): (PhoneIx, DayNum),
        kind: AuthorKind,
        secs: u32,
        s: i64,
    ) {
        let in_scope = match self.scope {
            Scope::All => true,
            Scope::One(p) => p == phone,
        };
        if in_scope && day >= self.from && day < self.to {
            self.responses.step(kind, secs, s);
        }
    }

    fn step_active(&mut self, user: UserIx, country: Option<Country>, s: i64) {
        let counted = if s > 0 {
            let e = self.active.entry(user).or_insert((0, country));
            e.0 += 1;
            (e.0 == 1).then_some(e.1)
        } else {
            match self.active.get_mut(&user) {
                Some(e) if e.0 > 1 => {
                    e.0 -= 1;
                    None
                }
                Some(_) => self.active.remove(&user).map(|(_, c)| c),
                None => None,
            }
        };
        if let Some(c) = counted {
            let n = self.countries.entry(c).or_default();
            crate::util::step(n, 1, s);
            if *n == 0 {
                self.countries.remove(&c);
            }
        }
    }

    /// Distinct active users.
    pub(crate) fn active(&self) -> u64 {
        self.active.len() as u64
    }

    /// Distinct new users.
    pub(crate) fn new_users(&self) -> u64 {
        self.new_users.len()
    }

    /// Active users per country.
    pub(crate) fn countries(&self) -> &HashMap<Option<Country>, u64> {
        &self.countries
    }

    /// The first-response times of the range.
    pub(crate) fn responses(&self) -> &ResponseTimes {
        &self.responses
    }

    /// With every number in scope: distinct active users on `day` (`None` otherwise).
    pub(crate) fn daily_active(&self, day: DayNum) -> Option<u64> {
        let i = usize::try_from(i64::from(day) - i64::from(self.from)).ok()?;
        self.daily.get(i).map(Counted::len)
    }
}
