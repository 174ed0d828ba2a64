//! Engagement, support, authorship and template funnels (semantics §5), with expectations
//! computed by hand in the comments.

// Short names (e for the engine, r for a report, ...) keep the expectations readable.
#![allow(clippy::many_single_char_names)]

use super::cases;
use chrono::NaiveDate;
use convolens::internals::Scope;
use convolens::internals::TemplateMoney;
use convolens::{Config, Engine, Report, ReportOptions};
use serde_json::{Value, json};

const PHONE: &str = "1001";
/// 2025-07-01T00:00:00Z.
const JUL1: i64 = 1_751_328_000;
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

fn change(phone: &str, value: Value) -> String {
    let mut v = value;
    v["metadata"] = json!({"phone_number_id": phone, "display_phone_number": "15550001001"});
    json!({"object": "whatsapp_business_account",
           "entry": [{"id": "waba", "changes": [{"field": "messages", "value": v}]}]})
    .to_string()
}

fn text(phone: &str, from: &str, id: &str, ts: i64) -> String {
    change(
        phone,
        json!({"contacts": [{"wa_id": from, "profile": {"name": "U"}}],
               "messages": [{"from": from, "id": id, "timestamp": ts.to_string(), "type": "text", "text": {"body": "hi"}}]}),
    )
}

fn reply_text(from: &str, id: &str, ts: i64, context: &str) -> String {
    change(
        PHONE,
        json!({"contacts": [{"wa_id": from}],
               "messages": [{"from": from, "id": id, "timestamp": ts.to_string(), "type": "text",
                             "text": {"body": "ok"}, "context": {"from": "15550001001", "id": context}}]}),
    )
}

fn press(from: &str, id: &str, ts: i64, context: &str, text: &str, payload: &str) -> String {
    change(
        PHONE,
        json!({"contacts": [{"wa_id": from}],
               "messages": [{"from": from, "id": id, "timestamp": ts.to_string(), "type": "button",
                             "button": {"text": text, "payload": payload},
                             "context": {"from": "15550001001", "id": context}}]}),
    )
}

fn status(id: &str, to: &str, st: &str, ts: i64) -> String {
    change(
        PHONE,
        json!({"statuses": [{"id": id, "status": st, "timestamp": ts.to_string(), "recipient_id": to}]}),
    )
}

fn failed(id: &str, to: &str, ts: i64, code: Option<i64>) -> String {
    let errors = code.map_or_else(|| json!([]), |c| json!([{"code": c, "title": "error"}]));
    change(
        PHONE,
        json!({"statuses": [{"id": id, "status": "failed", "timestamp": ts.to_string(), "recipient_id": to, "errors": errors}]}),
    )
}

fn outbound(id: &str, to: &str, ts: i64, extra: &Value) -> String {
    let mut v =
        json!({"type": "outbound", "id": id, "phone_number_id": PHONE, "to": to, "timestamp": ts});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v.to_string()
}

fn close(contact: &str, phone: Option<&str>, ts: i64) -> String {
    let mut v = json!({"type": "close", "contact": contact, "timestamp": ts, "by": "agent-1"});
    if let Some(p) = phone {
        v["phone_number_id"] = json!(p);
    }
    v.to_string()
}

fn click(msg: &str, button: &str, ts: i64) -> String {
    json!({"type": "click", "message_id": msg, "button": button, "timestamp": ts}).to_string()
}

