//! Merging one store's facts into another, through the idempotent ingest path.

use super::{Applied, MsgRec, PHONE_FROM_RECORD, Store, UserIx};
use crate::input::{
    CloseRecord, ContactInfo, Event, ExternalRecord, InboundMsg, OutboundRecord, StatusUpdate,
    UserRef,
};
use crate::model::{AgentUsage, MetaConversation, StatusKind};
use smallvec::SmallVec;
use std::borrow::Cow;

impl Store {
    fn user_ref(&self, u: UserIx) -> UserRef<'_> {
        let r = &self.users[self.find(u) as usize];
        UserRef::new(
            r.wa_id.as_deref().map(Cow::Borrowed),
            r.bsuid.as_deref().map(Cow::Borrowed),
        )
    }

    /// Replay `other`'s close and reopen records through `replay`.
    fn replay_marks(&mut self, other: &Store, replay: &impl Fn(&mut Store, Event<'_>, i64)) {
        for u in other.live_users() {
            let rec = &other.users[u as usize];
            let marks = rec.closes.iter().map(|m| (m, false));
            for ((ts, p), reopen) in marks.chain(rec.reopens.iter().map(|m| (m, true))) {
                let e = CloseRecord {
                    contact: other.user_ref(u),
                    phone: Some(Cow::Borrowed(other.phone(*p))).filter(|p| !p.is_empty()),
                    ts: *ts,
                    by: None,
                };
                let e = if reopen {
                    Event::Reopen(e)
                } else {
                    Event::Close(e)
                };
                replay(self, e, 0);
            }
        }
    }

    /// Merge the facts of `other` into this store, as if its inputs had been ingested here.
    ///
    /// Every fact is replayed through the same idempotent path as ingestion, so the result
    /// is the store built from both inputs — for disjoint user sets (the partition-by-user
    /// case) and for overlapping ones alike (overlaps are deduplicated). Counters of
    /// lines, errors, duplicates and ignored items are added; unique-item counters count
    /// each fact once.
    pub(crate) fn merge_from(&mut self, other: &Store) {
        self.replay_contacts(other);
        self.replay_messages(other);
        self.replay_externals(other);
        self.replay_marks(other, &Store::replay);
        for (k, rec) in &other.spend {
            if let Applied::New = self.spend_insert(k.clone(), rec.clone()) {
                self.stats.ingested += 1;
            }
        }
        for (k, c) in &other.clicks {
            if let Applied::New = self.click_insert(k.clone(), c.clone()) {
                self.stats.ingested += 1;
            }
        }
        // Facts the other store saw in several versions; the versions it kept met ours
        // above. And the span of every version it saw, losing ones included.
        for k in &other.conflicted {
            if self.conflicted.insert(k.clone()) {
                self.stats.conflicts += 1;
            }
        }
        for t in [other.min_ts, other.max_ts].into_iter().flatten() {
            self.touch_ts(t);
        }
        self.extra.absorb(&other.extra);
        let (a, b) = (&mut self.stats, &other.stats);
        a.lines += b.lines;
        a.errors += b.errors;
        a.duplicates += b.duplicates;
        a.ignored += b.ignored;
        for (k, v) in &b.ignored_reasons {
            *a.ignored_reasons.entry(k.clone()).or_default() += v;
        }
    }

    /// Apply one replayed fact, counting it as ingested when it is new here.
    fn replay(&mut self, e: Event<'_>, hint: i64) {
        if let Applied::New = self.apply(e, hint) {
            self.stats.ingested += 1;
        }
    }

    /// Replay the profile (name and country) of every live user of `other`.
    fn replay_contacts(&mut self, other: &Store) {
        for u in other.live_users() {
            let rec = &other.users[u as usize];
            let info = ContactInfo {
                user: other.user_ref(u),
                name: rec.name.as_ref().map(|(_, n)| Cow::Borrowed(&**n)),
                country_code: rec
                    .profile_country
                    .map(|c| Cow::Owned(c.as_str().to_string())),
            };
            self.replay(
                Event::Contact(info),
                rec.name.as_ref().map_or(0, |(t, _)| *t),
            );
        }
    }

    /// Replay every message of `other`: inbound messages as received, outbound ones as
    /// their statuses and then their record.
    fn replay_messages(&mut self, other: &Store) {
        for m in other.msgs.iter() {
            let user = other.user_ref(m.user);
            let phone = Cow::Borrowed(other.phone(m.phone));
            if let Some(inb) = &m.inbound {
                let e = InboundMsg {
                    id: Cow::Borrowed(&m.id),
                    phone,
                    from: user,
                    ts: m.ts,
                    ty: inb.ty,
                    text: inb.text.as_deref().map(Cow::Borrowed),
                    context_id: inb.context().map(Cow::Borrowed),
                    referral: inb.referral().cloned(),
                    reply: inb.reply().cloned(),
                    text_sum: m.text_sum,
                };
                self.replay(Event::Inbound(e), 0);
                continue;
            }
            other.replay_statuses(m, &user, other.phone(m.phone), &mut |e| self.replay(e, 0));
            if let Some(o) = m.outbound() {
                let e = OutboundRecord {
                    id: Cow::Borrowed(&m.id),
                    phone: Some(phone).filter(|_| m.seen & PHONE_FROM_RECORD != 0),
                    to: user,
                    ts: m.ts,
                    kind: o.kind,
                    template: o.template.as_deref().map(Cow::Borrowed),
                    category: o.category,
                    author: o.author,
                    author_id: o.author_id.as_deref().map(Cow::Borrowed),
                    campaign: o.campaign.as_deref().map(Cow::Borrowed),
                    buttons: o.buttons.to_vec(),
                    tokens: other.agent.get(&*m.id).and_then(|f| f.record_tokens),
                };
                self.replay(Event::Outbound(e), 0);
            }
        }
    }

    /// Replay the external events of `other`, under the contact they named.
    fn replay_externals(&mut self, other: &Store) {
        for x in &other.externals {
            let contact = if x.contact.is_empty() {
                other.user_ref(x.user)
            } else {
                UserRef::from_any(Cow::Borrowed(&x.contact))
            };
            let e = ExternalRecord {
                id: Cow::Borrowed(&x.id),
                contact,
                name: Cow::Borrowed(&x.name),
                value: x.value,
                ts: x.ts,
            };
            self.replay(Event::External(e), 0);
        }
    }

    /// Replay the statuses of message `m` (of this store) as events: each kind seen, at its
    /// (earliest) time; then Meta's objects on the status (kind and time) they came with,
    /// which need not be the earliest of its kind.
    fn replay_statuses<'a>(
        &'a self,
        m: &'a MsgRec,
        user: &UserRef<'a>,
        phone: &'a str,
        replay: &mut dyn FnMut(Event<'a>),
    ) {
        let times = m.status().times();
        let kinds = StatusKind::ALL
            .iter()
            .enumerate()
            .filter_map(move |(i, kind)| {
                let ts = times.get(i).copied().flatten();
                ts.filter(|_| m.seen & (1u8 << i) != 0)
                    .map(|ts| (*kind, ts, false))
            });
        let meta = m.status().meta_ts.and_then(|(ts, bit)| {
            let kind = StatusKind::ALL.get(bit.trailing_zeros() as usize)?;
            Some((*kind, ts.get(), true))
        });
        for (kind, ts, with_meta) in kinds.chain(meta) {
            let e = StatusUpdate {
                id: Cow::Borrowed(&m.id),
                phone: Cow::Borrowed(phone),
                recipient: user.clone(),
                ts,
                status: kind,
                conversation: m
                    .status()
                    .conversation()
                    .filter(|_| with_meta)
                    .map(MetaConversation::borrowed),
                pricing: m.status().pricing.clone().filter(|_| with_meta),
                agent: if with_meta {
                    self.agent.get(&*m.id).map(|f| f.meta).unwrap_or_default()
                } else {
                    AgentUsage::default()
                },
                errors: if kind == StatusKind::Failed && !with_meta {
                    m.status().errors().iter().cloned().collect()
                } else {
                    SmallVec::new()
                },
            };
            replay(Event::Status(e));
        }
    }
}
