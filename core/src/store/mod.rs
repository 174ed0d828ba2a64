#![doc = include_str!("../guide/store.md")]

mod click_index;
mod extra;
pub(crate) mod footprint;
mod forget;
mod integrity;
mod keys;
mod merge;
mod messages;
mod msg;
mod phones;
mod touched;
pub(crate) use footprint::allocated_by;

pub(crate) use extra::Extra;
pub use forget::Forgotten;
pub(crate) use msg::{InboundData, MsgRec, OutboundData};

pub(crate) use phones::PhoneResolver;
pub(crate) use touched::{Pending, Touched};

use crate::input::{
    AccountInfo, ClickRecord, CloseRecord, ContactInfo, Event, ExternalRecord, InboundMsg,
    OutboundRecord, SpendRecord, StatusUpdate, UserRef,
};
use crate::model::country::{Country, country_from_bsuid, country_from_number};
use crate::model::money::Money;
use crate::model::{AgentUsage, Direction, StatusKind};
use crate::util::rare::Rare;
use crate::util::time::Ts32;
use chrono::NaiveDate;
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Index of a user in [`Store::users`].
pub(crate) type UserIx = u32;
/// Index of a message in [`Store::msgs`].
pub(crate) type MsgIx = u32;
/// Index of a business number in [`Store::phones`].
pub(crate) type PhoneIx = u32;

/// [`MsgRec::seen`] bit 7, used by no status kind: the message's business number came
/// from its outbound record.
const PHONE_FROM_RECORD: u8 = 1 << 7;

/// A user.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[doc(hidden)]
pub(crate) struct UserRec {
    /// `wa_id`, when known.
    pub(crate) wa_id: Option<Box<str>>,
    /// Business-scoped user id, when known.
    pub(crate) bsuid: Option<Box<str>>,
    /// Profile name and the timestamp it came with.
    pub(crate) name: Option<(i64, Box<str>)>,
    /// Country from `profile.country_code`, when given.
    pub(crate) profile_country: Option<Country>,
    /// Messages (inbound and outbound) in time order once [`Store::prepare`] has run.
    pub(crate) timeline: Vec<MsgIx>,
    /// External events of this user (few users have any: see [`Rare`]).
    pub(crate) externals: Rare<u32>,
    /// Close records of this user: (timestamp, business number).
    pub(crate) closes: Rare<(i64, PhoneIx)>,
    /// Reopen records of this user: (timestamp, business number). Not in the schema-2
    /// layout: snapshots carry them in [`StoreExt`].
    #[serde(skip)]
    pub(crate) reopens: Rare<(i64, PhoneIx)>,
    /// Whether `timeline` needs sorting.
    #[serde(skip)]
    pub(crate) dirty: bool,
}

impl UserRec {
    /// The user's key: `wa_id`, else BSUID, else `""`.
    pub(crate) fn key(&self) -> &str {
        self.wa_id
            .as_deref()
            .or(self.bsuid.as_deref())
            .unwrap_or("")
    }

    /// The user's country: from the phone number, else the profile's `country_code`, else the
    /// BSUID prefix.
    pub(crate) fn country(&self) -> Option<Country> {
        self.wa_id
            .as_deref()
            .and_then(country_from_number)
            .or(self.profile_country)
            .or_else(|| self.bsuid.as_deref().and_then(country_from_bsuid))
    }

    /// The profile name, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_ref().map(|(_, n)| &**n)
    }
}

/// An external event.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[doc(hidden)]
pub(crate) struct ExternalRec {
    /// Event id.
    pub(crate) id: Box<str>,
    /// The user.
    pub(crate) user: UserIx,
    /// Event name.
    pub(crate) name: Box<str>,
    /// Value.
    pub(crate) value: Option<Money>,
    /// When.
    pub(crate) ts: i64,
    /// The contact as the kept version named it (normalised `wa_id` or BSUID): part of the
    /// event's content for the conflict rule. Snapshots carry it next to the store.
    #[serde(skip)]
    pub(crate) contact: Box<str>,
}

/// Spend on a source over days (inclusive).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[doc(hidden)]
pub(crate) struct SpendRec {
    /// Source key.
    pub(crate) source: Box<str>,
    /// Display name from the spend data.
    pub(crate) name: Option<Box<str>>,
    /// First day.
    pub(crate) from: NaiveDate,
    /// Last day (inclusive).
    pub(crate) to: NaiveDate,
    /// Amount over the whole period.
    pub(crate) amount: Money,
    /// What schema 3 added (snapshots carry it in [`StoreExt`]).
    #[serde(skip)]
    pub(crate) extra: SpendExtra,
}

/// What a spend record says beyond its schema-2 fields.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SpendExtra {
    /// The business number it was spent for (`phone_number_id`), when given.
    pub(crate) phone: Option<Box<str>>,
    /// For an Ads Insights ad-level row: the ad's Meta campaign (`campaign_id`, else name).
    pub(crate) campaign: Option<Box<str>>,
    /// For an Ads Insights row: the Meta campaign's name.
    pub(crate) campaign_name: Option<Box<str>>,
}

/// The facts a store holds beyond its schema-2 layout, which snapshots write after it
/// (schema 3) so that schema 1 and 2 snapshots still restore.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct StoreExt {
    /// Per spend key, what the record says beyond schema 2 (only records with something).
    spend: Vec<(String, SpendExtra)>,
    /// Per user, their reopen records (only users with some).
    reopens: Vec<(UserIx, Vec<(i64, PhoneIx)>)>,
}

/// A URL-button click.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[doc(hidden)]
pub(crate) struct ClickRec {
    /// The business message's id.
    pub(crate) message_id: Box<str>,
    /// The button text.
    pub(crate) button: Box<str>,
    /// When.
    pub(crate) ts: i64,
}