fn engine(docs: &[String], tz: &str) -> Engine {
    let mut e = Engine::new(Config {
        time_zone: tz.into(),
        ..Config::default()
    })
    .unwrap();
    for d in docs {
        e.ingest_str(d).unwrap();
    }
    e
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn range(from: NaiveDate, to: NaiveDate) -> ReportOptions {
    {
        let mut o = convolens::ReportOptions::default();
        o.from = Some(from);
        o.to = Some(to);
        o
    }
}

fn daily(r: &Report) -> Vec<u64> {
    r.engagement.daily_active.iter().map(|d| d.users).collect()
}

// ---------------------------------------------------------------------------------------
// Active users (seed 002's example)
// ---------------------------------------------------------------------------------------

const MON: i64 = JUL1 + 6 * DAY; // 2025-07-07, a Monday
const A: &str = "4915110000001";
const B: &str = "4915110000002";
const C: &str = "4915110000003";

/// A support section's (opened, reopened, closed, open at the end).
fn support_counts(s: &convolens::engagement::Support) -> (u64, u64, u64, i64) {
    (s.opened, s.reopened, s.closed, s.open_at_end)
}

fn week() -> Vec<String> {
    let mut docs = Vec::new();
    // A writes every day of the week at 10:00, and twice on Monday.
    for d in 0..7 {
        docs.push(text(PHONE, A, &format!("a{d}"), MON + d * DAY + 10 * HOUR));
    }
    docs.push(text(PHONE, A, "a0b", MON + 10 * HOUR + 300));
    // B first wrote on Sunday 2025-07-06 at 12:00 (the day before the week), then on
    // Wednesday and Thursday at 15:00.
    docs.push(text(PHONE, B, "b0", MON - DAY + 12 * HOUR));
    docs.push(text(PHONE, B, "b2", MON + 2 * DAY + 15 * HOUR));
    docs.push(text(PHONE, B, "b3", MON + 3 * DAY + 15 * HOUR));
    // C writes once, on Sunday at 23:30.
    docs.push(text(PHONE, C, "c6", MON + 6 * DAY + 23 * HOUR + 1_800));
    // The business answers A on Monday (delivered, by agent ana) and B on Wednesday
    // (only `sent`: not delivered, so not counted as sent).
    docs.push(outbound(
        "o1",
        A,
        MON + 10 * HOUR + 60,
        &json!({"author": "agent", "author_id": "ana"}),
    ));
    docs.push(status("o1", A, "delivered", MON + 10 * HOUR + 65));
    docs.push(outbound(
        "o2",
        B,
        MON + 2 * DAY + 15 * HOUR + 60,
        &json!({"author": "automation"}),
    ));
    docs.push(status("o2", B, "sent", MON + 2 * DAY + 15 * HOUR + 61));
    docs
}

#[test]
fn a_user_active_every_day_counts_once_in_the_range_and_seven_times_in_the_days() {
    // Only A's messages: one user, active on each of the 7 days.
    let docs: Vec<String> = week()
        .into_iter()
        .filter(|d| d.contains(A) && d.contains("\"text\""))
        .collect();
    let mut e = engine(&docs, "UTC");
    let r = e
        .report(&range(date(2025, 7, 7), date(2025, 7, 14)))
        .unwrap();
    assert_eq!(r.engagement.active_users, 1);
    assert_eq!(daily(&r), vec![1; 7]);
    assert_eq!(daily(&r).iter().sum::<u64>(), 7);
    // 8 messages (two on Monday) over 7 user-days.
    assert_eq!(r.engagement.messages_received, 8);
    assert_eq!(r.engagement.avg_received_per_user_per_day, Some(8.0 / 7.0));
}

#[test]
fn new_returning_countries_volumes_and_heatmap_of_a_week() {
    let mut e = engine(&week(), "UTC");
    let r = e
        .report(&range(date(2025, 7, 7), date(2025, 7, 14)))
        .unwrap();
    let g = &r.engagement;
    // A, B and C were active; A and C wrote for the first time this week, B before it.
    assert_eq!((g.active_users, g.new_users, g.returning_users), (3, 2, 1));
    // Mon A; Tue A; Wed A+B; Thu A+B; Fri A; Sat A; Sun A+C → 10 user-days.
    assert_eq!(daily(&r), vec![1, 1, 2, 2, 1, 1, 2]);
    // All three numbers start with 49.
    assert_eq!(g.countries.get("DE"), Some(&3));
    // A 8 + B 2 + C 1 = 11 received over 10 user-days.
    assert_eq!(g.messages_received, 11);
    assert_eq!(g.avg_received_per_user_per_day, Some(1.1));
    // Two business messages were sent (Turn.io's "sent": o1 on Monday, o2 on Wednesday);
    // only o1 was delivered (o2 has only a `sent` status).
    assert_eq!((g.messages_sent, g.messages_delivered), (2, 1));
    let vol = |i: usize| {
        let v = &g.daily_volume[i];
        (v.sent, v.delivered, v.received)
    };
    // Monday: o1 sent and delivered, A's two messages; Wednesday: o2 sent, not
    // delivered, and A's and B's messages.
    assert_eq!(vol(0), (1, 1, 2));
    assert_eq!(vol(2), (1, 0, 2));
    // New per day: A on Monday (first message ever), C on Sunday; B first wrote the
    // Sunday before the week, so returning on Wednesday and Thursday.
    let new: Vec<u64> = g.daily_active.iter().map(|d| d.new).collect();
    let returning: Vec<u64> = g.daily_active.iter().map(|d| d.returning).collect();
    assert_eq!(new, vec![1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(returning, vec![0, 1, 2, 2, 1, 1, 1]);
    // Every user is new once: the days' `new` sum to the range's new users (A, C).
    assert_eq!(new.iter().sum::<u64>(), g.new_users);
    assert_eq!(g.authors.get("agent"), Some(&1));
    // Authorship counts delivered messages.
    assert_eq!(g.authors.values().sum::<u64>(), g.messages_delivered);
    assert_eq!(g.top_authors.len(), 1);
    assert_eq!(
        (g.top_authors[0].id.as_str(), g.top_authors[0].messages),
        ("ana", 1)
    );
    // Heatmap: Monday 10h: A twice; Tue..Sun 10h: A once; Wed and Thu 15h: B; Sun 23h: C.
    let h = &g.heatmap;
    assert_eq!(h[0][10], 2);
    for (wd, row) in h.iter().enumerate().skip(1) {
        assert_eq!(row[10], 1, "weekday {wd}");
    }
    assert_eq!((h[2][15], h[3][15], h[6][23]), (1, 1, 1));
    assert_eq!(h.iter().flatten().sum::<u64>(), 11);
    // The week before: only B, new then.
    let prev = e
        .report(&range(date(2025, 6, 30), date(2025, 7, 7)))
        .unwrap();
    assert_eq!(
        (prev.engagement.active_users, prev.engagement.new_users),
        (1, 1)
    );
}

#[test]
fn compare_reports_every_figure_with_previous_current_change_and_percent() {
    let mut e = engine(&week(), "UTC");
    let opts = {
        let mut o = range(date(2025, 7, 7), date(2025, 7, 14));
        o.compare = true;
        o
    };
    let r = e.report(&opts).unwrap();
    let c = r.compare.as_ref().unwrap();
    assert_eq!(
        (c.previous_range.from, c.previous_range.to),
        (date(2025, 6, 30), date(2025, 7, 7))
    );
    let fig = |section: &str, row: Option<&str>, figure: &str| {
        let f = c
            .figures
            .iter()
            .find(|f| f.section == section && f.row.as_deref() == row && f.figure == figure)
            .unwrap_or_else(|| panic!("{section} {row:?} {figure}"));
        (
            f.previous.clone(),
            f.current.clone(),
            f.change.clone(),
            f.change_pct,
        )
    };
    // Previous week: B only (1 active and new, 1 message, 1.0 per user-day, nothing sent).
    // This week: A, B, C active, A and C new, B returning; 11 messages over 10 user-days;
    // o1 and o2 sent, o1 delivered.
    let g = |f| fig("engagement", None, f);
    assert_eq!(
        g("active_users"),
        (json!(1), json!(3), json!(2), Some(200.0))
    );
    assert_eq!(g("new_users"), (json!(1), json!(2), json!(1), Some(100.0)));
    // From zero: a change, no percentage.
    assert_eq!(g("returning_users"), (json!(0), json!(1), json!(1), None));
    assert_eq!(
        g("messages_received"),
        (json!(1), json!(11), json!(10), Some(1000.0))
    );
    assert_eq!(g("messages_sent"), (json!(0), json!(2), json!(2), None));
    assert_eq!(
        g("avg_received_per_user_per_day"),
        (json!(1.0), json!(1.1), json!(0.1), Some(10.0))
    );
    // Support: B opened on 07-06; A (Monday) and C (Sunday) this week; none closed.
    assert_eq!(
        g("support.opened"),
        (json!(1), json!(2), json!(1), Some(100.0))
    );
    assert_eq!(
        g("support.open_at_end"),
        (json!(1), json!(3), json!(2), Some(200.0))
    );
    // Sources, by key: every conversation is direct. Previous: B's on 07-06. This week:
    // A writes at 10:00 every day; Monday's conversation lasts until a0b at 10:05, so
    // Tuesday 10:00 (23 h 55 min later) rides it, and each later day comes exactly 24 h
    // after the previous message and opens a new one: 6. B's Wednesday message, the
    // answer o2 a minute later and Thursday's message 23 h 59 min after o2 make 1; C 1:
    // 8 in all.
    assert_eq!(
        fig("sources", Some("direct"), "conversations"),
        (json!(1), json!(8), json!(7), Some(700.0))
    );
    // Overall counts the same conversations once.
    assert_eq!(
        fig("overall", None, "conversations"),
        (json!(1), json!(8), json!(7), Some(700.0))
    );
    // Every compared section is there, in order.
    let sections: Vec<&str> = c.figures.iter().map(|f| f.section.as_str()).collect();
    let mut order = sections.clone();
    order.dedup();
    assert_eq!(order, vec!["overall", "billing", "sources", "engagement"]);
    // The text prints one table of them.
    let t = r.to_text();
    assert!(
        t.contains("COMPARED WITH 2025-06-30 → 2025-07-07 (7 days)"),
        "{t}"
    );
    assert!(
        t.lines().any(|l| l.starts_with("engagement")
            && l.contains("active_users")
            && l.contains("+200.0%")),
        "{t}"
    );
    // The JSON form carries it under `compare`.
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["compare"]["previous_range"]["days"], json!(7));
    assert_eq!(v["compare"]["figures"][0]["section"], json!("overall"));
}

// ---------------------------------------------------------------------------------------
// Heatmap in a zone with DST
// ---------------------------------------------------------------------------------------

#[test]
fn heatmap_follows_local_hours_across_both_dst_changes() {
    let docs = vec![
        // Spring forward, Sunday 2025-03-30 in Berlin: 00:30Z = 01:30 CET (hour 1),
        // 01:30Z = 03:30 CEST (hour 3); local 02:xx does not exist.
        text(PHONE, A, "s1", 1_743_294_600),
        text(PHONE, A, "s2", 1_743_298_200),
        // Fall back, Sunday 2025-10-26: 00:30Z = 02:30 CEST and 01:30Z = 02:30 CET, both
        // hour 2; 2025-10-25 22:30Z is already Sunday 00:30 CEST in Berlin.
        text(PHONE, A, "f1", 1_761_438_600),
        text(PHONE, A, "f2", 1_761_442_200),
        text(PHONE, A, "f0", 1_761_431_400),
    ];
    let mut e = engine(&docs, "Europe/Berlin");
    let spring = e
        .report(&range(date(2025, 3, 30), date(2025, 3, 31)))
        .unwrap();
    let h = spring.engagement.heatmap;
    assert_eq!((h[6][1], h[6][2], h[6][3]), (1, 0, 1));
    assert_eq!(h.iter().flatten().sum::<u64>(), 2);
    let fall = e
        .report(&range(date(2025, 10, 25), date(2025, 10, 27)))
        .unwrap();
    let h = fall.engagement.heatmap;
    assert_eq!((h[6][0], h[6][2]), (1, 2));
    assert_eq!(h[5].iter().sum::<u64>(), 0, "nothing on Saturday in Berlin");
    // Saturday 10-25 has no active user in Berlin; Sunday has A.
    assert_eq!(daily(&fall), vec![0, 1]);
    // The same messages in UTC: 22:30Z is Saturday hour 22; both fall-back ones are
    // Sunday hours 0 and 1.
    let utc = e
        .report(&{
            let mut o = range(date(2025, 10, 25), date(2025, 10, 27));
            o.time_zone = Some("UTC".into());
            o
        })
        .unwrap();
    let h = utc.engagement.heatmap;
    assert_eq!((h[5][22], h[6][0], h[6][1], h[6][2]), (1, 1, 1, 0));
    // And the engine's cached Berlin aggregates still answer Berlin reports afterwards.
    let again = e
        .report(&range(date(2025, 10, 25), date(2025, 10, 27)))
        .unwrap();
    assert_eq!(again, fall);
}

// ---------------------------------------------------------------------------------------
// Support conversations
// ---------------------------------------------------------------------------------------

const U: &str = "4915120000001";
const V: &str = "4915120000002";

fn support_docs() -> Vec<String> {
    let t0 = JUL1 + 9 * HOUR; // 2025-07-01 09:00Z
    let t1 = t0 + DAY;
    let t2 = t0 + 2 * DAY;
    vec![
        // A close before U ever wrote: nothing is open, ignored.
        close(U, Some(PHONE), t0 - DAY),
        // Day 1: U opens, agent answers after 120 s, U writes again (still open), closed.
        text(PHONE, U, "u1", t0),
        outbound(
            "r1",
            U,
            t0 + 120,
            &json!({"author": "agent", "author_id": "ana"}),
        ),
        status("r1", U, "delivered", t0 + 125),
        text(PHONE, U, "u2", t0 + 300),
        close(U, Some(PHONE), t0 + HOUR),
        // Day 2: U writes again → reopened; automation answers after 30 s; closed at 12:00,
        // then a second close while closed changes nothing.
        text(PHONE, U, "u3", t1),
        outbound("r2", U, t1 + 30, &json!({"author": "automation"})),
        outbound(
            "r3",
            U,
            t1 + 600,
            &json!({"author": "agent", "author_id": "ana"}),
        ),
        close(U, Some(PHONE), t1 + 3 * HOUR),
        close(U, Some(PHONE), t1 + 4 * HOUR),
        // Day 3: reopened again, never answered: open at the end.
        text(PHONE, U, "u4", t2),
        // V: opens on day 1 at 10:00, closed by a close without number at 11:00, and the
        // reply at 11:30 comes too late to answer it.
        text(PHONE, V, "v1", t0 + HOUR),
        close(V, None, t0 + 2 * HOUR),
        outbound(
            "r4",
            V,
            t0 + 2 * HOUR + 1_800,
            &json!({"author": "agent", "author_id": "bob"}),
        ),
    ]
}

#[test]
fn support_conversations_reopen_close_and_stay_open() {
    let mut e = engine(&support_docs(), "UTC");
    let r = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 4)))
        .unwrap();
    let s = &r.engagement.support;
    // Openings: U day 1, U day 2 (reopen), U day 3 (reopen), V day 1 → 4, 2 reopened.
    // Closes that closed something: U day 1, U day 2, V day 1 → 3. Open at end: U.
    assert_eq!(support_counts(s), (4, 2, 3, 1));
    let rt = &r.engagement.response_time;
    // Answered: U day 1 by agent in 120 s, U day 2 by automation in 30 s. Median of
    // {30, 120} = 75; p90 = 30 + 0.9 × 90 = 111.
    assert_eq!((rt.conversations, rt.answered), (4, 2));
    assert_eq!(rt.first_response_median_s, Some(75.0));
    assert!((rt.first_response_p90_s.unwrap() - 111.0).abs() < 1e-9);
    assert_eq!(rt.by_author["agent"].answered, 1);
    assert_eq!(rt.by_author["agent"].median_s, Some(120.0));
    assert_eq!(rt.by_author["automation"].p90_s, Some(30.0));

    // Day 1 alone: U and V opened, both closed, nothing open at its end.
    let d1 = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 2)))
        .unwrap();
    let s = &d1.engagement.support;
    assert_eq!(support_counts(s), (2, 0, 2, 0));
    assert_eq!(d1.engagement.response_time.answered, 1);
    // Day 2 alone: one reopen, one close.
    let d2 = e
        .report(&range(date(2025, 7, 2), date(2025, 7, 3)))
        .unwrap();
    let s = &d2.engagement.support;
    assert_eq!(support_counts(s), (1, 1, 1, 0));
    // Far later, U's day-3 conversation is still open.
    let later = e
        .report(&range(date(2025, 9, 1), date(2025, 9, 2)))
        .unwrap();
    assert_eq!(later.engagement.support.open_at_end, 1);
    // Sent counts every business message sent (r1, r2, r3, r4); only r1 has a delivered
    // status, so only r1 is delivered (and authored).
    assert_eq!(
        (r.engagement.messages_sent, r.engagement.messages_delivered),
        (4, 1)
    );
}

