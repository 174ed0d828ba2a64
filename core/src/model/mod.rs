#![doc = include_str!("../guide/model.md")]

pub(crate) mod country;
pub(crate) mod money;
pub(crate) mod pricing;
pub(crate) mod rates;

use serde::{Deserialize, Serialize};
use std::fmt;

/// Micro-conversions per event: an event's count of one is split in these units.
#[doc(hidden)]
pub(crate) const UNIT: i64 = 1_000_000;

/// Inbound message types, as Meta's `messages[].type`. Unknown types are kept as
/// [`InboundType::Other`], never an error.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum InboundType {
    /// `text`
    Text,
    /// `image`
    Image,
    /// `audio` (voice notes included)
    Audio,
    /// `video`
    Video,
    /// `document`
    Document,
    /// `sticker`
    Sticker,
    /// `location`
    Location,
    /// `contacts`
    Contacts,
    /// `reaction`
    Reaction,
    /// `button`: a template quick-reply button press.
    Button,
    /// `interactive`: `button_reply`, `list_reply`, `nfm_reply` (flows), ...
    Interactive,
    /// `order`: a cart sent from a catalog.
    Order,
    /// `system`: number change, identity change.
    System,
    /// `unsupported` / `unknown`: a message type the Cloud API does not deliver.
    Unsupported,
    /// `request_welcome`: the user opened the chat for the first time.
    RequestWelcome,
    /// `edit`: the user edited an earlier message.
    Edit,
    /// `revoke`: the user deleted an earlier message.
    Revoke,
    /// Any type not listed here.
    Other,
}

impl InboundType {
    /// Map Meta's `type` string.
    pub(crate) fn parse(s: &str) -> InboundType {
        match s {
            "text" => InboundType::Text,
            "image" => InboundType::Image,
            "audio" | "voice" => InboundType::Audio,
            "video" => InboundType::Video,
            "document" => InboundType::Document,
            "sticker" => InboundType::Sticker,
            "location" => InboundType::Location,
            "contacts" => InboundType::Contacts,
            "reaction" => InboundType::Reaction,
            "button" => InboundType::Button,
            "interactive" => InboundType::Interactive,
            "order" => InboundType::Order,
            "system" => InboundType::System,
            "unsupported" | "unknown" => InboundType::Unsupported,
            "request_welcome" => InboundType::RequestWelcome,
            "edit" => InboundType::Edit,
            "revoke" => InboundType::Revoke,
            _ => InboundType::Other,
        }
    }

    /// The snake_case name used in reports.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            InboundType::Text => "text",
            InboundType::Image => "image",
            InboundType::Audio => "audio",
            InboundType::Video => "video",
            InboundType::Document => "document",
            InboundType::Sticker => "sticker",
            InboundType::Location => "location",
            InboundType::Contacts => "contacts",
            InboundType::Reaction => "reaction",
            InboundType::Button => "button",
            InboundType::Interactive => "interactive",
            InboundType::Order => "order",
            InboundType::System => "system",
            InboundType::Unsupported => "unsupported",
            InboundType::RequestWelcome => "request_welcome",
            InboundType::Edit => "edit",
            InboundType::Revoke => "revoke",
            InboundType::Other => "other",
        }
    }

    /// Whether a message of this type counts as the user "sending a message" for activity
    /// and the customer service window. Reactions, edits and deletions of earlier messages,
    /// and system notices do not open the window in Meta's rules; everything else does.
    pub(crate) fn is_user_message(self) -> bool {
        !matches!(
            self,
            InboundType::System | InboundType::Revoke | InboundType::Edit
        )
    }
}

/// The kind of an interactive reply.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum ReplyKind {
    /// An interactive `button_reply` or a template quick-reply `button`.
    Button,
    /// An interactive `list_reply`.
    List,
    /// A flow response (`nfm_reply`).
    Flow,
}

/// A button or list reply: the id/payload and the visible title/text.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct Reply {
    /// Button reply, list reply or flow reply.
    pub(crate) kind: ReplyKind,
    /// `button_reply.id`, `list_reply.id`, or a template button's `payload`.
    pub(crate) id: Option<Box<str>>,
    /// `button_reply.title`, `list_reply.title`, or a template button's `text`.
    pub(crate) title: Option<Box<str>>,
}

