#![doc = include_str!("../guide/engagement/authors.md")]

use super::FoldCtx;
use super::activity::counts_as_delivered;
use super::day_store::{Contribution, Emit};
use crate::model::AuthorKind;
use crate::store::UserRec;
use crate::util::interner::Interner;
use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use serde::{Deserialize, Serialize};

/// How many authors `top_authors` lists.
pub(crate) const TOP_AUTHORS: usize = 10;

/// One author's count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TopAuthor {
    /// Author kind.
    pub kind: String,
    /// Author id.
    pub id: String,
    /// Delivered messages.
    pub messages: u64,
}

/// Fold one user's timeline into authorship contributions.
pub(crate) fn fold<'a>(cx: &FoldCtx<'a>, user: &'a UserRec, out: &mut Vec<Contribution<'a>>) {
    for &ix in &user.timeline {
        let m = &cx.store.msgs[ix as usize];
        if !counts_as_delivered(m) {
            continue;
        }
        let (kind, id) = m.outbound().map_or((AuthorKind::Unknown, None), |o| {
            (o.author, o.author_id.as_deref())
        });
        out.push(Contribution {
            phone: m.phone,
            day: cx.day(m.ts),
            emit: Emit::Authored { kind, id },
        });
    }
}

/// Counts by kind and the top authors of a summed (kind, interned id) map.
pub(crate) fn summarize(
    map: &Map<(AuthorKind, Option<u32>), u64>,
    names: &Interner,
) -> (Map<String, u64>, Vec<TopAuthor>) {
    let mut by_kind = Map::new();
    let mut top = Vec::new();
    for ((kind, id), n) in map {
        *by_kind.entry(kind.as_str().to_string()).or_default() += n;
        if let Some(id) = id {
            top.push(TopAuthor {
                kind: kind.as_str().to_string(),
                id: names.name(*id).to_string(),
                messages: *n,
            });
        }
    }
    top.stable_sort_by(|a, b| {
        b.messages
            .cmp(&a.messages)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.id.cmp(&b.id))
    });
    top.truncate(TOP_AUTHORS);
    (by_kind, top)
}