/// Counts of what ingestion saw, over the engine's whole life.
///
/// **Every item counts once.** An item is an inbound message, a status, a record, or a
/// part of a payload that carries none of those (a change of another `field`, a
/// `messages` change with neither messages nor statuses, an entry without changes, a
/// payload without entries, an empty array): each is `ingested`, a `duplicate` or
/// `ignored`; a document that fails counts once in `errors`. Profiles (`contacts`) ride
/// along with their payload and are not items. So with one item per line — JSONL of
/// records, webhooks carrying one message or status each — `lines = ingested +
/// duplicates + ignored + errors`; blank lines and the extra lines of a pretty-printed
/// document count in `lines` only, and a payload with several messages counts each.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InputStats {
    /// Lines offered: every line of a stream (blank ones included), or one per document
    /// given to [`crate::Engine::ingest`].
    pub lines: u64,
    /// Items applied for the first time.
    pub ingested: u64,
    /// Items already seen.
    pub duplicates: u64,
    /// Items accepted but not used (other webhook fields, ...), by reason in
    /// `ignored_reasons`.
    pub ignored: u64,
    /// Documents rejected with an error.
    pub errors: u64,
    /// Facts (message ids, statuses, records) that arrived in more than one version: the
    /// conflict rule of [`crate::store`](crate::guide::store) kept one. Counted once per fact, in any order.
    pub conflicts: u64,
    /// Unique inbound messages per type.
    pub messages: Map<String, u64>,
    /// Unique statuses per kind.
    pub statuses: Map<String, u64>,
    /// Unique records per type (`outbound`, `external_event`, `spend`, `close`, `click`).
    pub records: Map<String, u64>,
    /// Ignored items per reason (`field:account_update`, ...).
    pub ignored_reasons: Map<String, u64>,
}

/// What one ingest call did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IngestOutcome {
    /// Items applied for the first time.
    pub ingested: u32,
    /// Items already seen (no change).
    pub duplicates: u32,
    /// Items accepted but not used, with reasons.
    pub ignored: Vec<String>,
}

impl IngestOutcome {
    /// Add another outcome to this one.
    pub fn absorb(&mut self, o: IngestOutcome) {
        self.ingested += o.ingested;
        self.duplicates += o.duplicates;
        self.ignored.extend(o.ignored);
    }
}

enum Applied {
    /// Profile data: applied, never counted as an item.
    Silent,
    New,
    Duplicate,
    Ignored(String),
}

/// The fact store.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[doc(hidden)]
pub struct Store {
    /// Users; a merged-away user keeps its slot and points to its representative in `parent`.
    pub(crate) users: Vec<UserRec>,
    /// Union–find parents.
    pub(crate) parent: Vec<UserIx>,
    /// Users by `wa_id` (see [`keys`]).
    by_wa: keys::KeyIndex,
    /// Users by BSUID.
    by_bsuid: keys::KeyIndex,
    /// Business numbers.
    pub(crate) phones: Vec<Box<str>>,
    #[serde(with = "crate::util::serde::sorted_map")]
    phone_ix: HashMap<Box<str>, PhoneIx>,
    /// Messages, with their id indices (see [`messages`]).
    pub(crate) msgs: messages::Messages,
    /// External events.
    pub(crate) externals: Vec<ExternalRec>,
    #[serde(with = "crate::util::serde::sorted_map")]
    external_ix: HashMap<Box<str>, u32>,
    /// Spend by key.
    pub(crate) spend: BTreeMap<String, SpendRec>,
    /// Clicks by key.
    pub(crate) clicks: BTreeMap<String, ClickRec>,
    /// Ingestion counters (snapshots store them without `conflicts`, which they rebuild
    /// from `conflicted`).
    #[serde(with = "stats_layout")]
    pub(crate) stats: InputStats,
    /// The facts that arrived in more than one version, as `kind:key` (see `conflicts`).
    /// Snapshots carry it next to the store.
    #[serde(skip)]
    pub(crate) conflicted: std::collections::BTreeSet<String>,
    /// Latest event timestamp seen.
    pub(crate) max_ts: Option<i64>,
    /// Earliest event timestamp seen.
    pub(crate) min_ts: Option<i64>,
    /// Accounts, pseudonym countries and arrival numbers: a snapshot section of their own
    /// (see [`extra`]).
    #[serde(skip)]
    pub(crate) extra: Extra,
    /// The latest message timestamp (inbound, or a business message's time), as of the
    /// last [`Store::prepare`]: where `last` ranges end.
    #[serde(skip)]
    pub(crate) last_message_ts: Option<i64>,
    /// Tokens and Meta's price of Meta Business Agent messages, by message id (only messages
    /// whose record or `pricing` object said any). Snapshots carry it next to the store.
    #[serde(skip)]
    pub(crate) agent: BTreeMap<Box<str>, AgentFacts>,
    /// Users whose facts changed since the engine last looked (see [`touched`]).
    #[serde(skip)]
    pub(crate) touched: Touched,
    /// Clicks by the message they name (see [`click_index`]).
    #[serde(skip)]
    click_index: click_index::ClickIndex,
    /// The distinct outbound records, each shared by the messages that carry it.
    #[serde(skip)]
    records: msg::Records,
    /// The distinct button, list and flow replies, each shared by the messages that carry
    /// it.
    #[serde(skip)]
    replies: msg::Shared<crate::model::Reply>,
}

/// What a Meta Business Agent message used or cost, as its inputs said. Kept beside the
/// messages (in [`Store::agent`]) rather than in them, so that snapshots written before the
/// agent category existed still restore.
///
/// The same rules as for the rest of the message pick the facts: the host's `tokens` come
/// with the outbound record (the first record wins), Meta's with the `pricing` object that
/// the message keeps (that of its earliest status carrying one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AgentFacts {
    /// Tokens from the host's outbound record.
    pub(crate) record_tokens: Option<u64>,
    /// Tokens and price from Meta's kept `pricing` object.
    pub(crate) meta: AgentUsage,
}

impl AgentFacts {
    /// The tokens billing uses: Meta's count, else the host's.
    pub(crate) fn tokens(&self) -> Option<u64> {
        self.meta.tokens.or(self.record_tokens)
    }
}

/// How many users ahead of its fold a per-user loop warms (see [`Store::warm_ahead`]).
pub(crate) const WARM_AHEAD: usize = 2;

impl Store {
    /// The representative of `u` (users linked by wa_id/BSUID share one).
    pub(crate) fn find(&self, mut u: UserIx) -> UserIx {
        while self.parent[u as usize] != u {
            u = self.parent[u as usize];
        }
        u
    }

    /// Read the parts of user `u`'s messages a per-user fold will read (see
    /// [`MsgRec::warm`]), so that they are in the CPU's cache when the fold comes to them.
    /// A fold reads a user's messages one by one, each a few pointers away from the last,
    /// and waits for memory at each; this loop does nothing else, so the processor asks
    /// for all of them at once. The per-user loops call it a few users ahead
    /// ([`Store::warm_ahead`]). Returns a mix of what it read (nothing to use; it keeps the
    /// reads from being optimised away).
    pub(crate) fn warm(&self, u: UserIx) -> u64 {
        let Some(rec) = self.users.get(u as usize) else {
            return 0;
        };
        rec.timeline.iter().fold(0u64, |w, &ix| {
            w.wrapping_add(self.msgs.get(ix as usize).map_or(0, MsgRec::warm))
        })
    }

