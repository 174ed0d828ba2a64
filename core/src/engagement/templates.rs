#![doc = include_str!("../guide/engagement/templates.md")]

use super::FoldCtx;
use super::day_store::{Contribution, Emit};
use super::funnel::{ButtonHit, Funnel, FunnelMsg, category_name, kind_name};
use crate::model::money::micros_to_f64;
use crate::model::{ButtonKind, OutboundKind, Reply, ReplyKind};
use crate::scope::Scope;
use crate::store::{MsgIx, OutboundData, UserRec};
use crate::util::interner::Interner;
use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use crate::util::time::{DayRange, day_in};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The name reported for a template message whose record names no template.
pub(crate) const UNNAMED: &str = "(unnamed)";

/// Fold one user's timeline into the funnels of the template and campaign messages sent
/// to them (see the module rules).
pub(crate) fn fold<'a>(cx: &FoldCtx<'a>, user: &'a UserRec, out: &mut Vec<Contribution<'a>>) {
    let store = cx.store;
    let replies = replies_of(cx, user);
    for &ix in &user.timeline {
        let m = &store.msgs[ix as usize];
        let Some(o) = m.outbound() else {
            continue;
        };
        let template =
            (o.kind == OutboundKind::Template).then(|| o.template.as_deref().unwrap_or(UNNAMED));
        let campaign = o.campaign.as_deref();
        if template.is_none() && campaign.is_none() {
            continue;
        }
        let lo = replies.partition_point(|r| r.0 < ix);
        let hi = replies.partition_point(|r| r.0 <= ix);
        let mine = &replies[lo..hi];
        let failed = m
            .status()
            .is_failed()
            .then(|| m.status().errors().first().map(|e| e.code));
        out.push(Contribution {
            phone: m.phone,
            day: cx.day(m.ts),
            emit: Emit::Funnel(Box::new(FunnelMsg {
                template,
                campaign,
                category: o.category,
                delivered: m.status().delivered_at().is_some(),
                read: m.status().read_at().is_some(),
                replied: !mine.is_empty(),
                failed,
                buttons: button_hits(cx, ix, o, mine),
            })),
        });
    }
}

/// This user's replies to business messages, sorted by the message they answer: (business
/// message, the button press if it is one).
fn replies_of<'a>(cx: &FoldCtx<'a>, user: &'a UserRec) -> Vec<(MsgIx, Option<&'a Reply>)> {
    let store = cx.store;
    let mut replies: Vec<(MsgIx, Option<&'a Reply>)> = Vec::new();
    for &ix in &user.timeline {
        let m = &store.msgs[ix as usize];
        let Some(inb) = m.inbound.as_deref() else {
            continue;
        };
        let Some(ctx_id) = inb.context() else {
            continue;
        };
        if !inb.ty.is_user_message() {
            continue;
        }
        let Some(t) = store.outbound(ctx_id) else {
            continue;
        };
        let press = inb.reply().filter(|r| r.kind == ReplyKind::Button);
        replies.push((t, press));
    }
    replies.stable_sort_by_key(|r| r.0);
    replies
}

/// The message's declared buttons with their clicks: quick-reply presses among `mine`
/// (its replies) and URL clicks; undeclared buttons pressed are added.
fn button_hits<'a>(
    cx: &FoldCtx<'a>,
    ix: MsgIx,
    o: &'a OutboundData,
    mine: &[(MsgIx, Option<&'a Reply>)],
) -> Vec<ButtonHit<'a>> {
    let mut buttons: Vec<ButtonHit<'a>> = o
        .buttons
        .iter()
        .map(|b| ButtonHit {
            kind: b.kind,
            text: &b.text,
            clicks: 0,
            url_clicks: 0,
        })
        .collect();
    for press in mine.iter().filter_map(|r| r.1) {
        let (title, id) = (press.title.as_deref(), press.id.as_deref());
        let text = title
            .filter(|t| find(&buttons, t).is_some())
            .or_else(|| id.filter(|t| find(&buttons, t).is_some()))
            .or(title)
            .or(id);
        if let Some(text) = text {
            hit(&mut buttons, ButtonKind::QuickReply, text, false);
        }
    }
    if let Some(clicks) = cx.clicks.get(&ix) {
        for c in clicks {
            hit(&mut buttons, ButtonKind::Url, c, true);
        }
    }
    buttons
}

/// The button whose text is `text` (exact, then case-insensitive, ignoring surrounding
/// white space).
fn find(buttons: &[ButtonHit<'_>], text: &str) -> Option<usize> {
    let t = text.trim();
    buttons.iter().position(|b| b.text.trim() == t).or_else(|| {
        buttons
            .iter()
            .position(|b| b.text.trim().eq_ignore_ascii_case(t))
    })
}

/// Count a click on the button with text `text`, adding an undeclared button when none
/// matches.
fn hit<'a>(buttons: &mut Vec<ButtonHit<'a>>, kind: ButtonKind, text: &'a str, url: bool) {
    let i = find(buttons, text).unwrap_or_else(|| {
        buttons.push(ButtonHit {
            kind,
            text,
            clicks: 0,
            url_clicks: 0,
        });
        buttons.len() - 1
    });
    let b = &mut buttons[i];
    b.clicks += 1;
    b.url_clicks += u64::from(url);
}

/// One template's (or campaign's) row of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TemplateRow {
    /// Template name (or campaign name in `campaigns`).
    pub name: String,
    /// `marketing`, `utility`, `authentication`, ..., or `mixed`.
    pub category: String,
    /// Messages sent in the range.
    pub sent: u64,
    /// Of those, delivered.
    pub delivered: u64,
    /// Of those, read.
    pub read: u64,
    /// Of those, replied to.
    pub replied: u64,
    /// Button clicks: quick-reply presses plus URL clicks.
    pub clicks: u64,
    /// URL clicks only.
    pub url_clicks: u64,
    /// Clicks ÷ delivered.
    pub ctr: Option<f64>,
    /// Per button.
    pub buttons: Vec<ButtonRow>,
    /// What the delivered messages cost (major units of the config currency); filled by the
    /// billing engine (`TemplateMoney`); `null` without it.
    pub cost: Option<f64>,
    /// Cost ÷ delivered.
    pub cost_per_delivered: Option<f64>,
    /// Cost ÷ URL clicks.
    pub cost_per_click: Option<f64>,
    /// External events attributed through the messages' conversations (fractional under
    /// multi-touch models), filled by `TemplateMoney`; `null` without it.
    pub conversions: Option<f64>,
    /// Their attributed value.
    pub conversion_value: Option<f64>,
    /// Failed messages by error code.
    pub failed: Map<String, u64>,
    /// Cost in micro-units (the exact sum behind `cost`).
    #[serde(skip)]
    pub cost_micros: Option<i64>,
    /// Conversion value in micro-units.
    #[serde(skip)]
    pub conversion_value_micros: Option<i64>,
}

