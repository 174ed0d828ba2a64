//! A stored message in few bytes. Its row holds what every message has (id, user, number,
//! time, direction, flags) and two pointers: the inbound content, and the outbound track
//! (the host's record and the statuses), each allocated only for messages that have one.
//! What few messages carry — a reply's context, a referral, a button reply, delivery
//! errors, Meta's `conversation` object — sits behind one more pointer. Outbound records
//! repeat (one template, campaign and author for a whole broadcast), so the store keeps
//! one shared copy of each distinct record ([`super::Store::intern_record`]).
//!
//! Snapshots and content comparisons see the flat layout the rows had before (the `wire`
//! views below): the encoding of a store, and of a message's content, is byte for byte
//! what it was.

use super::{PhoneIx, UserIx};
use crate::model::{
    AuthorKind, Category, DeliveryError, Direction, InboundType, MetaConversation, MetaPricing,
    OutboundKind, Referral, Reply, StatusKind, TemplateButton,
};
use crate::util::time::Ts32;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What an inbound message carried.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(from = "wire::InboundOwned")]
#[doc(hidden)]
pub(crate) struct InboundData {
    /// Message type.
    pub(crate) ty: InboundType,
    /// Text body.
    pub(crate) text: Option<Box<str>>,
    /// Context, referral and reply: `None` when the message has none of them, so that a
    /// plain message costs what its text matched and a few bytes.
    more: Option<Box<InboundMore>>,
}

/// The parts of an inbound message that not every message has, each behind its own
/// pointer (32 bytes, where the three inline took 128): a reply to a template has a
/// context and a reply but no referral. Replies repeat (the same button pressed by many
/// users), so the store keeps one shared copy of each ([`InboundData::share_reply`]).
#[derive(Clone, Debug, PartialEq)]
struct InboundMore {
    context: Option<Box<str>>,
    referral: Option<Box<Referral>>,
    reply: Option<Arc<Reply>>,
}

impl InboundData {
    /// An inbound message's content; the reply already shared (see [`Shared::share_value`])
    /// or its own copy.
    pub(crate) fn new(
        ty: InboundType,
        text: Option<Box<str>>,
        context: Option<Box<str>>,
        referral: Option<Referral>,
        reply: Option<Arc<Reply>>,
    ) -> InboundData {
        let rare = context.is_some() || referral.is_some() || reply.is_some();
        InboundData {
            ty,
            text,
            more: rare.then(|| {
                Box::new(InboundMore {
                    context,
                    referral: referral.map(Box::new),
                    reply,
                })
            }),
        }
    }

    /// Use the store's shared copy of the reply (adding this one when new).
    pub(crate) fn share_reply(&mut self, replies: &mut Shared<Reply>) {
        if let Some(r) = self.more.as_mut().and_then(|m| m.reply.as_mut()) {
            *r = replies.share(r);
        }
    }

    /// `context.id`.
    pub(crate) fn context(&self) -> Option<&str> {
        self.more.as_ref()?.context.as_deref()
    }

    /// CTWA referral.
    pub(crate) fn referral(&self) -> Option<&Referral> {
        self.more.as_ref()?.referral.as_deref()
    }

    /// Button/list/flow reply.
    pub(crate) fn reply(&self) -> Option<&Reply> {
        self.more.as_ref()?.reply.as_deref()
    }
}

/// What the host said about a business message. Records repeat across messages, so the
/// store shares one copy of each (see [`super::Store::intern_record`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[doc(hidden)]
pub(crate) struct OutboundData {
    /// Template or free-form.
    pub(crate) kind: OutboundKind,
    /// Template name.
    pub(crate) template: Option<Box<str>>,
    /// Category (`service` for free-form).
    pub(crate) category: Category,
    /// Author kind.
    pub(crate) author: AuthorKind,
    /// Author id.
    pub(crate) author_id: Option<Box<str>>,
    /// Campaign.
    pub(crate) campaign: Option<Box<str>>,
    /// Buttons.
    pub(crate) buttons: Box<[TemplateButton]>,
}