    /// [`Store::warm`] the user [`WARM_AHEAD`] places after `i` in `users`, if any: a
    /// per-user loop calls it before folding `users[i]`.
    pub(crate) fn warm_ahead(&self, users: &[UserIx], i: usize) {
        if let Some(&u) = users.get(i + WARM_AHEAD) {
            std::hint::black_box(self.warm(u));
        }
    }

    /// Whether `u` is a live representative (see [`Store::live_users`]).
    pub(crate) fn is_live(&self, u: UserIx) -> bool {
        let r = &self.users[u as usize];
        self.parent[u as usize] == u && (r.wa_id.is_some() || r.bsuid.is_some())
    }

    /// Indices of live (representative) users. A forgotten user's slot (no identifier
    /// left; see `Store::forget`) is not one.
    pub fn live_users(&self) -> impl Iterator<Item = UserIx> + '_ {
        (0..self.users.len() as UserIx).filter(|u| self.is_live(*u))
    }

    /// The country of user `u`: [`UserRec::country`], where a pseudonymised identifier
    /// stands for the country noted before hashing.
    pub(crate) fn country_of(&self, u: UserIx) -> Option<Country> {
        let r = &self.users[u as usize];
        let noted = &self.extra.countries;
        if noted.is_empty() {
            return r.country();
        }
        let known = |k: Option<&str>| k.and_then(|k| noted.get(k).copied());
        known(r.wa_id.as_deref())
            .or_else(|| r.wa_id.as_deref().and_then(country_from_number))
            .or(r.profile_country)
            .or_else(|| known(r.bsuid.as_deref()))
            .or_else(|| r.bsuid.as_deref().and_then(country_from_bsuid))
    }

    /// Look up a user by `wa_id` or BSUID, without creating one. The key is read as input
    /// names users ([`crate::input::normalise_contact`]): `+44 7223 201674` finds
    /// `447223201674`.
    pub(crate) fn user_by_key(&self, key: &str) -> Option<UserIx> {
        // A key that is not a contact (a pseudonym, say) is looked up as given.
        let key = crate::input::normalise_contact(Cow::Borrowed(key)).unwrap_or(Cow::Borrowed(key));
        let key: &str = &key;
        self.by_wa
            .get(key)
            .or_else(|| self.by_bsuid.get(key))
            .map(|u| self.find(u))
    }

    /// The business number's id string.
    pub(crate) fn phone(&self, p: PhoneIx) -> &str {
        &self.phones[p as usize]
    }

    /// The index of a business number, if seen.
    pub(crate) fn phone_by_id(&self, id: &str) -> Option<PhoneIx> {
        self.phone_ix.get(id).copied()
    }

    /// An outbound message by id.
    pub(crate) fn outbound(&self, id: &str) -> Option<MsgIx> {
        self.msgs.find(Direction::Outbound, id)
    }

    /// Sort every changed user's timeline by (timestamp, direction, id). Call before reading
    /// timelines.
    pub(crate) fn prepare(&mut self) {
        let msgs = &self.msgs;
        let mut latest = self.last_message_ts;
        for i in std::mem::take(&mut self.touched.dirty) {
            let Some(u) = self.users.get_mut(i as usize) else {
                continue;
            };
            if u.dirty {
                u.timeline.sort_unstable_by(|a, b| {
                    let (ma, mb) = (&msgs[*a as usize], &msgs[*b as usize]);
                    (ma.ts, ma.dir, &ma.id).cmp(&(mb.ts, mb.dir, &mb.id))
                });
                u.timeline.dedup();
                // A timeline grows by pushes (up to twice the room it needs); its user is
                // folded from it now, so it is trimmed once here rather than at every push.
                u.timeline.shrink_to_fit();
                u.dirty = false;
                let last = u.timeline.last().map(|&i| msgs[i as usize].ts);
                latest = latest.max(last);
            }
        }
        // A business message's time may move down when its record arrives after its
        // statuses: then (and after a restore or erasure) one pass over the messages, since
        // a running maximum would depend on arrival order. Else the maximum only grew, and
        // only on the dirty users' timelines.
        self.last_message_ts = if self.touched.last_ts_holds {
            latest
        } else {
            self.msgs.iter().map(|m| m.ts).max()
        };
        self.touched.last_ts_holds = true;
    }

    /// How many money records (external events with a value, spend records) are in each
    /// currency (what the report currency is chosen from when none is configured).
    pub(crate) fn money_currencies(&self) -> Map<crate::model::money::Currency, u64> {
        let mut out = Map::new();
        let values = self.externals.iter().filter_map(|x| x.value);
        for m in values.chain(self.spend.values().map(|r| r.amount)) {
            *out.entry(m.currency).or_default() += 1;
        }
        out
    }

    /// The facts beyond the schema-2 layout, for a snapshot.
    pub(crate) fn extension(&self) -> StoreExt {
        StoreExt {
            spend: self
                .spend
                .iter()
                .filter(|(_, r)| r.extra != SpendExtra::default())
                .map(|(k, r)| (k.clone(), r.extra.clone()))
                .collect(),
            reopens: (0..self.users.len() as UserIx)
                .filter(|u| !self.users[*u as usize].reopens.is_empty())
                .map(|u| (u, self.users[u as usize].reopens.to_vec()))
                .collect(),
        }
    }

    /// Put back the facts [`Store::extension`] took out (after decoding a snapshot);
    /// an entry naming a missing spend record, user or number is an error.
    pub(crate) fn set_extension(&mut self, ext: StoreExt) -> Result<(), String> {
        for (k, extra) in ext.spend {
            let rec = self
                .spend
                .get_mut(&k)
                .ok_or("spend extension names no record")?;
            rec.extra = extra;
        }
        let (nu, np) = (self.users.len(), self.phones.len());
        for (u, reopens) in ext.reopens {
            let bad =
                |(t, p): &(i64, PhoneIx)| *p as usize >= np || !crate::util::time::is_plausible(*t);
            if u as usize >= nu || reopens.iter().any(bad) {
                return Err("reopen references a missing user or number, or a bad time".into());
            }
            self.users[u as usize].reopens = reopens.into();
        }
        Ok(())
    }

    /// Drop the messages and external events marked in `drop_msg` / `drop_ext` (by index),
    /// with the clicks on dropped messages, and renumber what stays (used by
    /// [`crate::expiry`](crate::guide::expiry); timelines must be in order and stay so).
    pub(crate) fn compact(&mut self, drop_msg: &[bool], drop_ext: &[bool]) {
        let gone = |d: &[bool], i: usize| d.get(i).copied().unwrap_or(false);
        let dropped_out: hashbrown::HashSet<Box<str>> = self
            .msgs
            .iter()
            .enumerate()
            .filter(|(i, m)| gone(drop_msg, *i) && m.dir == Direction::Outbound)
            .map(|(_, m)| m.id.clone())
            .collect();
        let (msgs, map) = keep_marked(self.msgs.take_rows(), drop_msg, |_, _| {});
        self.msgs = messages::Messages::from_rows(msgs);
        self.extra.arrival = self.extra.arrival.keep_unmarked(drop_msg);
        self.extra.x_arrival = self.extra.x_arrival.keep_unmarked(drop_ext);
        self.external_ix = HashMap::new();
        let (externals, xmap) =
            keep_marked(std::mem::take(&mut self.externals), drop_ext, |x, ix| {
                self.external_ix.insert(x.id.clone(), ix);
            });
        self.externals = externals;
        for u in &mut self.users {
            u.timeline.retain_mut(|m| {
                *m = map[*m as usize];
                *m != MsgIx::MAX
            });
            // `Rare::retain` leaves the many users without external events unallocated.
            u.externals.retain(|x| {
                *x = xmap[*x as usize];
                *x != u32::MAX
            });
            u.timeline.shrink_to_fit();
            u.closes.tidy();
        }
        self.clicks
            .retain(|_, c| !dropped_out.contains(&*c.message_id));
        self.drop_click_index();
        self.agent.retain(|id, _| !dropped_out.contains(&**id));
        // Records and replies no message carries any more (a forgotten person's flow
        // answers leave with them).
        self.records.drop_unused();
        self.replies.drop_unused();
    }

    fn phone_of(&mut self, id: &str) -> PhoneIx {
        if let Some(p) = self.phone_ix.get(id) {
            return *p;
        }
        let p = self.phones.len() as PhoneIx;
        self.phones.push(id.into());
        self.phone_ix.insert(id.into(), p);
        p
    }

    fn new_user(&mut self) -> UserIx {
        let u = self.users.len() as UserIx;
        crate::util::push_growing_by_quarter(&mut self.users, UserRec::default());
        crate::util::push_growing_by_quarter(&mut self.parent, u);
        u
    }

    /// Resolve (creating and linking as needed) the user named by `r`.
    fn user_of(&mut self, r: &UserRef<'_>) -> Option<UserIx> {
        let by_wa = r
            .wa_id
            .as_deref()
            .and_then(|w| self.by_wa.get(w))
            .map(|u| self.find(u));
        let by_b = r
            .bsuid
            .as_deref()
            .and_then(|b| self.by_bsuid.get(b))
            .map(|u| self.find(u));
        let u = match (by_wa, by_b) {
            (Some(a), Some(b)) if a != b => self.union(a, b),
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => {
                if r.is_empty() {
                    return None;
                }
                self.new_user()
            }
        };
        // A key not found above is not indexed (nothing since has added to its index):
        // index it, without looking it up again.
        if let Some(w) = r.wa_id.as_deref().filter(|_| by_wa.is_none()) {
            self.by_wa.insert(w, u);
            let rec = &mut self.users[u as usize];
            rec.wa_id = min_some(rec.wa_id.take(), Some(w.into()));
        }
        if let Some(b) = r.bsuid.as_deref().filter(|_| by_b.is_none()) {
            self.by_bsuid.insert(b, u);
            let rec = &mut self.users[u as usize];
            rec.bsuid = min_some(rec.bsuid.take(), Some(b.into()));
        }
        self.touch(u);
        Some(u)
    }

    /// Link two users; the one with the smaller index represents both (deterministic for a
    /// given set of users, and every report keys users by wa_id/BSUID, not index).
    fn union(&mut self, a: UserIx, b: UserIx) -> UserIx {
        let (keep, gone) = if a < b { (a, b) } else { (b, a) };
        self.touch(gone);
        self.touch(keep);
        self.parent[gone as usize] = keep;
        let g = std::mem::take(&mut self.users[gone as usize]);
        let k = &mut self.users[keep as usize];
        // When both identities carry a value (one BSUID seen with two wa_ids, say), keep
        // the smaller, so the result does not depend on which arrived first.
        k.wa_id = min_some(k.wa_id.take(), g.wa_id);
        k.bsuid = min_some(k.bsuid.take(), g.bsuid);
        k.name = better_name(k.name.take(), g.name);
        k.profile_country = min_some(k.profile_country, g.profile_country);
        k.timeline.extend(g.timeline);
        if !g.externals.is_empty() {
            k.externals.vec_mut().extend(g.externals.iter());
        }
        // The same close (or reopen) may have come once per identity before they were
        // linked: keep one, and count it once, as if the identities had been linked from
        // the start.
        let closes = merge_marks(&mut k.closes, &g.closes);
        let reopens = merge_marks(&mut k.reopens, &g.reopens);
        self.mark_dirty(keep);
        for (kind, twice) in [("close", closes), ("reopen", reopens)] {
            if twice > 0 {
                if let Some(n) = self.stats.records.get_mut(kind) {
                    *n = n.saturating_sub(twice);
                }
                self.stats.ingested = self.stats.ingested.saturating_sub(twice);
                self.stats.duplicates += twice;
            }
        }
        keep
    }

    /// Mark user `u`'s timeline for sorting by the next [`Store::prepare`] (which visits
    /// only the users marked since the last one).
    pub(crate) fn mark_dirty(&mut self, u: UserIx) {
        if let Some(r) = self.users.get_mut(u as usize) {
            if !r.dirty {
                r.dirty = true;
                self.touched.dirty.push(u);
            }
        }
    }

    /// A message of `user` (resolved here) moved from time `was` to `now`: its timeline is
    /// sorted again. A time moved down keeps the latest message time the last
    /// [`Store::prepare`] found unless `was` may have been it (another message at that
    /// time, or later, holds it otherwise); if it may, the next prepare scans every
    /// message. (Times set since that prepare are on dirty users' timelines, which it reads
    /// again.)
    fn retimed(&mut self, user: UserIx, was: i64, now: i64) {
        if now < was && Some(was) >= self.last_message_ts {
            self.touched.last_ts_holds = false;
        }
        let u = self.find(user);
        self.mark_dirty(u);
    }

    fn touch_ts(&mut self, ts: i64) {
        self.max_ts = Some(self.max_ts.map_or(ts, |m| m.max(ts)));
        self.min_ts = Some(self.min_ts.map_or(ts, |m| m.min(ts)));
    }

    /// Apply a batch of events parsed from one document, taking them out of `events` (left
    /// empty, its room kept for the next document's events).
    ///
    /// Events timed before `late_before` (the first instant of days an expiry sealed; see
    /// [`crate::expiry`](crate::guide::expiry)) are beyond the lateness bound: each is ignored and counted under
    /// the reason `late`.
    pub fn apply_all(
        &mut self,
        events: &mut Vec<Event<'_>>,
        late_before: Option<i64>,
    ) -> IngestOutcome {
        // Profile names take the latest message timestamp of their payload.
        let ts_hint = events
            .iter()
            .filter_map(|e| match e {
                Event::Inbound(m) => Some(m.ts),
                Event::Status(s) => Some(s.ts),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let mut out = IngestOutcome::default();
        for e in events.drain(..) {
            let late = late_before.is_some_and(|floor| e.ts().is_some_and(|t| t < floor));
            let applied = if late {
                Applied::Ignored("late".into())
            } else {
                self.apply(e, ts_hint)
            };
            match applied {
                Applied::New => {
                    out.ingested += 1;
                    self.stats.ingested += 1;
                }
                Applied::Silent => {}
                Applied::Duplicate => {
                    out.duplicates += 1;
                    self.stats.duplicates += 1;
                }
                Applied::Ignored(r) => {
                    self.stats.ignored += 1;
                    *self.stats.ignored_reasons.entry(r.clone()).or_default() += 1;
                    out.ignored.push(r);
                }
            }
        }
        out
    }

    fn apply(&mut self, e: Event<'_>, ts_hint: i64) -> Applied {
        match e {
            Event::Contact(c) => self.contact(&c, ts_hint),
            Event::Account(a) => self.account(&a),
            Event::Inbound(m) => self.inbound_msg(m),
            Event::Status(s) => self.status(s),
            Event::Outbound(o) => self.outbound_rec(o),
            Event::External(x) => self.external(&x),
            Event::Spend(s) => self.spend_rec(&s),
            Event::Close(c) => self.close(&c, false),
            Event::Reopen(c) => self.close(&c, true),
            Event::Click(c) => self.click(&c),
            Event::Ignored(r) => Applied::Ignored(r.key()),
        }
    }

    fn contact(&mut self, c: &ContactInfo<'_>, ts_hint: i64) -> Applied {
        let Some(u) = self.user_of(&c.user) else {
            return Applied::Ignored("unresolvable".into());
        };
        let rec = &mut self.users[u as usize];
        if let Some(n) = c.name.as_deref().filter(|n| !n.trim().is_empty()) {
            rec.name = better_name(rec.name.take(), Some((ts_hint, n.into())));
        }
        if let Some(cc) = c.country_code.as_deref().and_then(Country::new) {
            // Deterministic whatever the order: the smallest code wins if they ever differ.
            rec.profile_country = Some(rec.profile_country.map_or(cc, |p| p.min(cc)));
        }
        // Contacts are profile data, not traffic: they never count as ingested items.
        Applied::Silent
    }

    fn account(&mut self, a: &AccountInfo<'_>) -> Applied {
        self.extra.link_account(&a.phone, &a.waba);
        // Account data, not traffic: never counted as an item.
        Applied::Silent
    }

    /// Append a message, stamped with its arrival number.
    fn push_msg(&mut self, m: MsgRec) -> MsgIx {
        let ix = self.msgs.push(m);
        let seq = self.extra.stamp();
        self.extra.arrival.push(seq);
        ix
    }

    fn inbound_msg(&mut self, m: InboundMsg<'_>) -> Applied {
        let user = self.user_of(&m.from);
        let data = InboundData::new(
            m.ty,
            m.text.as_deref().map(Into::into),
            m.context_id.as_deref().map(Into::into),
            m.referral,
            m.reply.map(|r| self.replies.share_value(r)),
        );
        if let Some(ix) = self.msgs.find(Direction::Inbound, &m.id) {
            self.touch_msg(ix);
            if let Some(u) = user {
                self.link_msg_user(ix, u);
            }
            self.merge_phone(ix, &m.phone, false);
            let msg = &self.msgs[ix as usize];
            if msg.ts == m.ts && msg.inbound.as_deref() == Some(&data) && msg.text_sum == m.text_sum
            {
                return Applied::Duplicate;
            }
            self.flag_conflict("inbound", &m.id);
            self.touch_ts(m.ts);
            let msg = &mut self.msgs[ix as usize];
            let old = msg.inbound.take();
            let new_key = (m.ts, content_bytes(&Some(&data)), m.text_sum);
            if new_key > (msg.ts, content_bytes(&old), msg.text_sum) {
                msg.ts = m.ts;
                msg.inbound = Some(Box::new(data));
                msg.text_sum = m.text_sum;
                let mu = msg.user;
                let u = self.find(mu);
                self.mark_dirty(u);
                // Counts per type follow the kept version.
                if let Some(o) = &old {
                    unbump(&mut self.stats.messages, o.ty.as_str());
                }
                bump(&mut self.stats.messages, m.ty.as_str());
            } else {
                msg.inbound = old;
            }
            return Applied::Duplicate;
        }
        let Some(u) = user else {
            return Applied::Ignored("unresolvable".into());
        };
        let phone = self.phone_of(&m.phone);
        let mut rec = MsgRec::new(m.id.as_ref().into(), u, phone, Direction::Inbound, m.ts);
        rec.inbound = Some(Box::new(data));
        rec.text_sum = m.text_sum;
        rec.ts_from_record = true;
        let ix = self.push_msg(rec);
        self.users[u as usize].timeline.push(ix);
        self.mark_dirty(u);
        self.touch_ts(m.ts);
        bump(&mut self.stats.messages, m.ty.as_str());
        Applied::New
    }

    /// Link the user of message `ix` with `u` (inputs about one message id name one person).
    fn link_msg_user(&mut self, ix: MsgIx, u: UserIx) {
        let mu = self.find(self.msgs[ix as usize].user);
        if mu != u {
            let k = self.union(mu, u);
            self.msgs[ix as usize].user = k;
        }
    }

    /// A message's business number: the one its outbound record names, else the smallest
    /// non-empty one its other inputs (statuses, the inbound message) named; between
    /// records naming different numbers, the smallest.
    fn merge_phone(&mut self, ix: MsgIx, p: &str, from_record: bool) {
        if p.is_empty() {
            return;
        }
        let m = &self.msgs[ix as usize];
        let locked = m.seen & PHONE_FROM_RECORD != 0;
        if locked && !from_record {
            return;
        }
        let cur = &self.phones[m.phone as usize];
        if cur.is_empty() || (from_record && !locked) || **cur > *p {
            let np = self.phone_of(p);
            let m = &mut self.msgs[ix as usize];
            m.phone = np;
            if from_record {
                m.seen |= PHONE_FROM_RECORD;
            }
        }
    }

    /// Count `kind:key` as a fact that arrived in more than one version (once per fact).
    fn flag_conflict(&mut self, kind: &str, key: &str) {
        if self.conflicted.insert(format!("{kind}:{key}")) {
            self.stats.conflicts += 1;
        }
    }

    /// Find or create the outbound message `id` for user `u` on `phone`.
    fn outbound_slot(
        &mut self,
        id: &str,
        u: Option<UserIx>,
        phone: Option<PhoneIx>,
        ts: i64,
    ) -> Option<MsgIx> {
        if let Some(ix) = self.msgs.find(Direction::Outbound, id) {
            return Some(ix);
        }
        let u = u?;
        let phone = match phone {
            Some(p) => p,
            None => self.phone_of(""),
        };
        let ix = self.push_msg(MsgRec::new(id.into(), u, phone, Direction::Outbound, ts));
        self.users[u as usize].timeline.push(ix);
        self.mark_dirty(u);
        Some(ix)
    }

    fn status(&mut self, s: StatusUpdate<'_>) -> Applied {
        let u = self.user_of(&s.recipient);
        let phone = if s.phone.is_empty() {
            None
        } else {
            Some(self.phone_of(&s.phone))
        };
        let Some(ix) = self.outbound_slot(&s.id, u, phone, s.ts) else {
            return Applied::Ignored("unresolvable".into());
        };
        self.touch_msg(ix);
        // A status may name the recipient by an id the record did not: link them.
        if let Some(u) = u {
            self.link_msg_user(ix, u);
        }
        self.merge_phone(ix, &s.phone, false);
        let bit = 1u8
            << (StatusKind::ALL
                .iter()
                .position(|k| *k == s.status)
                .unwrap_or(6) as u8);
        let m = &mut self.msgs[ix as usize];
        let fresh = m.seen & bit == 0;
        m.seen |= bit;
        // Each kind keeps its earliest time; another time for the same kind is a conflict.
        let mut conflict = false;
        // (An unknown kind has no slot: no statuses to allocate for it.)
        let slot = (s.status != StatusKind::Other).then(|| m.status_mut().slot(s.status));
        if let Some(slot) = slot.flatten() {
            let ts = Ts32::clamped(s.ts);
            conflict = slot.is_some_and(|t| t != ts);
            *slot = Some(slot.map_or(ts, |t| t.min(ts)));
        }
        if s.status == StatusKind::Failed && !s.errors.is_empty() {
            // The union of the errors reported, in a fixed order.
            let mut errors = m.status().errors().to_vec();
            errors.extend(s.errors);
            errors.sort_total();
            errors.dedup();
            m.status_mut().set_errors(errors.into_boxed_slice());
        }
        let mut agent_meta = None;
        if s.conversation.is_some() || s.pricing.is_some() {
            // Meta's objects come together from the earliest status carrying either (ties:
            // by kind, then by content), so the pair never mixes two statuses.
            let key = (Ts32::clamped(s.ts), bit);
            let kept = m.status();
            let replace = match kept.meta_ts {
                None => true,
                Some(k) if k == key => {
                    content_bytes(&(&s.conversation, &s.pricing))
                        < content_bytes(&(kept.conversation(), &kept.pricing))
                }
                Some(k) => key < k,
            };
            if replace {
                let st = m.status_mut();
                st.meta_ts = Some(key);
                st.set_conversation(
                    s.conversation
                        .map(crate::model::MetaConversation::into_kept),
                );
                st.pricing = s.pricing;
                // Meta's agent usage comes with the kept `pricing` object (none without one).
                agent_meta = Some(s.agent);
            }
        }
        if !m.ts_from_record && s.ts < m.ts {
            let (was, mu) = (m.ts, m.user);
            m.ts = s.ts;
            self.retimed(mu, was, s.ts);
        }
        if let Some(usage) = agent_meta {
            if !usage.is_empty() {
                self.agent.entry(s.id.as_ref().into()).or_default().meta = usage;
            } else if let Some(f) = self.agent.get_mut(s.id.as_ref()) {
                f.meta = usage;
            }
        }
        self.touch_ts(s.ts);
        if conflict {
            self.flag_conflict("status", &format!("{}:{}", s.id, s.status.as_str()));
        }
        if !fresh {
            return Applied::Duplicate;
        }
        bump(&mut self.stats.statuses, s.status.as_str());
        Applied::New
    }

    fn outbound_rec(&mut self, o: OutboundRecord<'_>) -> Applied {
        let Some(u) = self.user_of(&o.to) else {
            return Applied::Ignored("unresolvable".into());
        };
        let phone = o.phone.as_deref().map(|p| self.phone_of(p));
        let ix = self.outbound_slot(&o.id, Some(u), phone, o.ts).unwrap_or(0);
        self.touch_msg(ix);
        self.link_msg_user(ix, u);
        if let Some(p) = o.phone.as_deref() {
            self.merge_phone(ix, p, true);
        }
        let data = OutboundData {
            kind: o.kind,
            template: o.template.as_deref().map(Into::into),
            category: o.category,
            author: o.author,
            author_id: o.author_id.as_deref().map(Into::into),
            campaign: o.campaign.as_deref().map(Into::into),
            buttons: o.buttons.into_boxed_slice(),
        };
        // The host's agent tokens are part of the record's content.
        let old_tokens = self.agent.get(&*o.id).and_then(|f| f.record_tokens);
        let m = &self.msgs[ix as usize];
        if let Some(old) = m.outbound() {
            if m.ts == o.ts && *old == data && old_tokens == o.tokens {
                return Applied::Duplicate;
            }
            if (o.ts, content_bytes(&(&data, o.tokens))) > (m.ts, content_bytes(&(old, old_tokens)))
            {
                let data = self.intern_record(data);
                let m = &mut self.msgs[ix as usize];
                let (was, mu) = (m.ts, m.user);
                m.ts = o.ts;
                m.set_outbound(Some(data));
                self.retimed(mu, was, o.ts);
                self.set_record_tokens(&o.id, o.tokens);
            }
            self.flag_conflict("outbound", &o.id);
            self.touch_ts(o.ts);
            return Applied::Duplicate;
        }
        let data = self.intern_record(data);
        let m = &mut self.msgs[ix as usize];
        m.set_outbound(Some(data));
        let (was, mu) = (m.ts, m.user);
        m.ts = o.ts;
        m.ts_from_record = true;
        self.retimed(mu, was, o.ts);
        self.set_record_tokens(&o.id, o.tokens);
        self.touch_ts(o.ts);
        bump(&mut self.stats.records, "outbound");
        Applied::New
    }

    /// The store's shared copy of outbound record `data` (see [`msg`]).
    fn intern_record(&mut self, data: OutboundData) -> Arc<OutboundData> {
        if let Some(r) = self.records.0.get(&data) {
            return r.clone();
        }
        let r = Arc::new(data);
        self.records.0.insert(r.clone());
        r
    }

    /// Replace each inbound text by `f(text)`: what to keep in its place and its digest
    /// (for snapshots written before schema 6, which kept texts as they arrived).
    pub(crate) fn rewrite_texts(&mut self, mut f: impl FnMut(&str) -> (Option<Box<str>>, u32)) {
        for m in self.msgs.iter_mut() {
            if let Some(inb) = m.inbound.as_mut()
                && let Some(t) = inb.text.take()
            {
                let (text, sum) = f(&t);
                inb.text = text;
                m.text_sum = sum;
            }
        }
    }

    /// The inbound messages' text digests, as (message index, digest), digests of 0 left
    /// out (snapshots carry them apart from the rows: schema 6).
    pub(crate) fn text_sums(&self) -> Vec<(MsgIx, u32)> {
        (self.msgs.iter().enumerate())
            .filter(|(_, m)| m.text_sum != 0)
            .map(|(i, m)| (i as MsgIx, m.text_sum))
            .collect()
    }

    /// Put back digests listed by [`Store::text_sums`]; one naming no inbound message
    /// is an error.
    pub(crate) fn set_text_sums(&mut self, sums: Vec<(MsgIx, u32)>) -> Result<(), String> {
        for (ix, sum) in sums {
            match self.msgs.get_mut(ix as usize) {
                Some(m) if m.inbound.is_some() => m.text_sum = sum,
                _ => {
                    return Err(format!(
                        "text digest of message {ix}, not an inbound message"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Make the messages share one copy of each distinct outbound record and reply (a
    /// decoded store holds one copy per message).
    pub(crate) fn share_records(&mut self) {
        let mut records = std::mem::take(&mut self.records);
        let mut replies = std::mem::take(&mut self.replies);
        for m in self.msgs.iter_mut() {
            if let Some(d) = m.inbound.as_mut() {
                d.share_reply(&mut replies);
            }
            let Some(r) = m.outbound_shared() else {
                continue;
            };
            if let Some(shared) = records.0.get(&**r) {
                let shared = shared.clone();
                m.set_outbound(Some(shared));
            } else {
                records.0.insert(r.clone());
            }
        }
        self.records = records;
        self.replies = replies;
    }

    /// Keep the host's agent tokens of the outbound record kept for message `id`.
    fn set_record_tokens(&mut self, id: &str, tokens: Option<u64>) {
        if tokens.is_some() {
            self.agent.entry(id.into()).or_default().record_tokens = tokens;
        } else if let Some(f) = self.agent.get_mut(id) {
            f.record_tokens = None;
            if *f == AgentFacts::default() {
                self.agent.remove(id);
            }
        }
    }

    fn external(&mut self, x: &ExternalRecord<'_>) -> Applied {
        let user = self.user_of(&x.contact);
        let contact = x.contact.key().unwrap_or("");
        if let Some(&ix) = self.external_ix.get(&*x.id) {
            let was = self.find(self.externals[ix as usize].user);
            self.touch(was);
            let old = &self.externals[ix as usize];
            if old.ts == x.ts
                && *old.name == *x.name
                && old.value == x.value
                && *old.contact == *contact
            {
                return Applied::Duplicate;
            }
            let wins = (x.ts, content_bytes(&(&*x.name, &x.value, contact)))
                > (
                    old.ts,
                    content_bytes(&(&*old.name, &old.value, &*old.contact)),
                );
            if wins {
                if let Some(u) = user {
                    let was = self.find(old.user);
                    self.users[was as usize].externals.retain(|e| *e != ix);
                    self.users[u as usize].externals.push(ix);
                    self.externals[ix as usize].user = u;
                }
                let rec = &mut self.externals[ix as usize];
                rec.name = x.name.as_ref().into();
                rec.value = x.value;
                rec.ts = x.ts;
                rec.contact = contact.into();
            }
            self.flag_conflict("external_event", &x.id);
            self.touch_ts(x.ts);
            return Applied::Duplicate;
        }
        let Some(u) = user else {
            return Applied::Ignored("unresolvable".into());
        };
        let ix = self.externals.len() as u32;
        let seq = self.extra.stamp();
        self.extra.x_arrival.push(seq);
        self.externals.push(ExternalRec {
            id: x.id.as_ref().into(),
            user: u,
            name: x.name.as_ref().into(),
            value: x.value,
            ts: x.ts,
            contact: contact.into(),
        });
        self.external_ix.insert(x.id.as_ref().into(), ix);
        self.users[u as usize].externals.push(ix);
        self.touch_ts(x.ts);
        bump(&mut self.stats.records, "external_event");
        Applied::New
    }

    /// Note the user of the business message a click names, when it is known.
    fn touch_clicked(&mut self, message_id: &str) {
        if let Some(ix) = self.outbound(message_id) {
            self.touch_msg(ix);
        }
    }

    fn spend_rec(&mut self, s: &SpendRecord<'_>) -> Applied {
        let key = match (&s.id, &s.phone) {
            (Some(id), _) => format!("id:{id}"),
            (None, None) => format!("{}|{}", s.source, s.from),
            (None, Some(p)) => format!("{}|{}|{p}", s.source, s.from),
        };
        let rec = SpendRec {
            source: s.source.as_ref().into(),
            name: s.name.as_deref().map(Into::into),
            from: s.from,
            to: s.to,
            amount: s.amount,
            extra: SpendExtra {
                phone: s.phone.as_deref().map(Into::into),
                campaign: s.campaign.as_deref().map(Into::into),
                campaign_name: s.campaign_name.as_deref().map(Into::into),
            },
        };
        self.spend_insert(key, rec)
    }

    fn spend_insert(&mut self, key: String, rec: SpendRec) -> Applied {
        // A number spend names is a known number (`--phone` accepts it).
        if let Some(p) = rec.extra.phone.as_deref() {
            self.phone_of(p);
        }
        let order = |r: &SpendRec| {
            (
                r.amount.micros,
                r.amount.currency,
                r.to,
                r.name.clone(),
                r.source.clone(),
                r.from,
                r.extra.clone(),
            )
        };
        match self.spend.get(&key) {
            Some(old) if *old == rec => Applied::Duplicate,
            Some(old) => {
                // A restatement: the larger amount wins, then a total order of the rest.
                let wins = order(&rec) > order(old);
                self.flag_conflict("spend", &key);
                if wins {
                    self.spend.insert(key, rec);
                }
                Applied::Duplicate
            }
            None => {
                self.spend.insert(key, rec);
                bump(&mut self.stats.records, "spend");
                Applied::New
            }
        }
    }

    /// A close record, or with `reopen` a reopen record.
    fn close(&mut self, c: &CloseRecord<'_>, reopen: bool) -> Applied {
        let Some(u) = self.user_of(&c.contact) else {
            return Applied::Ignored("unresolvable".into());
        };
        let phone = match c.phone.as_deref() {
            Some(p) => self.phone_of(p),
            None => self.phone_of(""),
        };
        let rec = &mut self.users[u as usize];
        let marks = if reopen {
            &mut rec.reopens
        } else {
            &mut rec.closes
        };
        // Deduplicated against the person's own marks (not a set keyed by user index,
        // which a later union of identities would make stale).
        if marks.contains(&(c.ts, phone)) {
            return Applied::Duplicate;
        }
        marks.push((c.ts, phone));
        self.touch_ts(c.ts);
        bump(
            &mut self.stats.records,
            if reopen { "reopen" } else { "close" },
        );
        Applied::New
    }

    fn click(&mut self, c: &ClickRecord<'_>) -> Applied {
        let key = match &c.id {
            Some(id) => format!("id:{id}"),
            None => format!("{}|{}|{}", c.message_id, c.button, c.ts),
        };
        let rec = ClickRec {
            message_id: c.message_id.as_ref().into(),
            button: c.button.as_ref().into(),
            ts: c.ts,
        };
        self.click_insert(key, rec)
    }

    fn click_insert(&mut self, key: String, rec: ClickRec) -> Applied {
        self.touch_clicked(&rec.message_id);
        if let Some(old) = self.clicks.get(&key) {
            let id = old.message_id.clone();
            self.touch_clicked(&id);
        }
        match self.clicks.get(&key) {
            Some(old) if *old == rec => Applied::Duplicate,
            Some(old) => {
                let wins =
                    (rec.ts, &rec.message_id, &rec.button) > (old.ts, &old.message_id, &old.button);
                let old_id = old.message_id.clone();
                self.touch_ts(rec.ts);
                self.flag_conflict("click", &key);
                if wins {
                    self.index_click(&key, Some(&old_id), &rec.message_id);
                    self.clicks.insert(key, rec);
                }
                Applied::Duplicate
            }
            None => {
                self.touch_ts(rec.ts);
                self.index_click(&key, None, &rec.message_id);
                self.clicks.insert(key, rec);
                bump(&mut self.stats.records, "click");
                Applied::New
            }
        }
    }
}

/// The items not marked in `drop` (by index; missing marks keep), each passed to `index`
/// with its new index, and the map from old to new index (`u32::MAX` for dropped items).
fn keep_marked<T>(
    items: Vec<T>,
    drop: &[bool],
    mut index: impl FnMut(&T, u32),
) -> (Vec<T>, Vec<u32>) {
    let mut map = vec![u32::MAX; items.len()];
    let mut kept = Vec::with_capacity(
        items
            .len()
            .saturating_sub(drop.iter().filter(|d| **d).count()),
    );
    for (i, item) in items.into_iter().enumerate() {
        if drop.get(i).copied().unwrap_or(false) {
            continue;
        }
        let ix = kept.len() as u32;
        map[i] = ix;
        index(&item, ix);
        kept.push(item);
    }
    (kept, map)
}

/// Count one `key` (allocating the key only the first time: this runs once per event).
fn bump(map: &mut Map<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(v) => *v += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

/// Count one `key` less, dropping it at zero (as if it had never been counted).
fn unbump(map: &mut Map<String, u64>, key: &str) {
    if let Some(v) = map.get_mut(key) {
        *v = v.saturating_sub(1);
        if *v == 0 {
            map.remove(key);
        }
    }
}

/// The canonical encoding of a fact's content: the tie-break between two versions with
/// equal timestamps (any difference decides, the same way in every process).
fn content_bytes<T: Serialize>(v: &T) -> Vec<u8> {
    postcard::to_allocvec(v).unwrap_or_default()
}

/// Add `other` to `marks` (closes or reopens of one person), sorted and deduplicated;
/// returns how many were in both.
fn merge_marks(marks: &mut Rare<(i64, PhoneIx)>, other: &[(i64, PhoneIx)]) -> u64 {
    if other.is_empty() {
        return 0;
    }
    let v = marks.vec_mut();
    v.extend_from_slice(other);
    let before = v.len();
    v.sort_total();
    v.dedup();
    (before - v.len()) as u64
}

/// The smaller of two optional values, or whichever is present.
fn min_some<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn better_name(a: Option<(i64, Box<str>)>, b: Option<(i64, Box<str>)>) -> Option<(i64, Box<str>)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b > a { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// [`InputStats`] as snapshots store it: every counter but `conflicts`, which a snapshot
/// rebuilds from the conflicted keys it carries (so schema 1 and 2 snapshots, written
/// before the counter existed, keep their layout).
mod stats_layout {
    use super::InputStats;
    use crate::util::sorted_map::Map;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    type Counts = Map<String, u64>;

    #[derive(Serialize)]
    struct Ref<'a>(
        u64,
        u64,
        u64,
        u64,
        u64,
        &'a Counts,
        &'a Counts,
        &'a Counts,
        &'a Counts,
    );

    #[derive(Deserialize)]
    struct Owned(u64, u64, u64, u64, u64, Counts, Counts, Counts, Counts);

    pub(super) fn serialize<S: Serializer>(v: &InputStats, s: S) -> Result<S::Ok, S::Error> {
        Ref(
            v.lines,
            v.ingested,
            v.duplicates,
            v.ignored,
            v.errors,
            &v.messages,
            &v.statuses,
            &v.records,
            &v.ignored_reasons,
        )
        .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<InputStats, D::Error> {
        let Owned(
            lines,
            ingested,
            duplicates,
            ignored,
            errors,
            messages,
            statuses,
            records,
            ignored_reasons,
        ) = Owned::deserialize(d)?;
        Ok(InputStats {
            lines,
            ingested,
            duplicates,
            ignored,
            errors,
            conflicts: 0,
            messages,
            statuses,
            records,
            ignored_reasons,
        })
    }
}
