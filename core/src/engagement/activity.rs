#![doc = include_str!("../guide/engagement/activity.md")]

use super::Carry;
use super::FoldCtx;
use super::day_store::{Contribution, Emit};
use crate::model::Direction;
use crate::store::{MsgRec, PhoneIx, UserRec};
use smallvec::SmallVec;

/// Whether a business message counts as delivered in engagement (and authorship).
pub(crate) fn counts_as_delivered(m: &MsgRec) -> bool {
    m.dir == Direction::Outbound && m.status().delivered_at().is_some()
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