/// Where a Click-to-WhatsApp entry came from (`referral.source_type`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum ReferralSource {
    /// A Click-to-WhatsApp ad.
    Ad,
    /// A Facebook or Instagram post (Page call-to-action).
    Post,
    /// Anything else Meta may send.
    Other,
}

impl ReferralSource {
    /// Map `referral.source_type`. Meta documents `ad` and `post`; anything starting with
    /// `ad` (e.g. SDK fixtures' literal `"ad or post"`) is treated as an ad.
    pub(crate) fn parse(s: &str) -> ReferralSource {
        // Case-insensitive, without a lower-cased copy.
        let t = s.trim();
        if t.eq_ignore_ascii_case("post") {
            ReferralSource::Post
        } else if t
            .as_bytes()
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"ad"))
        {
            ReferralSource::Ad
        } else {
            ReferralSource::Other
        }
    }
}

/// A CTWA referral attached to an inbound message.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct Referral {
    /// Ad or post.
    pub(crate) source: ReferralSource,
    /// `source_id`: the ad or post id.
    pub(crate) source_id: Box<str>,
    /// `headline`, used as the source's display name when nothing better is known.
    pub(crate) headline: Option<Box<str>>,
    /// `source_url`.
    pub(crate) source_url: Option<Box<str>>,
    /// `ctwa_clid`, the click id.
    pub(crate) ctwa_clid: Option<Box<str>>,
}

/// Message and conversation categories, as Meta names them in templates, `pricing.category`
/// and `conversation.origin.type`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum Category {
    /// Marketing.
    Marketing,
    /// Marketing messages sent through the Marketing Messages Lite API.
    MarketingLite,
    /// Utility.
    Utility,
    /// Authentication.
    Authentication,
    /// Authentication to international numbers (`authentication-international` in
    /// `pricing.category`, `authentication_international` elsewhere: both accepted).
    AuthenticationInternational,
    /// Service (free-form replies).
    Service,
    /// Free entry point (`referral_conversion`).
    ReferralConversion,
    /// A category Meta added after this version.
    Other,
    /// Meta Business Agent: replies by Meta's own AI agent platform (launched 2026-07-01),
    /// billed per token from 2026-08-01, never a service message. Meta's shared payloads
    /// show no spelling yet; [`Category::parse`] accepts `meta_business_agent`,
    /// `business_agent`, `meta_agent` and `mba` (any case, `-`, `_` or spaces). Declared
    /// after `Other` so that snapshots written before it keep their variant numbers.
    BusinessAgent,
}

impl Category {
    /// Parse any of Meta's spellings (case-insensitive, `-`, `_` or spaces).
    pub(crate) fn parse(s: &str) -> Category {
        // Normalised on the stack: no allocation per status.
        let mut buf = [0; crate::util::name::MAX];
        crate::util::name::normal(s, true, &mut buf).map_or(Category::Other, Category::named)
    }

    /// The category a normalised name (lower case, `_` between words) names.
    fn named(s: &str) -> Category {
        match s {
            "marketing" | "group_marketing" => Category::Marketing,
            "marketing_lite" => Category::MarketingLite,
            "utility" | "group_utility" => Category::Utility,
            "authentication" => Category::Authentication,
            "authentication_international" => Category::AuthenticationInternational,
            "service" | "group_service" => Category::Service,
            "referral_conversion" | "free_entry_point" => Category::ReferralConversion,
            "meta_business_agent" | "business_agent" | "meta_agent" | "mba" => {
                Category::BusinessAgent
            }
            _ => Category::Other,
        }
    }

    /// The snake_case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Category::Marketing => "marketing",
            Category::MarketingLite => "marketing_lite",
            Category::Utility => "utility",
            Category::Authentication => "authentication",
            Category::AuthenticationInternational => "authentication_international",
            Category::Service => "service",
            Category::ReferralConversion => "referral_conversion",
            Category::Other => "other",
            Category::BusinessAgent => "meta_business_agent",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the business sent: a template or a free-form message.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[doc(hidden)]
pub(crate) enum OutboundKind {
    /// A pre-approved template (the only kind allowed outside the service window).
    Template,
    /// A free-form (session) message; its category is `service`.
    #[default]
    FreeForm,
}

/// Who or what authored a business message (Turn.io's authorship view).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum AuthorKind {
    /// A bot or automated journey.
    Automation,
    /// A human agent ("coach").
    Agent,
    /// A scheduled reminder.
    Reminder,
    /// Sent through the API by another system.
    Api,
    /// A broadcast campaign.
    Campaign,
    /// Not said.
    Unknown,
}