/// The statuses of a business message, merged order-independently.
#[derive(Clone, Debug, Default)]
#[doc(hidden)]
pub(crate) struct StatusTrack {
    /// Earliest `sent`.
    pub(crate) sent: Option<Ts32>,
    /// Earliest `delivered`.
    pub(crate) delivered: Option<Ts32>,
    /// Earliest `read`.
    pub(crate) read: Option<Ts32>,
    /// Earliest `played`.
    pub(crate) played: Option<Ts32>,
    /// Earliest `failed`.
    pub(crate) failed: Option<Ts32>,
    /// Earliest `deleted`.
    pub(crate) deleted: Option<Ts32>,
    /// Meta's `pricing` object (from the earliest status carrying one).
    pub(crate) pricing: Option<MetaPricing>,
    /// Timestamp and kind bit of the status the Meta objects came from (for order
    /// independence).
    pub(crate) meta_ts: Option<(Ts32, u8)>,
    /// Errors and Meta's `conversation` object: `None` when there are neither.
    pub(super) more: Option<Box<StatusMore>>,
}

/// The parts of a message's statuses that few messages have.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct StatusMore {
    errors: Box<[DeliveryError]>,
    conversation: Option<MetaConversation>,
}

/// No statuses: what [`MsgRec::status`] shows for a message without any.
static NO_STATUS: StatusTrack = StatusTrack {
    sent: None,
    delivered: None,
    read: None,
    played: None,
    failed: None,
    deleted: None,
    pricing: None,
    meta_ts: None,
    more: None,
};

impl PartialEq for StatusTrack {
    fn eq(&self, o: &StatusTrack) -> bool {
        self.times() == o.times()
            && self.pricing == o.pricing
            && self.meta_ts == o.meta_ts
            && self.errors() == o.errors()
            && self.conversation() == o.conversation()
    }
}

impl StatusTrack {
    /// When the message reached the device: the earliest of delivered, read and played
    /// (read implies delivered).
    pub(crate) fn delivered_at(&self) -> Option<i64> {
        [self.delivered, self.read, self.played]
            .into_iter()
            .flatten()
            .min()
            .map(Ts32::get)
    }

    /// When the message was read (played implies read).
    pub(crate) fn read_at(&self) -> Option<i64> {
        [self.read, self.played]
            .into_iter()
            .flatten()
            .min()
            .map(Ts32::get)
    }

    /// The six status times (sent, delivered, read, played, failed, deleted) as UTC
    /// seconds.
    pub(crate) fn times(&self) -> [Option<i64>; 6] {
        [
            self.sent,
            self.delivered,
            self.read,
            self.played,
            self.failed,
            self.deleted,
        ]
        .map(|t| t.map(Ts32::get))
    }

    /// Whether the message failed without ever being delivered.
    pub(crate) fn is_failed(&self) -> bool {
        self.failed.is_some() && self.delivered_at().is_none()
    }

    /// Errors of failed statuses.
    pub(crate) fn errors(&self) -> &[DeliveryError] {
        self.more.as_ref().map_or(&[], |m| &m.errors)
    }

    /// Meta's `conversation` object (from the earliest status carrying one).
    pub(crate) fn conversation(&self) -> Option<&MetaConversation> {
        self.more.as_ref()?.conversation.as_ref()
    }

    /// Set the errors.
    pub(crate) fn set_errors(&mut self, errors: Box<[DeliveryError]>) {
        self.more_mut(|m| m.errors = errors);
    }

    /// Set Meta's `conversation` object.
    pub(crate) fn set_conversation(&mut self, conversation: Option<MetaConversation>) {
        self.more_mut(|m| m.conversation = conversation);
    }

    /// Change the rare parts, dropping their box when it is left empty.
    fn more_mut(&mut self, f: impl FnOnce(&mut StatusMore)) {
        let mut more = self.more.take().unwrap_or_default();
        f(&mut more);
        if *more != StatusMore::default() {
            self.more = Some(more);
        }
    }

    /// The time slot of status kind `k` (none for kinds this version does not know).
    pub(crate) fn slot(&mut self, k: StatusKind) -> Option<&mut Option<Ts32>> {
        Some(match k {
            StatusKind::Sent => &mut self.sent,
            StatusKind::Delivered => &mut self.delivered,
            StatusKind::Read => &mut self.read,
            StatusKind::Played => &mut self.played,
            StatusKind::Failed => &mut self.failed,
            StatusKind::Deleted => &mut self.deleted,
            _ => return None,
        })
    }
}