/// One button of a template row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ButtonRow {
    /// The button text.
    pub text: String,
    /// `quick_reply`, `url` or `other`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["quick_reply", "url", "other"])))]
    pub kind: String,
    /// Clicks (presses or URL clicks).
    pub clicks: u64,
    /// Clicks ÷ delivered messages of the row.
    pub ctr: Option<f64>,
}

/// `n / d`, or `None` when `d` is zero.
pub(crate) fn ratio(n: f64, d: u64) -> Option<f64> {
    (d > 0).then(|| n / d as f64)
}

/// The rows of a funnel map (template or campaign name → summed funnel), most sent first.
pub(crate) fn rows(map: &Map<u32, Funnel>, names: &Interner) -> Vec<TemplateRow> {
    let mut rows: Vec<TemplateRow> = map
        .iter()
        .map(|(name, f)| {
            let buttons: Vec<ButtonRow> = f
                .buttons
                .iter()
                .map(|((t, k), (c, _))| ButtonRow {
                    text: names.name(*t).to_string(),
                    kind: kind_name(*k).to_string(),
                    clicks: *c,
                    ctr: ratio(*c as f64, f.delivered),
                })
                .collect();
            let clicks: u64 = f.buttons.values().map(|(c, _)| c).sum();
            let url_clicks: u64 = f.buttons.values().map(|(_, u)| u).sum();
            TemplateRow {
                name: names.name(*name).to_string(),
                category: category_name(f.categories).to_string(),
                sent: f.sent,
                delivered: f.delivered,
                read: f.read,
                replied: f.replied,
                clicks,
                url_clicks,
                ctr: ratio(clicks as f64, f.delivered),
                buttons,
                cost: None,
                cost_per_delivered: None,
                cost_per_click: None,
                conversions: None,
                conversion_value: None,
                failed: f
                    .failed
                    .iter()
                    .map(|(c, n)| {
                        (
                            c.map_or_else(|| "unknown".to_string(), |c| c.to_string()),
                            *n,
                        )
                    })
                    .collect(),
                cost_micros: None,
                conversion_value_micros: None,
            }
        })
        .collect();
    rows.stable_sort_by(|a, b| b.sent.cmp(&a.sent).then_with(|| a.name.cmp(&b.name)));
    rows
}