// ---------------------------------------------------------------------------------------
// Templates and campaigns
// ---------------------------------------------------------------------------------------

fn template_docs() -> Vec<String> {
    let t = JUL1 + 10 * HOUR;
    let promo = json!({"kind": "template", "template": "summer_promo", "category": "marketing",
                       "campaign": "july", "author": "campaign",
                       "buttons": [{"type": "quick_reply", "text": "Yes"}, {"type": "quick_reply", "text": "Stop"},
                                   {"type": "url", "text": "Shop now"}]});
    let update = json!({"kind": "template", "template": "order_update", "category": "utility", "author": "api"});
    vec![
        // m1 → A: delivered, read; A presses "Yes" and also answers in text; two URL clicks.
        outbound("m1", A, t, &promo),
        status("m1", A, "delivered", t + 5),
        status("m1", A, "read", t + 60),
        press(A, "p1", t + 120, "m1", "Yes", "YES_PAYLOAD"),
        reply_text(A, "p2", t + 130, "m1"),
        click("m1", "Shop now", t + 180),
        click("m1", "Shop now", t + 240),
        // m2 → B: delivered, not read; B presses "stop" (case differs) and clicks
        // "Shop Now"; a late `failed` after delivery keeps it delivered.
        outbound("m2", B, t + 1, &promo),
        status("m2", B, "delivered", t + 6),
        press(B, "p3", t + 300, "m2", "stop", "STOP"),
        click("m2", "Shop Now", t + 310),
        failed("m2", B, t + 400, Some(131_026)),
        // m3 → C: failed with code 131049, never delivered.
        outbound("m3", C, t + 2, &promo),
        failed("m3", C, t + 7, Some(131_049)),
        // m4 → U: only `sent`.
        outbound("m4", U, t + 3, &promo),
        status("m4", U, "sent", t + 8),
        // m5 → A: utility template, delivered, answered in text.
        outbound("m5", A, t + DAY, &update),
        status("m5", A, "delivered", t + DAY + 5),
        reply_text(A, "p4", t + DAY + 60, "m5"),
        // m7 → V: utility template failed without an error code.
        outbound("m7", V, t + DAY, &update),
        failed("m7", V, t + DAY + 5, None),
        // f1 → B: free-form message of the campaign, delivered.
        outbound(
            "f1",
            B,
            t + 2 * DAY,
            &json!({"kind": "free_form", "campaign": "july", "author": "agent", "author_id": "ana"}),
        ),
        status("f1", B, "delivered", t + 2 * DAY + 5),
        // A click on an unknown message is ignored.
        click("nope", "Shop now", t),
        // m6: a promo message a month later (outside the week).
        outbound("m6", A, 1_754_042_400, &promo),
        status("m6", A, "delivered", 1_754_042_405),
    ]
}