/// The distinct outbound records of a store, each shared by the messages that carry it.
/// One shared copy of each distinct value the messages hold (outbound records, replies):
/// a cache, so stores holding equal messages are equal whatever it holds.
#[derive(Clone, Debug)]
pub(crate) struct Shared<T>(pub(super) hashbrown::HashSet<Arc<T>>);

/// The distinct outbound records.
pub(crate) type Records = Shared<OutboundData>;

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared(hashbrown::HashSet::new())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, _: &Shared<T>) -> bool {
        true
    }
}

impl<T: Eq + std::hash::Hash> Shared<T> {
    /// The shared copy equal to `v`, which becomes the shared copy when there is none.
    pub(crate) fn share(&mut self, v: &Arc<T>) -> Arc<T> {
        if let Some(s) = self.0.get(&**v) {
            return s.clone();
        }
        self.0.insert(v.clone());
        v.clone()
    }

    /// [`Shared::share`] of a value not yet behind a pointer: one is made only when the
    /// value is new (the ingest path, where most replies repeat).
    pub(crate) fn share_value(&mut self, v: T) -> Arc<T> {
        if let Some(s) = self.0.get(&v) {
            return s.clone();
        }
        let v = Arc::new(v);
        self.0.insert(v.clone());
        v
    }

    /// Forget the copies no message holds any more.
    pub(crate) fn drop_unused(&mut self) {
        self.0.retain(|r| Arc::strong_count(r) > 1);
    }
}

/// The outbound side of a message: the host's record (shared) and the statuses.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct OutTrack {
    /// The host's record.
    pub(super) record: Option<Arc<OutboundData>>,
    /// The statuses.
    pub(super) status: StatusTrack,
}

/// A message, inbound or outbound.
#[derive(Clone, Debug, Deserialize)]
#[serde(from = "wire::MsgOwned")]
#[doc(hidden)]
pub(crate) struct MsgRec {
    /// The wamid (the id indices find it here: one copy of the text per message).
    pub(crate) id: Box<str>,
    /// When: the inbound timestamp; for outbound, the record's timestamp, else the earliest status.
    pub(crate) ts: i64,
    /// The user (resolve with [`super::Store::find`]).
    pub(crate) user: UserIx,
    /// The business number.
    pub(crate) phone: PhoneIx,
    /// Inbound content.
    pub(crate) inbound: Option<Box<InboundData>>,
    /// Outbound record and statuses (`None` while there are neither).
    pub(super) out: Option<Box<OutTrack>>,
    /// Direction.
    pub(crate) dir: Direction,
    /// Whether `ts` came from the outbound record (else from statuses).
    pub(crate) ts_from_record: bool,
    /// Bit set of status kinds seen (for deduplication), by their index in
    /// [`StatusKind::ALL`]; bit 7, which no kind uses, says the message's business number
    /// came from its outbound record (see [`super::Store`]'s conflict rule).
    pub(crate) seen: u8,
    /// An inbound message's text digest ([`crate::input::InboundMsg`]'s `text_sum`): the
    /// store keeps what the rules matched in a text, not the text, and tells two versions
    /// of a message apart by this. It fits the row's padding (the row stays 56 bytes).
    pub(crate) text_sum: u32,
}

impl PartialEq for MsgRec {
    fn eq(&self, o: &MsgRec) -> bool {
        self.id == o.id
            && self.ts == o.ts
            && self.user == o.user
            && self.phone == o.phone
            && self.inbound == o.inbound
            && self.outbound() == o.outbound()
            && self.status() == o.status()
            && self.dir == o.dir
            && self.ts_from_record == o.ts_from_record
            && self.seen == o.seen
            && self.text_sum == o.text_sum
    }
}

impl MsgRec {
    /// A message without content, record or statuses yet.
    pub(crate) fn new(id: Box<str>, user: UserIx, phone: PhoneIx, dir: Direction, ts: i64) -> Self {
        MsgRec {
            id,
            ts,
            user,
            phone,
            inbound: None,
            out: None,
            dir,
            ts_from_record: false,
            seen: 0,
            text_sum: 0,
        }
    }

