#![doc = include_str!("../guide/billing/reconcile.md")]

use super::charges::{ChargeCategory, Conversation, ConversationKind, MessageCharge, UserCharges};
use crate::model::{Category, PricingModel};
use crate::store::Store;
use crate::util::sort::SortSlice as _;
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

/// One side of a comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BillingView {
    /// Pricing model.
    pub model: Option<PricingModel>,
    /// Category (see the module rules for which).
    pub category: Option<String>,
    /// Billable.
    pub billable: Option<bool>,
    /// The kind of the conversation the message is in (`referral_conversion` for a free
    /// entry point).
    pub conversation: Option<String>,
    /// Meta's conversation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))] // never null: absent when None
    pub conversation_id: Option<String>,
}

/// A message where the engine and Meta disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Mismatch {
    /// The message id.
    pub message_id: String,
    /// The user (`wa_id`, else BSUID).
    pub user: String,
    /// The business number.
    pub phone: String,
    /// Delivery instant (UTC seconds).
    pub delivered_at: i64,
    /// What differs: `model`, `category`, `billable`, `conversation`.
    pub fields: Vec<String>,
    /// The engine's prediction.
    pub engine: BillingView,
    /// What Meta said.
    pub meta: BillingView,
}

/// Mismatch flags per field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Fields {
    model: bool,
    category: bool,
    billable: bool,
    conversation: bool,
}

/// Whether two categories are priced alike (`marketing_lite` is marketing, ...): the same
/// conversation kind and the same charge category, so the Meta Business Agent category
/// matches only itself.
fn same_group(a: Category, b: Category) -> bool {
    ConversationKind::from_meta(a) == ConversationKind::from_meta(b)
        && ChargeCategory::of(a) == ChargeCategory::of(b)
}

/// Compare every counted, delivered message of one user's charges whose statuses carried
/// Meta's `pricing` or `conversation` with what billing decided, in delivery order (ties
/// by message id): the indices (into `uc.messages`) of the messages checked, and the
/// disagreeing ones with their mismatch. Meta's conversation ids pair with the user's own
/// conversations on first sight; a later message that pairs them otherwise disagrees.
pub(crate) fn compare_user(store: &Store, uc: &UserCharges) -> (Vec<u32>, Vec<(u32, Mismatch)>) {
    let mut idx: Vec<usize> = (0..uc.messages.len())
        .filter(|i| {
            let c = &uc.messages[*i];
            let s = store.msgs[c.msg as usize].status();
            c.counted()
                && c.delivered_at().is_some()
                && (s.pricing.is_some() || s.conversation().is_some())
        })
        .collect();
    idx.stable_sort_by_key(|i| {
        let c = &uc.messages[*i];
        (c.delivered_at(), &store.msgs[c.msg as usize].id)
    });
    // First pairing of Meta's conversation ids with ours.
    let mut meta_to_ours: HashMap<&str, Option<u32>> = HashMap::new();
    let mut ours_to_meta: HashMap<u32, &str> = HashMap::new();
    let mut out = Vec::new();
    for &i in &idx {
        let c = &uc.messages[i];
        let msg = &store.msgs[c.msg as usize];
        let (pricing, conv) = (msg.status().pricing.as_ref(), msg.status().conversation());
        let ours = c.conversation().map(|k| &uc.conversations[k as usize]);
        let mut f = Fields::default();
        if let (Some(m), Some(e)) = (pricing.and_then(|p| p.model), c.model) {
            f.model = m != e;
        }
        if let Some(mc) = pricing.and_then(|p| p.category) {
            f.category = match (c.model, ours) {
                (_, Some(o)) if o.kind == ConversationKind::FreeEntryPoint => {
                    !(mc == Category::ReferralConversion || same_group(mc, c.category))
                }
                (Some(PricingModel::Cbp), Some(o)) => {
                    ConversationKind::from_meta(mc) != Some(o.kind)
                }
                _ => !same_group(mc, c.category),
            };
        }
        if let Some(p) = pricing {
            f.billable = p.is_billable() != c.billable();
        }
        if let Some(mconv) = conv {
            f.conversation = match ours {
                None => true,
                Some(o) => mconv
                    .origin
                    .and_then(ConversationKind::from_meta)
                    .is_some_and(|k| k != o.kind),
            };
            let here = c.conversation();
            let paired = *meta_to_ours.entry(&*mconv.id).or_insert(here);
            if paired != here {
                f.conversation = true;
            }
            if let Some(h) = here {
                if *ours_to_meta.entry(h).or_insert(&mconv.id) != &*mconv.id {
                    f.conversation = true;
                }
            }
        }
        if f != Fields::default() {
            out.push((i as u32, mismatch(store, ours, c, f)));
        }
    }
    (idx.into_iter().map(|i| i as u32).collect(), out)
}

fn mismatch(store: &Store, ours: Option<&Conversation>, c: &MessageCharge, f: Fields) -> Mismatch {
    let msg = &store.msgs[c.msg as usize];
    let pricing = msg.status().pricing.as_ref();
    let conv = msg.status().conversation();
    let mut fields = Vec::new();
    for (on, name) in [
        (f.model, "model"),
        (f.category, "category"),
        (f.billable, "billable"),
        (f.conversation, "conversation"),
    ] {
        if on {
            fields.push(name.to_string());
        }
    }
    let engine_category = match (c.model, ours) {
        (Some(PricingModel::Cbp), Some(o)) => o.kind.as_str(),
        _ => c.category.as_str(),
    };
    Mismatch {
        message_id: msg.id.to_string(),
        user: store.users[c.user(store) as usize].key().to_string(),
        phone: store.phone(c.phone).to_string(),
        delivered_at: c.delivered_at().unwrap_or(c.sent_at()),
        fields,
        engine: BillingView {
            model: c.model,
            category: Some(engine_category.to_string()),
            billable: Some(c.billable()),
            conversation: ours.map(|o| o.kind.as_str().to_string()),
            conversation_id: None,
        },
        meta: BillingView {
            model: pricing.and_then(|p| p.model),
            category: pricing
                .and_then(|p| p.category)
                .map(|c| c.as_str().to_string()),
            billable: pricing.map(crate::model::MetaPricing::is_billable),
            conversation: conv.and_then(|c| c.origin).map(|c| c.as_str().to_string()),
            conversation_id: conv.map(|c| c.id.to_string()),
        },
    }
}
