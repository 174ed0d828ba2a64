//! Sources, analytic conversations, messaging events, spend, funnels and the contacts
//! export (semantics §3 and §4). Attribution models live in [`crate::attribution`].
//!
//! # Analytic conversations (semantics §3)
//!
//! > A **conversation** (analytic, not billing) aggregates the messages between the
//! > business and one user about one topic; a user can have many. It starts with an
//! > opening message and ends after an inactivity timeout (default 24 h) without messages
//! > either way. Each conversation is linked to exactly one **source**, decided by its
//! > opening message.
//!
//! Rules applied, per (business number, user), walking the user's timeline in time order
//! (timestamp, then inbound before outbound, then message id):
//!
//! - **Messages that count.** Every inbound message except `system`, `edit` and `revoke`
//!   notices (the same rule as the customer service window), and every business message
//!   that did not fail (a message with a `failed` status and no delivery is ignored).
//!   A business message's time is its outbound record's `timestamp` (else its earliest
//!   status).
//! - **Inactivity.** A counted message at least `inactivity_timeout_hours` after the
//!   conversation's last counted message ends it; the message then may open a new one.
//!   A message exactly at the timeout opens a new conversation.
//! - **Opening messages.** With no conversation open, a counted inbound message always
//!   opens one. A business message opens one only when it is *business-initiated and
//!   delivered*: a template (outbound `kind` `template`) with a delivered (or read or
//!   played) status. A business message known only from its statuses (no outbound record)
//!   is treated as a template of unknown name: delivered, it opens `template:unknown`
//!   (outside an open conversation a business message is almost always a template, since
//!   free-form messages need the user to have written). A free-form message, or a template
//!   not (yet) delivered, opens nothing and belongs to no conversation when none is open.
//! - Once open, every counted message of that number and user, in either direction,
//!   rides the conversation, whatever it is (a click-to-WhatsApp referral or a campaign
//!   template in the middle of an open conversation does not start a new one).
//!
//! # Sources (semantics §3)
//!
//! | direction | kind | recognised by | key |
//! |---|---|---|---|
//! | incoming | `meta_ad` | opening inbound `referral` with `source_type` ad | `meta_ad:<source_id>` |
//! | incoming | `meta_post` | opening inbound `referral` with `source_type` post | `meta_post:<source_id>` |
//! | incoming | `custom` | first inbound text of the conversation matching a configured rule | the rule's key |
//! | outgoing | `campaign` | opening delivered template with a `campaign` | `campaign:<campaign>` |
//! | incoming | `meta_campaign` | a roll-up row: the Meta ad campaign of `meta_ad` sources (Ads Insights) | `meta_campaign:<campaign_id>` |
//! | outgoing | `custom` | other opening delivered template (notifications) | `template:<template>` |
//! | incoming | `direct` | none of the above | `direct` |
//!
//! - A referral whose `source_type` is neither `ad` nor `post` (Meta may add values) is
//!   treated as a post: a Meta surface that is not a paid ad.
//! - **Replies to business messages.**
//!
//!   > A reply whose `context.id` names an earlier business message belongs to that
//!   > message's source.
//!
//!   When such a reply *opens* a conversation (the earlier conversation has timed out),
//!   the new conversation takes the source of the conversation the named message was in;
//!   when that message was in none (e.g. its delivery status never arrived) it takes the
//!   source the message would have opened (`campaign:<c>` / `template:<t>`). A reply
//!   inside an open conversation simply rides it. A `context.id` naming no known business
//!   message of the user is ignored. Precedence when opening: referral, then reply
//!   context, then custom rules, then direct.
//! - **Custom rules** (`SourceRule`) are tried in configuration order on the first
//!   inbound *text* of an incoming conversation that would otherwise be `direct` (so a
//!   `request_welcome` before a wa.me prefilled text does not hide the text); the first
//!   rule that matches wins. `exact` compares the trimmed text with the trimmed pattern,
//!   `prefix` and `contains` compare substrings, `regex` searches anywhere; all are
//!   case-insensitive unless the rule says `case_sensitive`.
//! - **Display names**, first found wins: the config's `source_names[key]`; the custom
//!   rule's `name`; the name in spend data (e.g. the ad name of an Ads Insights row, from
//!   the spend record with the latest period); the latest referral `headline`; for
//!   `campaign:`/`template:` keys the campaign or template name; `Direct` for `direct`;
//!   else the key itself.
//! - **Kinds of keys seen only in spend** are read from the prefix (`meta_ad:`,
//!   `meta_post:`, `meta_campaign:`, `campaign:`, `template:`, `direct`); any other key is
//!   an incoming `custom` source.
//! - **Meta campaigns.**
//!
//!   > Ads Insights rows name the ad and its campaign; ads roll up to a
//!   > `meta_campaign:<id>` row with the campaign's spend (ad-level rows on a day win over
//!   > a campaign-level row for that day). A Meta campaign is never a WhatsApp `campaign:`.
//!
//!   No conversation opens a `meta_campaign` source (a referral names its ad): its row is
//!   the sum of its ads' rows (see [`crate::attribution`]), and overall results leave it
//!   out so that each conversation counts once. Ad → campaign is learned from spend rows
//!   naming both (rules in the `spend` module).
//!
//! # Messaging events and leads (semantics §4)
//!
//! > **Messaging events** are defined patterns on inbound messages: a button reply (an
//! > interactive `button_reply`, or a template quick-reply `button`; matched on id/payload
//! > or title/text), a list reply (row id or title), a text reply (exact,
//! > case-insensitive, or regex).
//!
//! - An `EventDef` of kind `button_reply` matches an inbound interactive `button_reply` or
//!   template `button` whose id/payload *or* title/text matches the pattern; `list_reply`
//!   matches a `list_reply` row id or title; `text_reply` matches a text body. Matching
//!   is always case-insensitive (`exact` after trimming; `prefix`, `contains`, `regex`).
//!   One message may match several events. A messaging event happens in the conversation
//!   its message belongs to, at the message's time; a message in no conversation makes no
//!   event.
//! - **External events** happen, for leads and funnels, in the user's *latest*
//!   conversation that started within the lookback window before it (the last-touch
//!   conversation, whatever the attribution model); with none, they happen nowhere and
//!   are unattributed.
//! - **Conversion event.** A report's `conversion_event` option, else the config's,
//!   names an event in `events` (messaging) or else an external event name (a report's
//!   choice must name a configured event or an external event seen: `crate::scope`).
//!   Without one, the default is chosen in seed 001's order: any external event, if the engine holds at least one; else the
//!   first configured button reply, list reply, then text reply event; else there is no
//!   conversion event and no leads. (Because the default depends on the data, configure
//!   it explicitly when reports from separately built engines are to be compared.)
//! - > A **lead** is a unique conversation in which the selected conversion event happened.
//!
//! # Per source, over a range (semantics §4)
//!
//! - `conversations`: conversations whose *start* falls in the range; `leads`: those of
//!   them that are leads (a cohort view: a conversation started on the last day that
//!   converts a day later is a lead of this range); `conversion_rate` = leads /
//!   conversations.
//! - **One window.**
//!
//!   > A source row's conversations, leads, conversions and revenue belong to the
//!   > conversations that started in the range (what they led to, within the lookback);
//!   > invested is the spend dated in the range.
//!
//!   `conversions` and `revenue`, with an external conversion event: the attributed count
//!   and value of the conversion events (every external event when none is chosen) that
//!   credit the row's conversations started in the range — whenever the event happened,
//!   within the lookback after the conversation's start. Each event's credit is split by
//!   the attribution model ([`crate::attribution`]). With a messaging conversion event,
//!   `conversions` counts its occurrences in those conversations and `revenue` is `null`
//!   (a messaging event has no value; it is never shown the value of another event).
//! - `invested`: spend on the source on the range's days. A spend record covering several
//!   days is spread evenly over them, in micro-units, by the largest-remainder method (so
//!   the days sum exactly to the record); days are the record's calendar dates.
//! - `conversion_cost` = invested / leads; `roas` = revenue / invested. A zero denominator
//!   gives `null`, never NaN or infinity.
//! - **Money.** Amounts count in the report currency (`crate::scope`: the config's, else
//!   the rate card's, else the money records'). Money in another currency is not
//!   converted: such event values count as zero and such spend is left out; both are
//!   counted in `attribution.other_currency` and the report's `warnings` say how much.
//! - With a business-number filter, only that number's conversations exist, and only the
//!   external events of users who had a conversation on it are considered. Spend counts
//!   when it names that number (`phone_number_id`); spend naming no number is left out,
//!   and a warning says how much.
//! - **Funnels**: for each configured funnel and source, how many of the source's
//!   conversations in the range reached each step, steps taken in order (each step's event
//!   at or after the previous step's), the drop-off from the step before (the first
//!   step's drop-off is from all conversations), and the distinct users who started the
//!   funnel (reached its first step) and completed it (reached its last step) in them.
//! - **Events view** (`events`): every messaging event and external event name with its
//!   occurrences, users, conversations, value and occurrences per source.
//! - **Contacts export** (`crate::attribution::export_contacts`): the users of a source (a conversation of it
//!   started in the range) or of an event (it happened in the range), as CSV.