    /// Read one word of each part of the message a fold reads (its row, inbound content,
    /// statuses and outbound record, the id's first byte) and return them mixed: see
    /// [`super::Store::warm`].
    pub(crate) fn warm(&self) -> u64 {
        let mut w = self.ts as u64 ^ u64::from(self.id.as_bytes().first().copied().unwrap_or(0));
        if let Some(d) = &self.inbound {
            w = w.wrapping_add(d.ty as u64);
        }
        if let Some(t) = &self.out {
            w = w.wrapping_add(t.status.sent.map_or(0, |s| s.get() as u64));
            if let Some(r) = &t.record {
                w = w.wrapping_add(r.category as u64);
            }
        }
        w
    }

    /// Outbound record (`None` until the host's record arrives).
    pub(crate) fn outbound(&self) -> Option<&OutboundData> {
        self.out.as_ref()?.record.as_deref()
    }

    /// The shared outbound record.
    pub(crate) fn outbound_shared(&self) -> Option<&Arc<OutboundData>> {
        self.out.as_ref()?.record.as_ref()
    }

    /// Set the outbound record.
    pub(crate) fn set_outbound(&mut self, record: Option<Arc<OutboundData>>) {
        self.out.get_or_insert_default().record = record;
    }

    /// Statuses (outbound only; none for a message without any).
    pub(crate) fn status(&self) -> &StatusTrack {
        self.out.as_ref().map_or(&NO_STATUS, |t| &t.status)
    }

    /// The statuses, to change them.
    pub(crate) fn status_mut(&mut self) -> &mut StatusTrack {
        &mut self.out.get_or_insert_default().status
    }
}

/// The layout messages had before they were made compact: what snapshots hold, and what
/// the tie-break between two versions of a message's content encodes.
mod wire {
    use super::{
        Arc, DeliveryError, Deserialize, Direction, InboundData, InboundType, MetaConversation,
        MetaPricing, MsgRec, NO_STATUS, OutTrack, OutboundData, PhoneIx, Referral, Reply,
        Serialize, StatusTrack, Ts32, UserIx,
    };