#[test]
fn template_funnel_replies_buttons_and_failures() {
    let mut e = engine(&template_docs(), "UTC");
    let r = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 8)))
        .unwrap();
    let names: Vec<&str> = r.templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["summer_promo", "order_update"]);
    let p = &r.templates[0];
    // m1..m4 sent; m1, m2 delivered; m1 read; m1 and m2 replied (p1+p2 count once for m1).
    assert_eq!((p.sent, p.delivered, p.read, p.replied), (4, 2, 1, 2));
    assert_eq!(p.category, "marketing");
    // Clicks: Yes 1 (m1), Stop 1 (m2), Shop now 2 (m1) + 1 (m2) = 3 → 5 in all, 3 URL.
    assert_eq!((p.clicks, p.url_clicks), (5, 3));
    assert_eq!(p.ctr, Some(2.5)); // 5 / 2 delivered
    let b: Vec<(&str, &str, u64, Option<f64>)> = p
        .buttons
        .iter()
        .map(|b| (b.text.as_str(), b.kind.as_str(), b.clicks, b.ctr))
        .collect();
    assert_eq!(
        b,
        vec![
            ("Yes", "quick_reply", 1, Some(0.5)),
            ("Stop", "quick_reply", 1, Some(0.5)),
            ("Shop now", "url", 3, Some(1.5))
        ]
    );
    // m3 failed with 131049; m2's late failure does not count (it was delivered).
    assert_eq!(p.failed, [("131049".to_string(), 1)].into_iter().collect());
    // No rate card: billing charges nothing; no external events: nothing is credited.
    assert_eq!((p.cost, p.conversions), (Some(0.0), Some(0.0)));
    let u = &r.templates[1];
    // m5 delivered and answered; m7 failed without a code.
    assert_eq!(
        (u.sent, u.delivered, u.read, u.replied, u.clicks),
        (2, 1, 0, 1, 0)
    );
    assert_eq!(u.ctr, Some(0.0));
    assert_eq!(u.failed, [("unknown".to_string(), 1)].into_iter().collect());
    // Campaign "july": m1..m4 and f1 → 5 sent, 3 delivered (m1, m2, f1), templates and a
    // free-form message → mixed category.
    assert_eq!(r.campaigns.len(), 1);
    let c = &r.campaigns[0];
    assert_eq!(
        (
            c.name.as_str(),
            c.sent,
            c.delivered,
            c.read,
            c.replied,
            c.clicks
        ),
        ("july", 5, 3, 1, 2, 5)
    );
    assert_eq!(c.category, "mixed");
    assert_eq!(c.failed.get("131049"), Some(&1));
    // m6, sent in August, is in the August report only.
    let aug = e
        .report(&range(date(2025, 8, 1), date(2025, 8, 2)))
        .unwrap();
    assert_eq!((aug.templates[0].sent, aug.templates[0].delivered), (1, 1));
}