pub(crate) mod conversation;
pub(crate) mod events;
mod matcher;
mod names;
mod source_days;
mod spend;

#[cfg(test)]
pub(crate) use conversation::ExternalTouch;
pub(crate) use conversation::{Analysis, Conversation, analyse};
pub(crate) use events::EventDays;
pub use events::EventRow;
pub(crate) use matcher::Matchers;
pub use matcher::{ConversionEvent, ConversionKind};
pub(crate) use names::Names;
pub(crate) use source_days::slot;
pub(crate) use source_days::{SourceDay, SourceDays, SourceMeta};
pub(crate) use spend::{Spend, left_in_range, spend_in_range};

use serde::{Deserialize, Serialize};

/// The kind of a source (semantics §3). Incoming custom rules and outgoing notification
/// templates are both `custom`; [`SourceDirection`] tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceKind {
    /// A Click-to-WhatsApp ad (`meta_ad:<source_id>`).
    MetaAd,
    /// A Facebook or Instagram post (`meta_post:<source_id>`).
    MetaPost,
    /// A configured rule on the first inbound text (incoming), or a business-initiated
    /// template without a campaign (`template:<name>`, outgoing).
    Custom,
    /// A delivered template with a campaign (`campaign:<name>`).
    Campaign,
    /// A Meta ad campaign (`meta_campaign:<id>`): the roll-up of its Click-to-WhatsApp ads
    /// with the campaign's spend.
    MetaCampaign,
    /// None of the above (`direct`).
    Direct,
}

