//! Analytic conversations: a pure fold over one user's sorted timeline (rules in the
//! [module docs](super)).

use super::matcher::Matchers;
use super::{Source, SourceDirection, SourceKind};
use crate::model::money::Currency;
use crate::model::{Direction, OutboundKind, ReferralSource};
use crate::scope::Scope;
use crate::store::{MsgIx, MsgRec, PhoneIx, Store, UserIx};
use crate::util::sort::SortSlice as _;
use crate::util::time::{DAY, HOUR};
use hashbrown::HashMap;
use smallvec::SmallVec;

/// Whether an event happened as a message or as an external record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum HitKind {
    /// A configured messaging event matched an inbound message.
    Messaging,
    /// An external event record, placed in its last-touch conversation.
    External,
}

/// An event that happened in a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EventHit {
    /// The messaging event's name (shared with the config's), or the external event's `name`.
    pub(crate) name: std::sync::Arc<str>,
    /// Messaging or external.
    pub(crate) kind: HitKind,
    /// When.
    pub(crate) ts: i64,
    /// The inbound message, for messaging events.
    pub(crate) msg: Option<MsgIx>,
    /// The index in [`Store::externals`], for external events.
    pub(crate) external: Option<u32>,
}

/// An analytic conversation (semantics §3).
///
/// Other sections use these: e.g. the messages a template opened are
/// `conversations.iter().filter(|c| c.opening == template_msg)`, and
/// `crate::attribution::Attribution` credits refer to conversations by their index in
/// `Analysis::conversations`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Conversation {
    /// The user (a representative index: see [`Store::find`]).
    pub(crate) user: UserIx,
    /// The business number.
    pub(crate) phone: PhoneIx,
    /// Timestamp of the opening message.
    pub(crate) start: i64,
    /// Timestamp of the latest message in it (its end is `last` plus the inactivity timeout).
    pub(crate) last: i64,
    /// Its source.
    pub(crate) source: Source,
    /// The message that opened it.
    pub(crate) opening: MsgIx,
    /// How many counted messages it has (the opening message among them). A count, not
    /// the list: nothing reads which ones, and the list cost an allocation per
    /// conversation each time a user was analysed.
    pub(crate) messages: u32,
    /// Events that happened in it, in time order.
    pub(crate) events: Vec<EventHit>,
    /// Whether the conversion event happened in it.
    pub(crate) lead: bool,
    /// The opening referral's headline, for display names.
    pub(crate) headline: Option<Box<str>>,
}

/// An external event of a user and the conversations that may take credit for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExternalTouch {
    /// The index in [`Store::externals`].
    pub(crate) external: u32,
    /// The user.
    pub(crate) user: UserIx,
    /// When it happened.
    pub(crate) ts: i64,
    /// Its value in micro-units of the report currency (0 without a value, or when in
    /// another currency — see `other_currency`).
    pub(crate) value: i64,
    /// Whether its value was in a currency other than the report currency (and so dropped).
    pub(crate) other_currency: bool,
    /// The event's name (as the record had it when the user was analysed).
    pub(crate) name: std::sync::Arc<str>,
    /// The value left out for being in another currency.
    pub(crate) other_value: Option<crate::model::money::Money>,
    /// Whether it is one of the attributed events (see the module docs).
    pub(crate) attributed: bool,
    /// Indices in [`Analysis::conversations`] of the user's conversations that started
    /// within the lookback window before it (at most `lookback_days` earlier, not after it),
    /// oldest first. Empty: unattributed.
    pub(crate) candidates: Vec<usize>,
}

#[cfg(test)]
impl ExternalTouch {
    /// A test's attributed external event `name` of `user` at `ts`, worth `value`
    /// micro-units in the report currency, with these `candidates`.
    pub(crate) fn for_test(
        user: UserIx,
        (ts, name, value): (i64, &str, i64),
        candidates: Vec<usize>,
    ) -> ExternalTouch {
        ExternalTouch {
            external: 0,
            user,
            ts,
            value,
            other_currency: false,
            name: name.into(),
            other_value: None,
            attributed: true,
            candidates,
        }
    }
}

/// Conversations and external events of every user, before any range or model is applied.
#[derive(Clone, Debug)]
pub(crate) struct Analysis {
    /// Every conversation on the included business numbers, grouped by user, each user's in
    /// order of start.
    pub(crate) conversations: Vec<Conversation>,
    /// Every external event considered (see the module docs on number filters), grouped by
    /// user, each user's in time order.
    pub(crate) touches: Vec<ExternalTouch>,
    /// The compiled rules, events and the conversion event in effect.
    pub(crate) matchers: Matchers,
}

/// Every conversation on the business numbers `ctx` includes, over all time (filter by
/// `start` for a range).
pub(crate) fn conversations(ctx: &Scope<'_>) -> Vec<Conversation> {
    analyse(ctx).conversations
}

/// How many steps of `steps` a conversation reached, in order (each step at or after the
/// previous one). One pass is enough: taking each step at its earliest possible event
/// never prevents a later step.
pub(crate) fn funnel_reach(c: &Conversation, steps: &[String]) -> usize {
    let mut k = 0;
    for h in &c.events {
        if k < steps.len() && *h.name == *steps[k] {
            k += 1;
        }
    }
    k
}