/// The rows a message belongs to: (template row name, campaign row name), when the message
/// is a template or campaign message sent in the report's range and number.
/// A business message's (template name, campaign) and send day, when it is on an included
/// number. Free-form messages have no template name.
fn row_names<'s>(
    ctx: &Scope<'s>,
    msg: MsgIx,
) -> Option<(Option<&'s str>, Option<&'s str>, NaiveDate)> {
    let m = ctx.store.msgs.get(msg as usize)?;
    let o = m.outbound()?;
    if !ctx.phone_ok(m.phone) {
        return None;
    }
    let t = (o.kind == OutboundKind::Template).then(|| o.template.as_deref().unwrap_or(UNNAMED));
    Some((t, o.campaign.as_deref(), day_in(m.ts, ctx.range.tz)))
}

/// A row key: (template name, campaign).
pub(crate) type RowKey = (Option<Box<str>>, Option<Box<str>>);
/// One credit placed: (send day, (event day, row), micro-conversions, value).
pub(crate) type CreditRow = (NaiveDate, (NaiveDate, RowKey), i64, i64);
/// Credits of one send day: (event day, row) → (micro-conversions, value).
type DayCredits = Map<(NaiveDate, RowKey), (i64, i64)>;

/// (cost, micro-conversions, value) per template or campaign name.
type RowSums<'k> = hashbrown::HashMap<&'k str, (i64, i64, i64)>;

/// Add `d` to the template's and the campaign's sums of `key`.
fn add_sums<'k>(
    by_template: &mut RowSums<'k>,
    by_campaign: &mut RowSums<'k>,
    key: &'k RowKey,
    d: (i64, i64, i64),
) {
    for (sums, name) in [(by_template, &key.0), (by_campaign, &key.1)] {
        if let Some(name) = name.as_deref() {
            let s = sums.entry(name).or_default();
            *s = (s.0 + d.0, s.1 + d.1, s.2 + d.2);
        }
    }
}

/// What billing charged and attribution credited to template and campaign messages, by the
/// messages' send day (report time zone), so that a report sums only its days.
///
/// A cost counts when its message was sent in the range. A credit counts when its message
/// was sent in the range *and* its event happened in the range (an event is attributed only
/// in a range that contains it); both conditions are kept by storing each credit under its
/// message's day with its event's day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct TemplateMoney {
    cost: Map<NaiveDate, Map<RowKey, i64>>,
    credit: Map<NaiveDate, DayCredits>,
}

fn row_key(t: Option<&str>, c: Option<&str>) -> RowKey {
    (t.map(Into::into), c.map(Into::into))
}

/// A row key with its names borrowed (from the store): it hashes and compares as the
/// [`RowKey`] it names, so a table of row keys is searched without copying the names.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub(crate) struct RowRef<'s>(pub(crate) Option<&'s str>, pub(crate) Option<&'s str>);

impl RowRef<'_> {
    /// The owned key.
    pub(crate) fn owned(self) -> RowKey {
        row_key(self.0, self.1)
    }
}

impl hashbrown::Equivalent<RowKey> for RowRef<'_> {
    fn equivalent(&self, k: &RowKey) -> bool {
        self.0 == k.0.as_deref() && self.1 == k.1.as_deref()
    }
}

impl TemplateMoney {
    /// Add per-message charges in micro-units (`(message, charge)`, e.g. from the billing
    /// engine). Messages on excluded numbers and zero charges are skipped.
    #[cfg(test)]
    pub(crate) fn add_costs(
        &mut self,
        ctx: &Scope<'_>,
        charges: impl IntoIterator<Item = (MsgIx, i64)>,
    ) {
        for (msg, micros) in charges {
            if micros == 0 {
                continue;
            }
            let Some((t, c, day)) = row_names(ctx, msg) else {
                continue;
            };
            *self
                .cost
                .entry(day)
                .or_default()
                .entry(row_key(t, c))
                .or_default() += micros;
        }
    }

