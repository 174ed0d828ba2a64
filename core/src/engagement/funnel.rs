//! The funnel of template and campaign messages (sent → delivered → read → replied,
//! buttons and clicks, failures), as a user's fold emits it and as day aggregates sum it.
//! The rules are in [`super::templates`].

use crate::model::{ButtonKind, Category};
use crate::util::sorted_map::Map;
use serde::{Deserialize, Serialize};

/// One template or campaign message and its outcome, as a user's fold emits it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FunnelMsg<'a> {
    /// Template name, for template messages.
    pub(crate) template: Option<&'a str>,
    /// Campaign, when the record names one.
    pub(crate) campaign: Option<&'a str>,
    /// Category of the message.
    pub(crate) category: Category,
    /// Delivered (or read, or played).
    pub(crate) delivered: bool,
    /// Read (or played).
    pub(crate) read: bool,
    /// At least one reply from the recipient names it in `context.id`.
    pub(crate) replied: bool,
    /// `Some(code)` when it failed without being delivered (`Some(None)`: no error code).
    #[allow(clippy::option_option)] // not failed / failed without a code / with one
    pub(crate) failed: Option<Option<i64>>,
    /// Declared buttons and clicked ones, with their click counts.
    pub(crate) buttons: Vec<ButtonHit<'a>>,
}

/// A button of a message and how often it was clicked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ButtonHit<'a> {
    /// Quick reply, URL or other.
    pub(crate) kind: ButtonKind,
    /// The button text.
    pub(crate) text: &'a str,
    /// Presses (quick replies) or click records (URL buttons).
    pub(crate) clicks: u64,
    /// Of `clicks`, URL click records.
    pub(crate) url_clicks: u64,
}

/// The summed funnel of many messages (a template's or a campaign's, on one day or a range).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Funnel {
    /// Messages sent.
    pub(crate) sent: u64,
    /// Delivered.
    pub(crate) delivered: u64,
    /// Read.
    pub(crate) read: u64,
    /// Replied.
    pub(crate) replied: u64,
    /// Bit set of the categories seen (see [`category_bit`]).
    pub(crate) categories: u16,
    /// (interned button text, kind code) → (clicks, URL clicks).
    pub(crate) buttons: Map<(u32, u8), (u64, u64)>,
    /// Failed messages by error code (`None`: no code given).
    pub(crate) failed: Map<Option<i64>, u64>,
}

impl Funnel {
    /// `self += other`, mapping `other`'s interned ids through `map` when given.
    pub(crate) fn merge_mapped(&mut self, o: &Funnel, map: Option<&[u32]>) {
        self.sent += o.sent;
        self.delivered += o.delivered;
        self.read += o.read;
        self.replied += o.replied;
        self.categories |= o.categories;
        for ((t, k), (c, u)) in &o.buttons {
            let t = map.map_or(*t, |m| m[*t as usize]);
            let e = self.buttons.entry((t, *k)).or_default();
            e.0 += c;
            e.1 += u;
        }
        for (code, n) in &o.failed {
            *self.failed.entry(*code).or_default() += n;
        }
    }
}

const CATEGORIES: [Category; 9] = [
    Category::Marketing,
    Category::MarketingLite,
    Category::Utility,
    Category::Authentication,
    Category::AuthenticationInternational,
    Category::Service,
    Category::ReferralConversion,
    Category::Other,
    // Last, so that the bits of snapshots written before it keep their meaning.
    Category::BusinessAgent,
];

/// The bit of a category in [`Funnel::categories`].
pub(crate) fn category_bit(c: Category) -> u16 {
    1 << CATEGORIES.iter().position(|x| *x == c).unwrap_or(7)
}

/// The category whose bit is `1 << i` (see [`category_bit`]; `Other` past the last).
pub(crate) fn category_at(i: u32) -> Category {
    CATEGORIES
        .get(i as usize)
        .copied()
        .unwrap_or(Category::Other)
}

/// The reported category of a bit set: the one category, `mixed`, or `unknown`.
pub(crate) fn category_name(bits: u16) -> &'static str {
    if bits.is_power_of_two() {
        CATEGORIES[bits.trailing_zeros() as usize].as_str()
    } else if bits == 0 {
        "unknown"
    } else {
        "mixed"
    }
}

pub(crate) fn kind_code(k: ButtonKind) -> u8 {
    match k {
        ButtonKind::QuickReply => 0,
        ButtonKind::Url => 1,
        ButtonKind::Other => 2,
    }
}

pub(crate) fn kind_name(code: u8) -> &'static str {
    match code {
        0 => "quick_reply",
        1 => "url",
        _ => "other",
    }
}