    /// An inbound message's content as written.
    #[derive(Serialize)]
    #[serde(rename = "InboundData")]
    struct InboundRef<'a> {
        ty: InboundType,
        text: Option<&'a str>,
        context: Option<&'a str>,
        referral: Option<&'a Referral>,
        reply: Option<&'a Reply>,
    }

    /// An inbound message's content as read.
    #[derive(Deserialize)]
    pub(super) struct InboundOwned {
        ty: InboundType,
        text: Option<Box<str>>,
        context: Option<Box<str>>,
        referral: Option<Referral>,
        reply: Option<Reply>,
    }

    impl From<InboundOwned> for InboundData {
        fn from(w: InboundOwned) -> InboundData {
            InboundData::new(w.ty, w.text, w.context, w.referral, w.reply.map(Arc::new))
        }
    }

    impl Serialize for InboundData {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            InboundRef {
                ty: self.ty,
                text: self.text.as_deref(),
                context: self.context(),
                referral: self.referral(),
                reply: self.reply(),
            }
            .serialize(s)
        }
    }

    /// Statuses as written (the seen bits were part of them).
    #[derive(Serialize)]
    #[serde(rename = "StatusTrack")]
    struct StatusRef<'a> {
        sent: Option<Ts32>,
        delivered: Option<Ts32>,
        read: Option<Ts32>,
        played: Option<Ts32>,
        failed: Option<Ts32>,
        deleted: Option<Ts32>,
        errors: &'a [DeliveryError],
        conversation: Option<&'a MetaConversation>,
        pricing: Option<&'a MetaPricing>,
        meta_ts: Option<(Ts32, u8)>,
        seen: u8,
    }

    /// Statuses as read.
    #[derive(Deserialize)]
    pub(super) struct StatusOwned {
        sent: Option<Ts32>,
        delivered: Option<Ts32>,
        read: Option<Ts32>,
        played: Option<Ts32>,
        failed: Option<Ts32>,
        deleted: Option<Ts32>,
        errors: Box<[DeliveryError]>,
        conversation: Option<MetaConversation>,
        pricing: Option<MetaPricing>,
        meta_ts: Option<(Ts32, u8)>,
        seen: u8,
    }

    /// A message as written.
    #[derive(Serialize)]
    #[serde(rename = "MsgRec")]
    struct MsgRef<'a> {
        id: &'a str,
        user: UserIx,
        phone: PhoneIx,
        dir: Direction,
        ts: i64,
        inbound: Option<&'a InboundData>,
        outbound: Option<&'a OutboundData>,
        ts_from_record: bool,
        status: StatusRef<'a>,
    }

    /// A message as read.
    #[derive(Deserialize)]
    pub(super) struct MsgOwned {
        id: Box<str>,
        user: UserIx,
        phone: PhoneIx,
        dir: Direction,
        ts: i64,
        inbound: Option<Box<InboundData>>,
        outbound: Option<OutboundData>,
        ts_from_record: bool,
        status: StatusOwned,
    }

    impl Serialize for MsgRec {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let st = self.status();
            let status = StatusRef {
                sent: st.sent,
                delivered: st.delivered,
                read: st.read,
                played: st.played,
                failed: st.failed,
                deleted: st.deleted,
                errors: st.errors(),
                conversation: st.conversation(),
                pricing: st.pricing.as_ref(),
                meta_ts: st.meta_ts,
                seen: self.seen,
            };
            MsgRef {
                id: &self.id,
                user: self.user,
                phone: self.phone,
                dir: self.dir,
                ts: self.ts,
                inbound: self.inbound.as_deref(),
                outbound: self.outbound(),
                ts_from_record: self.ts_from_record,
                status,
            }
            .serialize(s)
        }
    }

    impl From<MsgOwned> for MsgRec {
        fn from(w: MsgOwned) -> MsgRec {
            let s = w.status;
            let mut status = StatusTrack {
                sent: s.sent,
                delivered: s.delivered,
                read: s.read,
                played: s.played,
                failed: s.failed,
                deleted: s.deleted,
                pricing: s.pricing,
                meta_ts: s.meta_ts,
                more: None,
            };
            status.set_errors(s.errors);
            status.set_conversation(s.conversation);
            let record = w.outbound.map(Arc::new);
            let out = (record.is_some() || status != NO_STATUS)
                .then(|| Box::new(OutTrack { record, status }));
            MsgRec {
                id: w.id,
                ts: w.ts,
                user: w.user,
                phone: w.phone,
                inbound: w.inbound,
                out,
                dir: w.dir,
                ts_from_record: w.ts_from_record,
                seen: s.seen,
                // Snapshots carry the digests in a section of their own (schema 6).
                text_sum: 0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ButtonKind, PricingModel, PricingType, ReferralSource, ReplyKind};
    use std::mem::size_of;

    /// The bytes of a stored message's parts, pinned: they are the store's memory per
    /// message (issue 17 asks for a compact store), so growing one should be a decision
    /// seen here, not an accident of a new field. A size, not a speed: nothing here
    /// depends on the machine.
    #[test]
    fn message_parts_keep_their_sizes() {
        // Row: id 16 + ts 8 + user 4 + number 4 + two pointers 16 + direction, flag and
        // seen bits 3 = 51, rounded to the 8-byte alignment.
        assert_eq!(size_of::<MsgRec>(), 56);
        // Inbound box: text 16 + pointer to the rare parts 8 + type 1, aligned.
        assert_eq!(size_of::<InboundData>(), 32);
        // The rare parts: context 16 + referral pointer 8 + shared reply pointer 8.
        assert_eq!(size_of::<InboundMore>(), 32);
        // Statuses: six 4-byte times 24 + pricing 4 + Meta's time and kind 8 + pointer 8.
        assert_eq!(size_of::<StatusTrack>(), 48);
        // Outbound box: the shared record's pointer 8 + the statuses.
        assert_eq!(size_of::<OutTrack>(), 56);
    }

    /// The layout of main at 3401db2, field for field: what snapshots hold.
    mod old {
        use super::*;

        #[derive(Serialize, Deserialize)]
        pub(super) struct Inbound {
            pub(super) ty: InboundType,
            pub(super) text: Option<Box<str>>,
            pub(super) context: Option<Box<str>>,
            pub(super) referral: Option<Referral>,
            pub(super) reply: Option<Reply>,
        }

        #[derive(Serialize, Deserialize)]
        pub(super) struct Outbound {
            pub(super) kind: OutboundKind,
            pub(super) template: Option<Box<str>>,
            pub(super) category: Category,
            pub(super) author: AuthorKind,
            pub(super) author_id: Option<Box<str>>,
            pub(super) campaign: Option<Box<str>>,
            pub(super) buttons: Vec<TemplateButton>,
        }

        #[derive(Serialize, Deserialize, Default)]
        pub(super) struct Status {
            pub(super) sent: Option<Ts32>,
            pub(super) delivered: Option<Ts32>,
            pub(super) read: Option<Ts32>,
            pub(super) played: Option<Ts32>,
            pub(super) failed: Option<Ts32>,
            pub(super) deleted: Option<Ts32>,
            pub(super) errors: Box<[DeliveryError]>,
            pub(super) conversation: Option<Box<MetaConversation>>,
            pub(super) pricing: Option<MetaPricing>,
            pub(super) meta_ts: Option<(Ts32, u8)>,
            pub(super) seen: u8,
        }

        #[derive(Serialize, Deserialize)]
        pub(super) struct Msg {
            pub(super) id: Box<str>,
            pub(super) user: UserIx,
            pub(super) phone: PhoneIx,
            pub(super) dir: Direction,
            pub(super) ts: i64,
            pub(super) inbound: Option<Box<Inbound>>,
            pub(super) outbound: Option<Box<Outbound>>,
            pub(super) ts_from_record: bool,
            pub(super) status: Status,
        }
    }

    fn t(ts: i64) -> Option<Ts32> {
        Ts32::new(ts)
    }

    /// Messages in the old layout: a plain text, a reply with every rare part, a business
    /// message with record, statuses, errors and both Meta objects, and one with statuses
    /// only.
    fn old_messages() -> Vec<old::Msg> {
        let msg = |id: &str, dir| old::Msg {
            id: id.into(),
            user: 3,
            phone: 1,
            dir,
            ts: 1_751_328_000,
            inbound: None,
            outbound: None,
            ts_from_record: true,
            status: old::Status::default(),
        };
        let mut plain = msg("in1", Direction::Inbound);
        plain.inbound = Some(Box::new(old::Inbound {
            ty: InboundType::Text,
            text: Some("hello".into()),
            context: None,
            referral: None,
            reply: None,
        }));
        let mut rich = msg("in2", Direction::Inbound);
        rich.inbound = Some(Box::new(old::Inbound {
            ty: InboundType::Interactive,
            text: None,
            context: Some("out1".into()),
            referral: Some(Referral {
                source: ReferralSource::Ad,
                source_id: "ad7".into(),
                headline: Some("Sale".into()),
                source_url: None,
                ctwa_clid: Some("clid".into()),
            }),
            reply: Some(Reply {
                kind: ReplyKind::Button,
                id: Some("yes".into()),
                title: Some("Yes".into()),
            }),
        }));
        let out = old_business_message(msg("out1", Direction::Outbound));
        let mut bare = msg("out2", Direction::Outbound);
        bare.ts_from_record = false;
        bare.status.sent = t(1_751_328_009);
        bare.status.seen = 1;
        vec![plain, rich, out, bare]
    }

    /// A business message with a record, every status, errors and both Meta objects.
    fn old_business_message(mut out: old::Msg) -> old::Msg {
        out.outbound = Some(Box::new(old::Outbound {
            kind: OutboundKind::Template,
            template: Some("promo".into()),
            category: Category::Marketing,
            author: AuthorKind::Campaign,
            author_id: Some("crm".into()),
            campaign: Some("june".into()),
            buttons: vec![TemplateButton {
                kind: ButtonKind::Url,
                text: "Shop".into(),
            }],
        }));
        out.status = old::Status {
            sent: t(1_751_328_001),
            delivered: t(1_751_328_002),
            read: t(1_751_328_003),
            played: t(1_751_328_004),
            failed: t(1_751_328_005),
            deleted: t(1_751_328_006),
            errors: vec![DeliveryError {
                code: 131_047,
                title: Some("Re-engagement".into()),
            }]
            .into(),
            conversation: Some(Box::new(MetaConversation {
                id: "conv".into(),
                expires: Some(1_751_414_400),
                origin: Some(Category::Marketing),
            })),
            pricing: Some(MetaPricing {
                billable: Some(true),
                model: Some(PricingModel::Pmp),
                category: Some(Category::Marketing),
                pricing_type: Some(PricingType::Regular),
            }),
            meta_ts: Some((t(1_751_328_001).unwrap(), 1)),
            seen: 0b1011_1111,
        };
        out
    }

    /// Snapshots written before the compact rows decode into them, and encode again byte
    /// for byte; what the accessors read is what the old fields held.
    #[test]
    fn rows_encode_as_the_flat_layout_did() {
        let old = old_messages();
        let bytes = postcard::to_allocvec(&old).unwrap();
        let rows: Vec<MsgRec> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(postcard::to_allocvec(&rows).unwrap(), bytes);
        // The inbound content alone too (the conflict rule compares its encoding).
        let inb = rows[1].inbound.as_deref().unwrap();
        let old_inb = postcard::to_allocvec(&old[1].inbound).unwrap();
        assert_eq!(postcard::to_allocvec(&Some(inb)).unwrap(), old_inb);
        assert_eq!(
            rows[0].inbound.as_deref().unwrap().text.as_deref(),
            Some("hello")
        );
        assert!(rows[0].inbound.as_deref().unwrap().more.is_none());
        assert_eq!(inb.context(), Some("out1"));
        assert_eq!(inb.referral().unwrap().source_id.as_ref(), "ad7");
        assert_eq!(inb.reply().unwrap().title.as_deref(), Some("Yes"));
        let out = &rows[2];
        assert_eq!(out.outbound().unwrap().campaign.as_deref(), Some("june"));
        assert_eq!(out.status().errors()[0].code, 131_047);
        assert_eq!(out.status().conversation().unwrap().id.as_ref(), "conv");
        assert_eq!(out.status().read_at(), Some(1_751_328_003));
        assert_eq!(out.seen, 0b1011_1111);
        // An inbound message holds no outbound box; statuses alone make one, without a
        // record.
        assert!(rows[0].out.is_none());
        assert!(rows[3].outbound().is_none() && rows[3].out.is_some());
        assert_eq!(rows[3].status().sent, t(1_751_328_009));
    }

    /// The rare parts' boxes exist only while they hold something.
    #[test]
    fn rare_parts_are_boxed_only_when_present() {
        let mut s = StatusTrack::default();
        s.set_errors(
            vec![DeliveryError {
                code: 1,
                title: None,
            }]
            .into(),
        );
        assert!(s.more.is_some());
        s.set_errors(Box::new([]));
        assert!(s.more.is_none());
        assert_eq!(s, NO_STATUS);
        let plain = InboundData::new(InboundType::Image, None, None, None, None);
        assert!(plain.more.is_none() && plain.context().is_none());
    }

    /// A button reply from `from` to business message `ctx`, as a webhook.
    fn button_reply(id: &str, from: &str, ctx: &str) -> String {
        format!(
            r#"{{"entry":[{{"changes":[{{"field":"messages","value":{{"messages":[{{"from":"{from}","id":"{id}","context":{{"id":"{ctx}"}},"interactive":{{"type":"button_reply","button_reply":{{"id":"YES","title":"Yes please"}}}},"timestamp":"1751450200","type":"interactive"}}],"messaging_product":"whatsapp","metadata":{{"phone_number_id":"1001"}}}}}}]}}]}}"#
        )
    }

    #[test]
    fn equal_replies_share_one_copy_until_no_message_holds_it() {
        let mut store = super::super::Store::default();
        let docs: Vec<String> = [("wamid.r1", "4915100000001"), ("wamid.r2", "4915100000002")]
            .iter()
            .map(|(id, from)| button_reply(id, from, "wamid.o1"))
            .collect();
        let mut events = Vec::new();
        let opts = crate::input::ParseOptions::default();
        for (n, doc) in docs.iter().enumerate() {
            crate::input::parse_document(doc.as_bytes(), n as u64 + 1, &opts, &mut events).unwrap();
        }
        store.apply_all(&mut events, None);
        let reply = |ix: usize| {
            store.msgs[ix]
                .inbound
                .as_ref()
                .unwrap()
                .more
                .as_ref()
                .unwrap()
                .reply
                .clone()
                .unwrap()
        };
        // Two users pressed the same button: one copy, held by both messages and the set.
        assert!(Arc::ptr_eq(&reply(0), &reply(1)));
        assert_eq!(reply(0).title.as_deref(), Some("Yes please"));
        assert_eq!(store.replies.0.len(), 1);
        // Forgetting both people drops the copy with them.
        for k in ["4915100000001", "4915100000002"] {
            let u = store.user_by_key(k).unwrap();
            store.prepare();
            store.forget(u);
        }
        assert!(store.replies.0.is_empty());
    }
}