/// Run the per-user fold for every live user and collect the results.
pub(crate) fn analyse(ctx: &Scope<'_>) -> Analysis {
    let matchers = Matchers::new(ctx.config, ctx.store, ctx.conversion_event);
    let params = FoldParams::of(ctx);
    let mut out = Analysis {
        conversations: Vec::new(),
        touches: Vec::new(),
        matchers,
    };
    for u in ctx.store.live_users() {
        let (convs, mut touches) =
            analyse_user(ctx.store, &out.matchers, &params, |p| ctx.phone_ok(p), u);
        let offset = out.conversations.len();
        for t in &mut touches {
            for c in &mut t.candidates {
                *c += offset;
            }
        }
        out.conversations.extend(convs);
        out.touches.extend(touches);
    }
    out
}

/// Fixed inputs of the per-user fold.
pub(crate) struct FoldParams {
    pub(crate) timeout: i64,
    pub(crate) lookback: i64,
    pub(crate) currency: Currency,
    /// A business-number filter is in effect: drop external events of users without a
    /// conversation on the included numbers.
    pub(crate) filtered: bool,
}

impl FoldParams {
    /// The fold's inputs for a report context.
    pub(crate) fn of(ctx: &Scope<'_>) -> FoldParams {
        FoldParams {
            timeout: i64::from(ctx.config.inactivity_timeout_hours) * HOUR,
            lookback: i64::from(ctx.config.attribution.lookback_days) * DAY,
            currency: ctx.currency,
            filtered: ctx.phone.is_some() || ctx.phone_unknown,
        }
    }
}

/// The per-user fold of representative `u` under the context's number filter (see
/// [`analyse_user`]).
pub(crate) fn analyse_one(
    ctx: &Scope<'_>,
    m: &Matchers,
    u: UserIx,
) -> (Vec<Conversation>, Vec<ExternalTouch>) {
    analyse_user(ctx.store, m, &FoldParams::of(ctx), |p| ctx.phone_ok(p), u)
}

/// The per-user fold: the user's conversations, and their external events with candidate
/// conversations as indices into the returned conversations. Pure: depends only on the
/// store, the config and the number filter.
pub(crate) fn analyse_user(
    store: &Store,
    m: &Matchers,
    p: &FoldParams,
    phone_ok: impl Fn(PhoneIx) -> bool,
    u: UserIx,
) -> (Vec<Conversation>, Vec<ExternalTouch>) {
    let mut convs = user_conversations(store, m, p, phone_ok, u);
    let touches = if p.filtered && convs.is_empty() {
        Vec::new()
    } else {
        external_touches(store, m, p, u, &mut convs)
    };
    for c in &mut convs {
        c.events.stable_sort_by_key(|h| h.ts);
        c.lead = m.conversion.as_ref().is_some_and(|ce| {
            c.events
                .iter()
                .any(|h| ce.is(&h.name, h.kind == HitKind::External))
        });
    }
    (convs, touches)
}

/// The user's conversations on the included numbers, with their messages and messaging
/// events (see the module rules).
fn user_conversations(
    store: &Store,
    m: &Matchers,
    p: &FoldParams,
    phone_ok: impl Fn(PhoneIx) -> bool,
    u: UserIx,
) -> Vec<Conversation> {
    let rec = &store.users[u as usize];
    let mut convs: Vec<Conversation> = Vec::new();
    // Per conversation: still `direct` and waiting for its first inbound text.
    let mut rule_pending: Vec<bool> = Vec::new();
    let mut open: SmallVec<[(PhoneIx, usize); 2]> = SmallVec::new();
    let mut msg_conv: HashMap<MsgIx, usize> = HashMap::new();
    for &ix in &rec.timeline {
        let msg = &store.msgs[ix as usize];
        if !phone_ok(msg.phone) || !counts(msg) {
            continue;
        }
        let slot = open.iter().position(|(ph, _)| *ph == msg.phone);
        let current = slot
            .map(|i| open[i].1)
            .filter(|&c| msg.ts - convs[c].last < p.timeout);
        let c = if let Some(c) = current {
            c
        } else {
            let Some((source, headline, pending)) =
                opening_source(store, u, msg, &convs, &msg_conv)
            else {
                continue;
            };
            convs.push(Conversation {
                user: u,
                phone: msg.phone,
                start: msg.ts,
                last: msg.ts,
                source,
                opening: ix,
                messages: 0,
                events: Vec::new(),
                lead: false,
                headline,
            });
            rule_pending.push(pending);
            let c = convs.len() - 1;
            match slot {
                Some(i) => open[i].1 = c,
                None => open.push((msg.phone, c)),
            }
            c
        };
        let conv = &mut convs[c];
        conv.messages = conv.messages.saturating_add(1);
        conv.last = conv.last.max(msg.ts);
        match &msg.inbound {
            None => {
                msg_conv.insert(ix, c);
            }
            Some(d) => {
                if rule_pending[c] && d.ty == crate::model::InboundType::Text {
                    rule_pending[c] = false;
                    if let Some(s) = d.text.as_deref().and_then(|t| m.rule_for(t)) {
                        conv.source = s.clone();
                    }
                }
                for name in m.events_of(d) {
                    conv.events.push(EventHit {
                        name: name.clone(),
                        kind: HitKind::Messaging,
                        ts: msg.ts,
                        msg: Some(ix),
                        external: None,
                    });
                }
            }
        }
    }
    convs
}