    /// Where a message's charge of `micros` goes: its send day and row (its names
    /// borrowed from the store), or `None` when it goes nowhere (zero, an excluded number,
    /// no outbound record).
    pub(crate) fn cost_row<'s>(
        ctx: &Scope<'s>,
        msg: MsgIx,
        micros: i64,
    ) -> Option<(NaiveDate, RowRef<'s>, i64)> {
        if micros == 0 {
            return None;
        }
        let (t, c, day) = row_names(ctx, msg)?;
        Some((day, RowRef(t, c), micros))
    }

    /// Add (`s = 1`) or take out (`s = -1`) one charge that [`TemplateMoney::cost_row`]
    /// placed; a row whose sum comes back to zero is removed, as if never added.
    pub(crate) fn step_cost(&mut self, (day, key, micros): (&NaiveDate, &RowKey, &i64), s: i64) {
        let per = self.cost.entry(*day).or_default();
        // The key is copied only when the row is new (most steps find it).
        if !per.contains_key(key) {
            per.insert(key.clone(), 0);
        }
        let Some(v) = per.get_mut(key) else {
            return;
        };
        *v += s * micros;
        if *v == 0 {
            per.remove(key);
            if per.is_empty() {
                self.cost.remove(day);
            }
        }
    }

    /// Where an attributed credit goes — `(message, event time, micro-conversions, value
    /// in micro-units)`, the message having opened the credited conversation: its send day,
    /// the event day and row, or `None` when it goes nowhere.
    pub(crate) fn credit_row(
        ctx: &Scope<'_>,
        (msg, ts, count, value): (MsgIx, i64, i64, i64),
    ) -> Option<CreditRow> {
        let (t, c, day) = row_names(ctx, msg)?;
        Some((day, (day_in(ts, ctx.range.tz), row_key(t, c)), count, value))
    }

    /// Add (`s = 1`) or take out (`s = -1`) one credit [`TemplateMoney::credit_row`]
    /// placed; an entry back at zero is removed, as if never added.
    pub(crate) fn step_credit(&mut self, (day, key, count, value): &CreditRow, s: i64) {
        let per = self.credit.entry(*day).or_default();
        if !per.contains_key(key) {
            per.insert(key.clone(), (0, 0));
        }
        let Some(e) = per.get_mut(key) else {
            return;
        };
        e.0 += s * count;
        e.1 += s * value;
        if *e == (0, 0) && s < 0 {
            per.remove(key);
            if per.is_empty() {
                self.credit.remove(day);
            }
        }
    }

    /// Add attributed credit: `(message, event time, micro-conversions, value in
    /// micro-units)`, where the message opened the credited conversation.
    pub(crate) fn add_credits(
        &mut self,
        ctx: &Scope<'_>,
        credits: impl IntoIterator<Item = (MsgIx, i64, i64, i64)>,
    ) {
        for (msg, ts, count, value) in credits {
            let Some((t, c, day)) = row_names(ctx, msg) else {
                continue;
            };
            let e = self
                .credit
                .entry(day)
                .or_default()
                .entry((day_in(ts, ctx.range.tz), row_key(t, c)))
                .or_default();
            e.0 += count;
            e.1 += value;
        }
    }

    /// Keep only the messages sent before `until` (what [`crate::expiry`](crate::guide::expiry) seals).
    pub(crate) fn keep_before(&mut self, until: NaiveDate) {
        self.cost.split_off(&until);
        self.credit.split_off(&until);
    }

    /// Replace the messages sent before `until` with `sealed`'s.
    pub(crate) fn splice(&mut self, sealed: &TemplateMoney, until: NaiveDate) {
        crate::util::time::splice_days(&mut self.cost, &sealed.cost, until);
        crate::util::time::splice_days(&mut self.credit, &sealed.credit, until);
    }

    /// Drop every credit (keeping costs), before crediting another attribution.
    pub(crate) fn clear_credits(&mut self) {
        self.credit.clear();
    }

    /// Fill `cost`, `cost_per_delivered`, `cost_per_click`, `conversions` and
    /// `conversion_value` of the rows over `range`; every row gets values (zero when none
    /// of its messages was charged or credited).
    pub(crate) fn fill(
        &self,
        range: &DayRange,
        templates: &mut [TemplateRow],
        campaigns: &mut [TemplateRow],
    ) {
        let (mut by_template, mut by_campaign) = (RowSums::new(), RowSums::new());
        let mut add = |key, sums| add_sums(&mut by_template, &mut by_campaign, key, sums);
        for (key, micros) in self.cost.range(range.from..range.to).flat_map(|(_, p)| p) {
            add(key, (*micros, 0, 0));
        }
        let credits = self.credit.range(range.from..range.to).flat_map(|(_, p)| p);
        for ((event_day, key), (n, v)) in credits {
            if *event_day < range.to {
                add(key, (0, *n, *v));
            }
        }
        let rows = templates
            .iter_mut()
            .map(|r| (r, &by_template))
            .chain(campaigns.iter_mut().map(|r| (r, &by_campaign)));
        for (r, sums) in rows {
            let (micros, n, v) = sums.get(r.name.as_str()).copied().unwrap_or_default();
            let cost = micros_to_f64(micros);
            r.cost_micros = Some(micros);
            r.cost = Some(cost);
            r.cost_per_delivered = ratio(cost, r.delivered);
            r.cost_per_click = ratio(cost, r.url_clicks);
            r.conversions = Some(n as f64 / crate::model::UNIT as f64);
            r.conversion_value_micros = Some(v);
            r.conversion_value = Some(micros_to_f64(v));
        }
    }
}