#[test]
fn report_prices_templates_with_billing_and_credits_them_with_attribution() {
    // A rate card for Germany (+49): marketing 0.10 EUR, utility 0.02 EUR, from 2025-01-01.
    let mut cfg = Config::from_json(
        r#"{"currency":"EUR","rate_card":[
          {"market":"Germany","category":"marketing","price":"0.10","currency":"EUR","effective_from":"2025-01-01"},
          {"market":"Germany","category":"utility","price":"0.02","currency":"EUR","effective_from":"2025-01-01"}]}"#,
    )
    .unwrap();
    cfg.time_zone = "UTC".into();
    let t = JUL1 + 10 * HOUR;
    let mut docs = template_docs();
    // Purchases: A pays 50 EUR on day 3, B pays 20 EUR on day 4.
    for (id, who, value, ts) in [("x1", A, 50, t + 2 * DAY), ("x2", B, 20, t + 3 * DAY)] {
        docs.push(
            json!({"type": "external_event", "id": id, "contact": who, "name": "purchase",
                   "value": value, "currency": "EUR", "timestamp": ts})
            .to_string(),
        );
    }
    let mut e = Engine::new(cfg).unwrap();
    for d in &docs {
        e.ingest_str(d).unwrap();
    }
    let r = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 8)))
        .unwrap();
    let (p, u, c) = (&r.templates[0], &r.templates[1], &r.campaigns[0]);
    // Per-message pricing (July 2025): m1 and m2 are delivered marketing templates, 0.10
    // each; m3 failed and m4 was never delivered: free. 0.20 over 2 delivered, 3 URL clicks.
    assert_eq!(p.cost, Some(0.2));
    assert_eq!(p.cost_per_delivered, Some(0.1));
    assert_eq!(p.cost_per_click, Some(0.2 / 3.0));
    // m5 (utility) is delivered at t+1d+5s, inside A's service window opened by A's reply at
    // t+120s (open until t+1d+120s): free. m7 failed. Cost 0.
    assert_eq!((u.cost, u.cost_per_delivered), (Some(0.0), Some(0.0)));
    // The campaign: m1..m4 as above, plus f1 (free-form: free) → 0.20.
    assert_eq!(c.cost, Some(0.2));
    // The template costs add up to billing's total.
    assert_eq!(r.billing.cost.total.0, 200_000);
    // Last touch: A's purchase goes to A's conversation opened by m1 (m5 rides it: A wrote
    // at t+130s, within the 24-h inactivity timeout), B's to B's conversation opened by m2
    // (f1, a free-form message, opens none). Both are summer_promo / july messages.
    assert_eq!((p.conversions, p.conversion_value), (Some(2.0), Some(70.0)));
    assert_eq!((u.conversions, u.conversion_value), (Some(0.0), Some(0.0)));
    assert_eq!((c.conversions, c.conversion_value), (Some(2.0), Some(70.0)));
    // The text shows cost per delivered and per URL click on the template and campaign
    // lines (Kommo's cost metrics): summer_promo 0.20 / 2 delivered = 0.1000 and 0.20 / 3
    // URL clicks = 0.0667; the july campaign also delivered f1: 0.20 / 3 = 0.0667 for both.
    let text = r.to_text();
    let line = |title: &str, name: &str| {
        text.lines()
            .skip_while(|l| *l != title)
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{title} {name}: {text}"))
            .to_string()
    };
    assert!(
        text.contains("cost/deliv.") && text.contains("cost/click"),
        "{text}"
    );
    let l = line("TEMPLATES", "summer_promo");
    assert!(l.contains("  0.1000      0.0667  "), "{l}");
    let l = line("CAMPAIGNS", "july");
    assert!(l.contains("  0.0667      0.0667  "), "{l}");
}

#[test]
fn first_response_skips_campaign_broadcasts_and_reads_as_minutes() {
    let t = JUL1 + 9 * HOUR;
    let docs = vec![
        // U writes; a campaign broadcast reaches U 60 s later (never a response, whether
        // by author or by campaign); an agent answers after 4 min 12 s.
        text(PHONE, U, "u1", t),
        outbound(
            "c1",
            U,
            t + 60,
            &json!({"kind": "template", "template": "promo", "category": "marketing", "campaign": "july", "author": "campaign"}),
        ),
        status("c1", U, "delivered", t + 61),
        outbound(
            "c2",
            U,
            t + 90,
            &json!({"kind": "template", "template": "promo", "category": "marketing", "campaign": "july", "author": "api"}),
        ),
        outbound(
            "r1",
            U,
            t + 252,
            &json!({"author": "agent", "author_id": "ana"}),
        ),
        // V writes; only a campaign message follows: unanswered.
        text(PHONE, V, "v1", t),
        outbound(
            "c3",
            V,
            t + 30,
            &json!({"kind": "template", "template": "promo", "category": "marketing", "campaign": "july", "author": "campaign"}),
        ),
    ];
    let mut e = engine(&docs, "UTC");
    let r = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 2)))
        .unwrap();
    let rt = &r.engagement.response_time;
    // Two conversations opened, one answered, by the agent after 252 s.
    assert_eq!((rt.conversations, rt.answered), (2, 1));
    assert_eq!(rt.first_response_median_s, Some(252.0));
    assert_eq!(rt.by_author.keys().collect::<Vec<_>>(), vec!["agent"]);
    // The text reads 252 s as 4 × 60 + 12.
    let text = r.to_text();
    let all = text
        .lines()
        .find(|l| l.starts_with("all "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(all.contains("1/2") && all.contains("4 min 12 s"), "{all}");
}

#[test]
fn cost_and_conversion_hooks_fill_rows_and_ratios() {
    let mut e = engine(&template_docs(), "UTC");
    let opts = range(date(2025, 7, 1), date(2025, 7, 8));
    let mut r = e.report(&opts).unwrap();
    let store = convolens::internals::store(&e);
    let m = |id: &str| store.outbound(id).unwrap();
    let config = Config::default();
    let ctx = Scope::whole(store, &config, chrono_tz::UTC)
        .with_range(convolens::internals::resolve_range(store, chrono_tz::UTC, &opts).unwrap());
    // m1, m2: 0.0625 each; m5: 0.01; m6 is outside the range and skipped.
    let charges = [
        (m("m1"), 62_500),
        (m("m2"), 62_500),
        (m("m5"), 10_000),
        (m("m6"), 62_500),
    ];
    let mut money = TemplateMoney::default();
    money.add_costs(&ctx, charges);
    money.fill(&ctx.range, &mut r.templates, &mut r.campaigns);
    let (p, u, c) = (&r.templates[0], &r.templates[1], &r.campaigns[0]);
    assert_eq!(p.cost, Some(0.125));
    assert_eq!(p.cost_per_delivered, Some(0.0625)); // 0.125 / 2
    assert_eq!(p.cost_per_click, Some(0.125 / 3.0)); // per URL click
    assert_eq!(
        (u.cost, u.cost_per_delivered, u.cost_per_click),
        (Some(0.01), Some(0.01), None)
    );
    assert_eq!(c.cost, Some(0.125));
    // Half a conversion worth 5.00 through m1 and one worth 20.00 through m5, both on
    // 2025-07-03; a third credit through m1 whose event is on 2025-07-08 (outside the
    // range, so a report of this range does not attribute it) is left out.
    let (jul3, jul8) = (JUL1 + 2 * DAY, JUL1 + 7 * DAY);
    let credits = [
        (m("m1"), jul3, 500_000, 5_000_000),
        (m("m5"), jul3, 1_000_000, 20_000_000),
        (m("m1"), jul8, 1_000_000, 99_000_000),
    ];
    money.add_credits(&ctx, credits);
    money.fill(&ctx.range, &mut r.templates, &mut r.campaigns);
    assert_eq!(
        r.templates[0].cost,
        Some(0.125),
        "costs are kept across fills"
    );
    assert_eq!(
        (r.templates[0].conversions, r.templates[0].conversion_value),
        (Some(0.5), Some(5.0))
    );
    assert_eq!(
        (r.templates[1].conversions, r.templates[1].conversion_value),
        (Some(1.0), Some(20.0))
    );
    assert_eq!(r.campaigns[0].conversion_value, Some(5.0));
}

// ---------------------------------------------------------------------------------------
// Number filter, CSV, cache
// ---------------------------------------------------------------------------------------

#[test]
fn phone_filter_and_new_users_per_number() {
    // A writes to 1001 on day 1 and to 2002 on day 2: on 2002 A is new on day 2; across
    // numbers A is returning on day 2.
    let docs = vec![
        text("1001", A, "x1", JUL1 + HOUR),
        text("2002", A, "x2", JUL1 + DAY + HOUR),
    ];
    let mut e = engine(&docs, "UTC");
    let day2 = range(date(2025, 7, 2), date(2025, 7, 3));
    let all = e.report(&day2).unwrap();
    assert_eq!(
        (
            all.engagement.active_users,
            all.engagement.new_users,
            all.engagement.returning_users
        ),
        (1, 0, 1)
    );
    let p2 = e
        .report(&{
            let mut o = day2.clone();
            o.phone = Some("2002".into());
            o
        })
        .unwrap();
    assert_eq!(
        (p2.engagement.active_users, p2.engagement.new_users),
        (1, 1)
    );
    let p1 = e
        .report(&{
            let mut o = day2.clone();
            o.phone = Some("1001".into());
            o
        })
        .unwrap();
    assert_eq!(p1.engagement.active_users, 0);
    // A number never seen is an error of kind `option` naming the known numbers, not an
    // empty (or a whole) report.
    let unknown = e
        .report(&{
            let mut o = day2;
            o.phone = Some("9999".into());
            o
        })
        .unwrap_err();
    assert_eq!(
        (unknown.kind(), unknown.option()),
        ("option", Some("phone"))
    );
    assert!(
        unknown.to_string().contains("known numbers: 1001, 2002"),
        "{unknown}"
    );
}

#[test]
fn csv_tables_of_a_report() {
    let mut e = engine(&template_docs(), "UTC");
    let r = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 3)))
        .unwrap();
    let tables = r.tables();
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    for n in [
        "campaigns",
        "campaigns_buttons",
        "engagement_daily_active",
        "engagement_daily_volume",
        "engagement_heatmap",
        "templates",
        "templates_buttons",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let vol = tables
        .iter()
        .find(|t| t.name == "engagement_daily_volume")
        .unwrap();
    // Day 1: m1..m4 sent (m3 failed, m4 only `sent`), m1 and m2 delivered; A's replies
    // p1, p2 and B's press p3 received. Day 2: m5 and m7 sent (m7 failed), m5 delivered;
    // A's reply p4 received. (Columns after `date` in JSON key order.)
    assert_eq!(
        vol.to_csv(),
        "date,delivered,received,sent\r\n2025-07-01,2,3,4\r\n2025-07-02,1,1,2\r\n"
    );
    let b = tables
        .iter()
        .find(|t| t.name == "templates_buttons")
        .unwrap();
    // The parent's identifying field first, then the button's.
    assert_eq!(
        b.header,
        vec!["templates.name", "text", "type", "clicks", "ctr"]
    );
    assert_eq!(
        b.rows[2],
        vec!["summer_promo", "Shop now", "url", "3", "1.5"]
    );
}