impl SourceKind {
    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::MetaAd => "meta_ad",
            SourceKind::MetaPost => "meta_post",
            SourceKind::Custom => "custom",
            SourceKind::Campaign => "campaign",
            SourceKind::MetaCampaign => "meta_campaign",
            SourceKind::Direct => "direct",
        }
    }
}

/// Who started a source's conversations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceDirection {
    /// The user wrote first.
    Incoming,
    /// The business wrote first.
    Outgoing,
}

impl SourceDirection {
    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceDirection::Incoming => "incoming",
            SourceDirection::Outgoing => "outgoing",
        }
    }
}

/// A source: its key, kind and direction.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[doc(hidden)]
pub struct Source {
    /// The key (`meta_ad:120`, `campaign:spring`, `template:welcome`, `qr:shop`, `direct`).
    pub key: Box<str>,
    /// The kind.
    pub kind: SourceKind,
    /// The direction.
    pub direction: SourceDirection,
}

impl Source {
    /// The `direct` source.
    pub fn direct() -> Source {
        Source {
            key: "direct".into(),
            kind: SourceKind::Direct,
            direction: SourceDirection::Incoming,
        }
    }

    /// A source from its key alone (for keys seen only in spend data or config): the kind
    /// is read from the prefix; any other key is an incoming custom source.
    pub fn from_key(key: &str) -> Source {
        let (kind, direction) = if key.starts_with("meta_ad:") {
            (SourceKind::MetaAd, SourceDirection::Incoming)
        } else if key.starts_with("meta_post:") {
            (SourceKind::MetaPost, SourceDirection::Incoming)
        } else if key.starts_with("meta_campaign:") {
            (SourceKind::MetaCampaign, SourceDirection::Incoming)
        } else if key.starts_with("campaign:") {
            (SourceKind::Campaign, SourceDirection::Outgoing)
        } else if key.starts_with("template:") {
            (SourceKind::Custom, SourceDirection::Outgoing)
        } else if key == "direct" {
            (SourceKind::Direct, SourceDirection::Incoming)
        } else {
            (SourceKind::Custom, SourceDirection::Incoming)
        };
        Source {
            key: key.into(),
            kind,
            direction,
        }
    }
}
