//! Active, new and returning users, countries, message volumes and the weekday × hour
//! heatmap (semantics §5, Turn.io's "Is our audience growing?" and "How are our users
//! engaging?").
//!
//! > **Active user**: sent at least one message in the period. Unique active users over a
//! > range plus a daily series; the daily values sum to more than the unique count when
//! > users return (seed 002's example). New vs returning (first message ever vs before).
//! > Countries of active users, from the calling code. Average messages received per
//! > active user per day; a 7 × 24 weekday-by-hour heatmap of inbound messages in the
//! > report time zone. Daily sent (outbound messages sent), delivered and received message
//! > volumes; daily active users split into new and returning.
//!
//! # Rules
//!
//! - **A user's message** is any inbound message except system notices, edits and
//!   deletions of earlier messages ([`crate::model::InboundType::is_user_message`]):
//!   reactions, button presses, media, locations and unknown types all count. Only these
//!   make a user active and count as `messages_received`.
//! - **`active_users`** counts distinct users with at least one message in the range;
//!   **`daily_active`** lists, for every day of the range (zeros included), the distinct users
//!   active that day. A user active on all seven days of a week counts once in
//!   `active_users` and seven times in `daily_active`.
//! - **`new_users`** are active users whose first message ever falls in the range;
//!   **`returning_users`** are the others (`active_users − new_users`). "Ever" means across
//!   everything ingested, on any business number; with a `phone` filter, on that number.
//! - **countries**: active users by the country of their number's calling code (else the
//!   profile's country code, else the BSUID prefix); `unknown` when none is known.
//! - **`messages_sent`** and the `sent` column of **`daily_volume`** count every business
//!   message sent (Turn.io's "any message that was sent from your service to any user"),
//!   delivered or not, failed included, on the day it was sent (the outbound record's
//!   timestamp, else its earliest status); **`messages_delivered`** and `delivered` count
//!   those of them that were delivered (a `delivered`, `read` or `played` status), on the
//!   same day; `received` counts the users' messages on the day they were sent.
//! - **`daily_active`** gives, every day, the distinct active `users`, of whom `new` sent
//!   their first message ever that day (on the number, with a `phone` filter) and
//!   `returning` had written before (`users − new`). Summed over a range, `new` is exact
//!   (a user is new once); `returning` counts user-days.
//! - **`avg_received_per_user_per_day`** = messages received ÷ Σ daily active users (the
//!   user-days of the range): how many messages an active user sends on a day they are
//!   active; `null` when nobody was active.
//! - **heatmap**: 7 rows, Monday to Sunday, of 24 hourly counts of the users' messages, by
//!   local weekday and hour in the report zone. On the day clocks go forward the skipped
//!   hour stays empty; on the day they go back the repeated hour counts both passes.

use super::Carry;
use super::FoldCtx;
use super::day_store::{Contribution, Emit};
use crate::model::Direction;
use crate::store::{MsgRec, PhoneIx, UserRec};
use smallvec::SmallVec;

/// Whether a business message counts as delivered in engagement (and authorship).
pub(crate) fn counts_as_delivered(m: &MsgRec) -> bool {
    m.dir == Direction::Outbound && m.status.delivered_at().is_some()
}

/// Fold one user's timeline into activity contributions: active days, first messages,
/// received messages by hour, business messages sent and delivered.
pub(crate) fn fold<'a>(
    cx: &FoldCtx<'a>,
    user: &'a UserRec,
    carry: Option<&Carry>,
    out: &mut Vec<Contribution<'a>>,
) {
    // Numbers written to in expired history are not new again (see `crate::expiry`).
    let mut seen_phones: SmallVec<[PhoneIx; 2]> =
        carry.map(|c| c.phones.clone()).unwrap_or_default();
    let mut seen_any = !seen_phones.is_empty();
    let mut last_active: Option<(PhoneIx, i32)> = None;
    for &ix in &user.timeline {
        let m = &cx.store.msgs[ix as usize];
        match m.dir {
            Direction::Inbound => {
                let Some(d) = m.inbound.as_deref() else {
                    continue;
                };
                if !d.ty.is_user_message() {
                    continue;
                }
                let (day, hour) = cx.day_hour(m.ts);
                let phone = m.phone;
                if !seen_any {
                    seen_any = true;
                    out.push(Contribution {
                        phone,
                        day,
                        emit: Emit::FirstEver,
                    });
                }
                if !seen_phones.contains(&phone) {
                    seen_phones.push(phone);
                    out.push(Contribution {
                        phone,
                        day,
                        emit: Emit::NewOnPhone,
                    });
                }
                if last_active != Some((phone, day)) {
                    last_active = Some((phone, day));
                    out.push(Contribution {
                        phone,
                        day,
                        emit: Emit::Active,
                    });
                }
                out.push(Contribution {
                    phone,
                    day,
                    emit: Emit::Received { hour },
                });
            }
            Direction::Outbound => out.push(Contribution {
                phone: m.phone,
                day: cx.day(m.ts),
                emit: Emit::Sent {
                    delivered: counts_as_delivered(m),
                },
            }),
        }
    }
}