#[test]
fn reports_follow_new_input_after_a_cached_report() {
    let docs = week();
    let (first, rest) = docs.split_at(5);
    let mut e = engine(first, "UTC");
    let opts = range(date(2025, 7, 7), date(2025, 7, 14));
    let before = e.report(&opts).unwrap();
    assert_eq!(before.engagement.messages_received, 5);
    for d in rest {
        e.ingest_str(d).unwrap();
    }
    let after = e.report(&opts).unwrap();
    let fresh = engine(&docs, "UTC").report(&opts).unwrap();
    assert_eq!(after.engagement, fresh.engagement);
    assert_eq!(after.engagement.messages_received, 11);
}

#[test]
fn text_dashboard_shows_every_section() {
    let mut docs = week();
    docs.extend(template_docs());
    docs.extend(support_docs());
    let mut e = engine(&docs, "UTC");
    let r = e
        .report(&{
            let mut o = range(date(2025, 7, 1), date(2025, 7, 14));
            o.compare = true;
            o
        })
        .unwrap();
    let t = (r).to_text();
    for needle in [
        "ENGAGEMENT",
        "TEMPLATES",
        "CAMPAIGNS",
        "COMPARED WITH 2025-06-18",
        "summer_promo",
        "Shop now",
        "131049",
        "Mon  ",
        "support conversations",
        "first response by",
    ] {
        assert!(t.contains(needle), "{needle} missing:\n{t}");
    }
    // One bar line per day of the range.
    let bars = t.lines().filter(|l| l.starts_with("2025-07-")).count();
    assert_eq!(bars, 13);
}

// ---------------------------------------------------------------------------------------
// Invariants over random traffic
// ---------------------------------------------------------------------------------------

mod props {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Ev {
        In {
            user: u8,
            phone: u8,
            ts: i64,
        },
        Out {
            user: u8,
            ts: i64,
            delivered: bool,
            template: bool,
            author: u8,
        },
        Close {
            user: u8,
            phone: Option<u8>,
            ts: i64,
        },
    }

    fn ev() -> impl Strategy<Value = Ev> {
        let ts = 0i64..(10 * DAY);
        prop_oneof![
            4 => (0u8..6, 0u8..2, ts.clone()).prop_map(|(user, phone, ts)| Ev::In { user, phone, ts }),
            3 => (0u8..6, ts.clone(), any::<bool>(), any::<bool>(), 0u8..3)
                .prop_map(|(user, ts, delivered, template, author)| Ev::Out { user, ts, delivered, template, author }),
            1 => (0u8..6, proptest::option::of(0u8..2), ts).prop_map(|(user, phone, ts)| Ev::Close { user, phone, ts }),
        ]
    }

    const AUTHORS: [&str; 3] = ["agent", "automation", "api"];