impl AuthorKind {
    /// Parse the record's `author` (case-insensitive; unknown values become `Unknown`).
    pub(crate) fn parse(s: &str) -> AuthorKind {
        // Lower-cased on the stack: no allocation per record.
        let mut buf = [0; crate::util::name::MAX];
        crate::util::name::normal(s, false, &mut buf).map_or(AuthorKind::Unknown, AuthorKind::named)
    }

    /// The author a lower-case name names.
    fn named(s: &str) -> AuthorKind {
        match s {
            "automation" | "stack" | "bot" => AuthorKind::Automation,
            "agent" | "coach" => AuthorKind::Agent,
            "reminder" => AuthorKind::Reminder,
            "api" => AuthorKind::Api,
            "campaign" => AuthorKind::Campaign,
            _ => AuthorKind::Unknown,
        }
    }

    /// The snake_case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AuthorKind::Automation => "automation",
            AuthorKind::Agent => "agent",
            AuthorKind::Reminder => "reminder",
            AuthorKind::Api => "api",
            AuthorKind::Campaign => "campaign",
            AuthorKind::Unknown => "unknown",
        }
    }
}

/// A button on an outbound template.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct TemplateButton {
    /// `quick_reply` or `url` (others kept as given).
    #[serde(rename = "type")]
    pub(crate) kind: ButtonKind,
    /// The button's visible text.
    pub(crate) text: Box<str>,
}

/// Template button kinds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum ButtonKind {
    /// A quick-reply button: a press arrives as an inbound `button` message.
    QuickReply,
    /// A URL button: clicks are reported by the host as records.
    Url,
    /// Phone-number, copy-code and other buttons.
    Other,
}

/// The delivery state of a business message, from `statuses[]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum StatusKind {
    /// Accepted by WhatsApp.
    Sent,
    /// Delivered to the device.
    Delivered,
    /// Read by the user (implies delivered).
    Read,
    /// Voice message played (implies read).
    Played,
    /// Failed; the error is recorded. Never charged.
    Failed,
    /// Deleted by the business.
    Deleted,
    /// A status Meta added after this version.
    Other,
}

impl StatusKind {
    /// Every variant, in declaration order.
    pub(crate) const ALL: [StatusKind; 7] = [
        StatusKind::Sent,
        StatusKind::Delivered,
        StatusKind::Read,
        StatusKind::Played,
        StatusKind::Failed,
        StatusKind::Deleted,
        StatusKind::Other,
    ];

    /// Map Meta's `status` string.
    pub(crate) fn parse(s: &str) -> StatusKind {
        match s {
            "sent" => StatusKind::Sent,
            "delivered" => StatusKind::Delivered,
            "read" => StatusKind::Read,
            "played" => StatusKind::Played,
            "failed" => StatusKind::Failed,
            "deleted" => StatusKind::Deleted,
            _ => StatusKind::Other,
        }
    }

    /// The snake_case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StatusKind::Sent => "sent",
            StatusKind::Delivered => "delivered",
            StatusKind::Read => "read",
            StatusKind::Played => "played",
            StatusKind::Failed => "failed",
            StatusKind::Deleted => "deleted",
            StatusKind::Other => "other",
        }
    }
}

/// Meta's pricing model, from `pricing.pricing_model`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum PricingModel {
    /// Conversation-based pricing (before 2025-07-01).
    #[serde(rename = "CBP")]
    Cbp,
    /// Per-message pricing (from 2025-07-01).
    #[serde(rename = "PMP")]
    Pmp,
}

/// `pricing.type` under PMP.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum PricingType {
    /// Charged at the category's rate.
    Regular,
    /// Free because the customer service window is open.
    FreeCustomerService,
    /// Free because a free entry point window is open.
    FreeEntryPoint,
    /// Any other value.
    Other,
}

impl PricingType {
    /// Map Meta's string.
    pub(crate) fn parse(s: &str) -> PricingType {
        match s {
            "regular" => PricingType::Regular,
            "free_customer_service" | "free_group_customer_service" => {
                PricingType::FreeCustomerService
            }
            "free_entry_point" => PricingType::FreeEntryPoint,
            _ => PricingType::Other,
        }
    }
}