/// The user's external events, each with its candidate conversations (those started in
/// the lookback before it); each event also happens in the latest of them.
fn external_touches(
    store: &Store,
    m: &Matchers,
    p: &FoldParams,
    u: UserIx,
    convs: &mut [Conversation],
) -> Vec<ExternalTouch> {
    let rec = &store.users[u as usize];
    let mut touches: Vec<ExternalTouch> = Vec::new();
    let mut ext: Vec<u32> = rec.externals.to_vec();
    ext.stable_sort_by(|a, b| {
        let (x, y) = (&store.externals[*a as usize], &store.externals[*b as usize]);
        (x.ts, &x.id).cmp(&(y.ts, &y.id))
    });
    ext.dedup();
    for x in ext {
        let e = &store.externals[x as usize];
        // Conversations are in order of start: candidates are a contiguous run.
        let hi = convs.partition_point(|c| c.start <= e.ts);
        let lo = convs[..hi].partition_point(|c| c.start < e.ts - p.lookback);
        let name: std::sync::Arc<str> = e.name.as_ref().into();
        if hi > lo {
            convs[hi - 1].events.push(EventHit {
                name: name.clone(),
                kind: HitKind::External,
                ts: e.ts,
                msg: None,
                external: Some(x),
            });
        }
        let (value, other_currency) = match e.value {
            Some(v) if v.currency == p.currency => (v.micros, false),
            Some(v) => (0, v.micros != 0),
            None => (0, false),
        };
        touches.push(ExternalTouch {
            external: x,
            user: u,
            ts: e.ts,
            value,
            other_currency,
            name,
            other_value: e.value.filter(|_| other_currency),
            attributed: super::ConversionEvent::attributes(m.conversion.as_ref(), &e.name),
            candidates: (lo..hi).collect(),
        });
    }
    touches
}

/// Whether a message counts towards conversations: inbound user messages (not system
/// notices, edits or deletions) and business messages that did not fail.
fn counts(msg: &MsgRec) -> bool {
    match msg.dir {
        Direction::Inbound => msg.inbound.as_ref().is_some_and(|d| d.ty.is_user_message()),
        Direction::Outbound => !msg.status().is_failed(),
    }
}

/// The source a business message opens: a template (or a message known only from its
/// statuses) gives `campaign:<c>` or `template:<name|unknown>`; a free-form message none.
pub(crate) fn outgoing_source(msg: &MsgRec) -> Option<Source> {
    match msg.outbound() {
        None => Some(Source {
            key: "template:unknown".into(),
            kind: SourceKind::Custom,
            direction: SourceDirection::Outgoing,
        }),
        Some(o) if o.kind == OutboundKind::Template => Some(match &o.campaign {
            Some(c) => Source {
                key: format!("campaign:{c}").into(),
                kind: SourceKind::Campaign,
                direction: SourceDirection::Outgoing,
            },
            None => Source {
                key: format!("template:{}", o.template.as_deref().unwrap_or("unknown")).into(),
                kind: SourceKind::Custom,
                direction: SourceDirection::Outgoing,
            },
        }),
        Some(_) => None,
    }
}

/// The source of a conversation `msg` opens, its referral headline, and whether custom
/// rules may still decide it; `None` when `msg` cannot open one.
fn opening_source(
    store: &Store,
    u: UserIx,
    msg: &MsgRec,
    convs: &[Conversation],
    msg_conv: &HashMap<MsgIx, usize>,
) -> Option<(Source, Option<Box<str>>, bool)> {
    let Some(d) = &msg.inbound else {
        return if msg.status().delivered_at().is_some() {
            outgoing_source(msg).map(|s| (s, None, false))
        } else {
            None
        };
    };
    if let Some(r) = d.referral() {
        let (kind, prefix) = match r.source {
            ReferralSource::Ad => (SourceKind::MetaAd, "meta_ad"),
            ReferralSource::Post | ReferralSource::Other => (SourceKind::MetaPost, "meta_post"),
        };
        let src = Source {
            key: format!("{prefix}:{}", r.source_id).into(),
            kind,
            direction: SourceDirection::Incoming,
        };
        return Some((src, r.headline.clone(), false));
    }
    if let Some(mx) = d.context().and_then(|id| store.outbound(id)) {
        let named = &store.msgs[mx as usize];
        if store.find(named.user) == u {
            let src = match msg_conv.get(&mx) {
                Some(&c) => Some(convs[c].source.clone()),
                None => outgoing_source(named),
            };
            if let Some(s) = src {
                return Some((s, None, false));
            }
        }
    }
    Some((Source::direct(), None, true))
}