    fn docs(evs: &[Ev]) -> Vec<String> {
        let user = |u: u8| format!("49151300000{u:02}");
        let phone = |p: u8| ["1001", "2002"][p as usize];
        let mut out = Vec::new();
        for (i, e) in evs.iter().enumerate() {
            match e {
                Ev::In {
                    user: u,
                    phone: p,
                    ts,
                } => out.push(text(phone(*p), &user(*u), &format!("in{i}"), JUL1 + ts)),
                Ev::Out {
                    user: u,
                    ts,
                    delivered,
                    template,
                    author,
                } => {
                    let extra = if *template {
                        json!({"template": format!("t{}", author), "author": "campaign", "campaign": "c"})
                    } else {
                        json!({"author": AUTHORS[*author as usize], "author_id": format!("id{author}")})
                    };
                    out.push(outbound(&format!("out{i}"), &user(*u), JUL1 + ts, &extra));
                    if *delivered {
                        out.push(status(
                            &format!("out{i}"),
                            &user(*u),
                            "delivered",
                            JUL1 + ts + 1,
                        ));
                    }
                }
                Ev::Close {
                    user: u,
                    phone: p,
                    ts,
                } => out.push(close(&user(*u), p.map(phone), JUL1 + ts)),
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(super::cases::cases(48)))]

        #[test]
        fn sections_are_consistent_order_independent_and_mergeable(
            evs in proptest::collection::vec(ev(), 0..60),
            from in 0i64..10, len in 1i64..8, seed in any::<u64>(),
        ) {
            let d = docs(&evs);
            let opts = range(date(2025, 7, 1) + chrono::Duration::days(from), date(2025, 7, 1) + chrono::Duration::days(from + len));
            let mut e = engine(&d, "Europe/Berlin");
            let r = e.report(&opts).unwrap();
            let g = &r.engagement;
            prop_assert_eq!(g.active_users, g.new_users + g.returning_users);
            let user_days: u64 = g.daily_active.iter().map(|x| x.users).sum();
            prop_assert!(user_days >= g.active_users);
            prop_assert!(g.daily_active.iter().all(|x| x.users <= g.active_users));
            prop_assert_eq!(g.heatmap.iter().flatten().sum::<u64>(), g.messages_received);
            prop_assert_eq!(g.daily_volume.iter().map(|x| x.received).sum::<u64>(), g.messages_received);
            prop_assert_eq!(g.daily_volume.iter().map(|x| x.sent).sum::<u64>(), g.messages_sent);
            prop_assert_eq!(g.daily_volume.iter().map(|x| x.delivered).sum::<u64>(), g.messages_delivered);
            prop_assert!(g.daily_volume.iter().all(|x| x.delivered <= x.sent));
            prop_assert_eq!(g.authors.values().sum::<u64>(), g.messages_delivered);
            // Each user is new once: the days' new users sum to the range's.
            prop_assert_eq!(g.daily_active.iter().map(|x| x.new).sum::<u64>(), g.new_users);
            prop_assert!(g.daily_active.iter().all(|x| x.new + x.returning == x.users));
            prop_assert_eq!(g.countries.values().sum::<u64>(), g.active_users);
            prop_assert!(g.support.reopened <= g.support.opened);
            prop_assert!(g.response_time.answered <= g.support.opened);
            // Oracle for open_at_end, from the generated events alone: a (user, number)
            // conversation is open at the end of the range when the user's latest message to
            // that number before the end is not followed (at the same second or later, before
            // the end) by a close naming that number or no number.
            let end = JUL1 + (from + len) * DAY - 2 * HOUR; // midnight in Berlin (UTC+2)
            let mut open = 0i64;
            for u in 0u8..6 {
                for p in 0u8..2 {
                    let last = evs.iter().filter_map(|e| match e {
                        Ev::In { user, phone, ts } if (*user, *phone) == (u, p) && JUL1 + ts < end => Some(JUL1 + ts),
                        _ => None,
                    }).max();
                    let Some(last) = last else { continue };
                    let closed = evs.iter().any(|e| matches!(e,
                        Ev::Close { user, phone, ts } if *user == u && phone.is_none_or(|q| q == p)
                            && JUL1 + ts >= last && JUL1 + ts < end));
                    open += i64::from(!closed);
                }
            }
            prop_assert_eq!(g.support.open_at_end, open);

            // Arrival order does not matter.
            let mut shuffled = d.clone();
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            let r2 = engine(&shuffled, "Europe/Berlin").report(&opts).unwrap();
            prop_assert_eq!(&r2.engagement, &r.engagement);
            prop_assert_eq!(&r2.templates, &r.templates);

            // Day aggregates of two disjoint halves of the users merge into those of all.
            let store = convolens::internals::store(&e);
            let tz = chrono_tz::Europe::Berlin;
            let users: Vec<u32> = store.live_users().collect();
            let (a, b): (Vec<u32>, Vec<u32>) = users.iter().partition(|u| (u64::from(**u) ^ seed) % 2 == 0);
            let mut merged = convolens::internals::build_engagement_users(store, tz, None, a);
            merged.merge(&convolens::internals::build_engagement_users(store, tz, None, b)).unwrap();
            let whole = convolens::internals::build_engagement(store, tz, None);
            let config = Config::default();
            let ctx = Scope::whole(store, &config, tz).with_range(convolens::internals::resolve_range(store, tz, &opts).unwrap());
            prop_assert_eq!(crate::engagement::sections::sections(&ctx, &merged), crate::engagement::sections::sections(&ctx, &whole));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Rules the mutation score found unchecked (issue 26), each worked by hand
// ---------------------------------------------------------------------------------------

#[test]
fn a_close_at_the_second_of_a_message_comes_after_it() {
    // Messages come before closes at equal timestamps (support guide).
    let t = JUL1 + 9 * HOUR;
    let docs = vec![
        // U writes at t and a close shares that second: U's message opens the
        // conversation, then the close closes it.
        text(PHONE, U, "u1", t),
        close(U, Some(PHONE), t),
        // V writes at t; an agent's reply and a close share the second t + 60: the reply
        // comes first and answers V's conversation after 60 s, then the close closes it.
        text(PHONE, V, "v1", t),
        outbound("r1", V, t + 60, &json!({"author": "agent"})),
        close(V, Some(PHONE), t + 60),
    ];
    let mut e = engine(&docs, "UTC");
    let r = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 2)))
        .unwrap();
    let s = &r.engagement.support;
    // Opened U, V; closed U, V; nothing open at the end of the day.
    assert_eq!(support_counts(s), (2, 0, 2, 0));
    // Two conversations, V's answered after 60 s.
    let rt = &r.engagement.response_time;
    assert_eq!((rt.conversations, rt.answered), (2, 1));
    assert_eq!(rt.first_response_median_s, Some(60.0));
}

#[test]
fn a_reopen_record_reopens_a_closed_conversation_with_nothing_to_answer() {
    let t = JUL1 + 9 * HOUR;
    let reopen = |ts: i64| {
        json!({"type": "reopen", "contact": U, "phone_number_id": PHONE, "timestamp": ts, "by": "agent-1"})
            .to_string()
    };
    let docs = vec![
        // U writes at 09:00, unanswered; closed at 10:00; an agent reopens it by hand at
        // 11:00 and writes at 12:00.
        text(PHONE, U, "u1", t),
        close(U, Some(PHONE), t + HOUR),
        reopen(t + 2 * HOUR),
        outbound("r1", U, t + 3 * HOUR, &json!({"author": "agent"})),
    ];
    let mut e = engine(&docs, "UTC");
    let r = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 2)))
        .unwrap();
    let s = &r.engagement.support;
    // Openings: U's message and the manual reopen → 2, 1 reopened, by hand; 1 close; the
    // reopened conversation is open at the end of the day.
    assert_eq!(
        (
            s.opened,
            s.reopened,
            s.reopened_manually,
            s.closed,
            s.open_at_end
        ),
        (2, 1, 1, 1, 1)
    );
    // First responses cover the conversations users opened: 2 − 1 manual = 1, U's, closed
    // unanswered; the agent's message at 12:00 answers no user message.
    let rt = &r.engagement.response_time;
    assert_eq!((rt.conversations, rt.answered), (1, 0));
    assert_eq!(rt.first_response_median_s, None);
}