/// The `pricing` object of a status, as Meta sent it.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct MetaPricing {
    /// `billable` (deprecated by Meta; when absent, derived from `type` + `category`).
    pub(crate) billable: Option<bool>,
    /// `pricing_model`.
    pub(crate) model: Option<PricingModel>,
    /// `category`.
    pub(crate) category: Option<Category>,
    /// `type` (PMP only).
    pub(crate) pricing_type: Option<PricingType>,
}

impl MetaPricing {
    /// Whether Meta charges this message: `billable` when given, else derived — under PMP
    /// a `regular` type is charged and every `free_*` type is not; under CBP a message is
    /// billable unless its category is the free entry point.
    pub(crate) fn is_billable(&self) -> bool {
        if let Some(t) = self.pricing_type {
            return t == PricingType::Regular;
        }
        if let Some(b) = self.billable {
            return b;
        }
        !matches!(self.category, Some(Category::ReferralConversion))
    }
}

/// The `conversation` object of a status, as Meta sent it: as the store keeps it (`Id`
/// the default, an owned id), or as a parsed status carries it (`Id` a `Cow<str>`
/// borrowing the input, copied only if the store keeps it: [`MetaConversation::into_kept`]).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct MetaConversation<Id = Box<str>> {
    /// `conversation.id`.
    pub(crate) id: Id,
    /// `expiration_timestamp` (UTC seconds), when given.
    pub(crate) expires: Option<i64>,
    /// `origin.type`.
    pub(crate) origin: Option<Category>,
}

impl MetaConversation {
    /// The object as a parsed status carries it, borrowing the id.
    pub(crate) fn borrowed(&self) -> MetaConversation<std::borrow::Cow<'_, str>> {
        MetaConversation {
            id: std::borrow::Cow::Borrowed(&self.id),
            expires: self.expires,
            origin: self.origin,
        }
    }
}

impl MetaConversation<std::borrow::Cow<'_, str>> {
    /// The object as the store keeps it, its id copied out of the input.
    pub(crate) fn into_kept(self) -> MetaConversation {
        MetaConversation {
            id: self.id.into(),
            expires: self.expires,
            origin: self.origin,
        }
    }
}

/// What Meta (in a status's `pricing` object) or the host (in an outbound record) said a
/// Meta Business Agent message used or cost. Meta's documentation shows no such fields yet,
/// so the parser reads them defensively (see [`crate::input`](crate::guide::input)); absent facts are `None`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub(crate) struct AgentUsage {
    /// Tokens the message was billed for.
    pub(crate) tokens: Option<u64>,
    /// Its price, in the currency Meta named.
    pub(crate) price: Option<money::Money>,
}

impl AgentUsage {
    /// Whether it says nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.tokens.is_none() && self.price.is_none()
    }
}

/// An error attached to a failed status.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct DeliveryError {
    /// Meta's error code (e.g. 131047, 130472).
    pub(crate) code: i64,
    /// Meta's title.
    pub(crate) title: Option<Box<str>>,
}

/// The direction of a message.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[doc(hidden)]
pub(crate) enum Direction {
    /// From the user to the business.
    Inbound,
    /// From the business to the user.
    Outbound,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-picked spellings, each against the rule its parser states.
    #[test]
    fn names_parse_in_any_spelling() {
        // Category: case-insensitive, `-`, `_` or spaces between words, trimmed.
        assert_eq!(Category::parse("marketing"), Category::Marketing);
        assert_eq!(Category::parse(" Marketing Lite "), Category::MarketingLite);
        assert_eq!(Category::parse("GROUP-UTILITY"), Category::Utility);
        assert_eq!(
            Category::parse("free entry point"),
            Category::ReferralConversion
        );
        assert_eq!(Category::parse("marketingx"), Category::Other);
        // Author: case-insensitive, trimmed; unknown values are Unknown.
        assert_eq!(AuthorKind::parse("  Bot "), AuthorKind::Automation);
        assert_eq!(AuthorKind::parse("COACH"), AuthorKind::Agent);
        assert_eq!(AuthorKind::parse("a-pi"), AuthorKind::Unknown);
        // Referral: `post`, or anything starting with `ad`, case-insensitive.
        assert_eq!(ReferralSource::parse(" POST"), ReferralSource::Post);
        assert_eq!(ReferralSource::parse("AD or post"), ReferralSource::Ad);
        assert_eq!(ReferralSource::parse("a"), ReferralSource::Other);
        assert_eq!(ReferralSource::parse("posts"), ReferralSource::Other);
    }
}