#[test]
fn a_failed_reply_or_one_from_another_number_is_no_first_response() {
    let t = JUL1 + 9 * HOUR;
    let docs = vec![
        // U writes to 1001 at 09:00. A reply at +60 s fails; one from number 2002 at
        // +120 s is on another number; the agent's reply on 1001 at +300 s is the first
        // response.
        text(PHONE, U, "u1", t),
        outbound("r1", U, t + 60, &json!({"author": "agent"})),
        failed("r1", U, t + 61, Some(131_026)),
        outbound(
            "r2",
            U,
            t + 120,
            &json!({"author": "agent", "phone_number_id": "2002"}),
        ),
        outbound("r3", U, t + 300, &json!({"author": "agent"})),
    ];
    let mut e = engine(&docs, "UTC");
    let r = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 2)))
        .unwrap();
    let rt = &r.engagement.response_time;
    // One conversation (U on 1001), answered after 300 s.
    assert_eq!((rt.conversations, rt.answered), (1, 1));
    assert_eq!(rt.first_response_median_s, Some(300.0));
}

#[test]
fn distinct_users_and_countries_of_a_range_the_store_does_not_watch() {
    // A (+49, DE) writes to 1001 on 07-01 and to 2002 on 07-02; W (+33, FR) writes to
    // 2002 and to 1001 on 07-02.
    const W: &str = "33612345678";
    let docs = vec![
        text("1001", A, "a1", JUL1 + 10 * HOUR),
        text("2002", A, "a2", JUL1 + DAY + 10 * HOUR),
        text("2002", W, "w1", JUL1 + DAY + 11 * HOUR),
        text("1001", W, "w2", JUL1 + DAY + 12 * HOUR),
    ];
    let e = engine(&docs, "UTC");
    let opts = range(date(2025, 7, 1), date(2025, 7, 3));
    let store = convolens::internals::store(&e);
    let days = convolens::internals::build_engagement(store, chrono_tz::UTC, None);
    let config = Config::default();
    let whole = Scope::whole(store, &config, chrono_tz::UTC)
        .with_range(convolens::internals::resolve_range(store, chrono_tz::UTC, &opts).unwrap());
    // (active, new, daily users, daily new, countries) of a section.
    let figures = |g: &convolens::Engagement| {
        (
            g.active_users,
            g.new_users,
            g.daily_active.iter().map(|d| d.users).collect::<Vec<_>>(),
            g.daily_active.iter().map(|d| d.new).collect::<Vec<_>>(),
            g.countries
                .iter()
                .map(|(k, n)| (k.clone(), *n))
                .collect::<Vec<_>>(),
        )
    };
    let countries = vec![("DE".to_string(), 1), ("FR".to_string(), 1)];
    let want = [
        // All numbers: A and W active, both new (A's first message 07-01, W's 07-02);
        // 07-01 A; 07-02 A and W (W once, though on two numbers).
        (None, (2, 2, vec![1, 2], vec![1, 1], countries.clone())),
        // 2002: nobody on 07-01; A and W on 07-02, both writing to 2002 for the first time.
        (
            Some("2002"),
            (2, 2, vec![0, 2], vec![0, 2], countries.clone()),
        ),
        // 1001: A new on 07-01, W new on 07-02.
        (Some("1001"), (2, 2, vec![1, 1], vec![1, 1], countries)),
    ];
    for (phone, want) in &want {
        let mut ctx = whole;
        ctx.phone = phone.map(|p| store.phone_by_id(p).unwrap());
        // Unwatched: the unions of the days' user sets.
        let s = crate::engagement::sections::sections(&ctx, &days);
        assert_eq!(&figures(&s.engagement), want, "unwatched {phone:?}");
    }
    // The engine's reports (each over the range it then watches) agree.
    let mut fresh = engine(&docs, "UTC");
    for (phone, want) in &want {
        let mut o = opts.clone();
        o.phone = phone.map(str::to_string);
        let r = fresh.report(&o).unwrap();
        assert_eq!(&figures(&r.engagement), want, "report {phone:?}");
    }
}

#[test]
fn an_empty_range_has_no_last_day_and_no_open_conversations_at_its_end() {
    // U opens a support conversation on 07-01 and it is never closed. `open_at_end`
    // counts the conversations open at the end of the range's last day (support guide):
    // [07-01, 07-02) ends with U's open, but [07-02, 07-02) has no day at all, so nothing
    // is counted at its end (as nothing else is counted in it).
    let docs = vec![text(PHONE, U, "u1", JUL1 + 9 * HOUR)];
    let mut e = engine(&docs, "UTC");
    let one = e
        .report(&range(date(2025, 7, 1), date(2025, 7, 2)))
        .unwrap();
    assert_eq!(one.engagement.support.open_at_end, 1);
    let empty = e
        .report(&range(date(2025, 7, 2), date(2025, 7, 2)))
        .unwrap();
    assert_eq!(empty.engagement.support.open_at_end, 0);
    assert!(empty.engagement.daily_active.is_empty());
}

#[test]
fn an_open_support_conversation_crosses_an_expiry_cut() {
    // U writes to 1001 on 07-01 at 09:00 and is never answered; 57 days later (08-27
    // 09:00) a close closes that conversation, and U writes again on 08-28: a reopen. V
    // writes on 08-30 09:00, the latest event W. Expiry (default lateness 7 days, lookback
    // 7, quiet 4) seals the days before day(W − 18 d) = 08-12 and cuts U's history at
    // least 8 days before that, after u1 (which reaches only 25 h): u1 is dropped, and
    // the open conversation crosses the cut in U's carry (expiry guide), as does the
    // number U wrote to.
    let t = JUL1 + 9 * HOUR;
    let docs = vec![
        text(PHONE, U, "u1", t),
        close(U, Some(PHONE), t + 57 * DAY),
        text(PHONE, U, "u2", t + 58 * DAY),
        text(PHONE, V, "v1", t + 60 * DAY),
    ];
    let opts = range(date(2025, 8, 27), date(2025, 9, 1));
    let mut kept = engine(&docs, "UTC");
    let mut expired = engine(&docs, "UTC");
    let out = expired.expire().unwrap();
    assert_eq!(out.messages, 1, "u1 is dropped");
    for e in [&mut kept, &mut expired] {
        let g = e.report(&opts).unwrap().engagement;
        // The close on 08-27 closed U's conversation; U's message on 08-28 reopened it;
        // V's opened one: 2 opened, 1 reopened, 1 closed, U's and V's open at the end.
        let s = &g.support;
        assert_eq!(support_counts(s), (2, 1, 1, 2));
        // U and V active; V new, U returning (U first wrote on 07-01).
        assert_eq!((g.active_users, g.new_users), (2, 1));
    }
}
