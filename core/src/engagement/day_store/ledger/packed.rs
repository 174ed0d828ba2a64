//! A user's held contributions packed into bytes (issue 17: the ledger held 32 bytes per
//! contribution plus a boxed funnel; packed, a typical contribution takes 3–5 bytes).
//!
//! The list is sorted (see `counted`), so each entry is written relative to the one
//! before: the number's difference (varint), the day's difference (zigzag varint), a
//! header byte (the variant in the low 4 bits, its flags in bits 4–6, bit 7 set when the
//! count `times` is not 1 and follows as a varint), then the variant's payload. Unpacking
//! gives back the same list; the ledger is never serialized, so the format can change
//! freely.

use super::{Held, HeldEmit, HeldFunnel};
use crate::engagement::funnel::{category_at, category_bit};
use crate::model::AuthorKind;
use crate::util::varint::{self, push, unzigzag, zigzag};

/// Author kinds by code (see [`author_code`]).
const AUTHORS: [AuthorKind; 6] = [
    AuthorKind::Automation,
    AuthorKind::Agent,
    AuthorKind::Reminder,
    AuthorKind::Api,
    AuthorKind::Campaign,
    AuthorKind::Unknown,
];

/// The code of `k`: its position in [`AUTHORS`].
fn author_code(k: AuthorKind) -> u8 {
    AUTHORS
        .iter()
        .position(|&a| a == k)
        .unwrap_or(AUTHORS.len() - 1) as u8
}

fn author_at(code: u8) -> AuthorKind {
    AUTHORS
        .get(usize::from(code))
        .copied()
        .unwrap_or(AuthorKind::Unknown)
}

const TIMES: u8 = 0x80;

/// `held` (sorted) packed.
pub(super) fn pack(held: &[Held]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(held.len() * 4);
    let (mut phone, mut day) = (0u32, 0i32);
    for h in held {
        push(&mut out, u64::from(h.phone.wrapping_sub(phone)));
        push(&mut out, zigzag(i64::from(h.day) - i64::from(day)));
        (phone, day) = (h.phone, h.day);
        let (variant, flags) = header(&h.emit);
        let more = if h.times == 1 { 0 } else { TIMES };
        out.push(variant | flags << 4 | more);
        if more != 0 {
            push(&mut out, u64::from(h.times));
        }
        payload(&mut out, &h.emit);
    }
    // A fresh allocation of exactly the packed size: shrinking `out` in place would leave
    // a small free fragment beside every user's list.
    Box::from(out.as_slice())
}

/// The variant number and flags of `e`.
fn header(e: &HeldEmit) -> (u8, u8) {
    match e {
        HeldEmit::Active => (0, 0),
        HeldEmit::NewOnPhone => (1, 0),
        HeldEmit::FirstEver => (2, 0),
        HeldEmit::Received { .. } => (3, 0),
        HeldEmit::Sent { delivered } => (4, u8::from(*delivered)),
        HeldEmit::Authored { kind, .. } => (5, author_code(*kind)),
        HeldEmit::Opened { reopen, manual } => (6, u8::from(*reopen) | u8::from(*manual) << 1),
        HeldEmit::Closed => (7, 0),
        HeldEmit::Response { kind, .. } => (8, author_code(*kind)),
        HeldEmit::Funnel(_) => (9, 0),
    }
}

/// What follows the header of `e`.
fn payload(out: &mut Vec<u8>, e: &HeldEmit) {
    match e {
        HeldEmit::Received { hour } => out.push(*hour),
        HeldEmit::Authored { id, .. } => push(out, opt(*id)),
        HeldEmit::Response { secs, .. } => push(out, u64::from(*secs)),
        HeldEmit::Funnel(f) => {
            push(out, opt(f.template));
            push(out, opt(f.campaign));
            out.push(category_bit(f.category).trailing_zeros() as u8);
            let failed = f.failed.map_or(0, |c| 1 | u8::from(c.is_some()) << 1);
            let flags = u8::from(f.delivered) | u8::from(f.read) << 1 | u8::from(f.replied) << 2;
            out.push(flags | failed << 3);
            if let Some(Some(code)) = f.failed {
                push(out, zigzag(code));
            }
            push(out, f.buttons.len() as u64);
            for (text, kind, clicks, url) in &f.buttons {
                push(out, u64::from(*text));
                out.push(*kind);
                push(out, *clicks);
                push(out, *url);
            }
        }
        _ => {}
    }
}

/// The list `pack` packed into `bytes`.
pub(super) fn unpack(bytes: &[u8]) -> Vec<Held> {
    let mut r = Reader(bytes);
    let mut out = Vec::new();
    let (mut phone, mut day) = (0u32, 0i32);
    while !r.0.is_empty() {
        phone = phone.wrapping_add(r.varint() as u32);
        day = (i64::from(day) + unzigzag(r.varint())) as i32;
        let head = r.byte();
        let times = if head & TIMES != 0 {
            r.varint() as u32
        } else {
            1
        };
        let emit = r.emit(head & 0x0f, head >> 4 & 0x07);
        out.push(Held {
            phone,
            day,
            emit,
            times,
        });
    }
    out
}

/// Bytes being unpacked (reads past the end give zeros: never reached for bytes `pack`
/// wrote).
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }

    fn varint(&mut self) -> u64 {
        varint::read(&mut self.0)
    }

    fn opt(&mut self) -> Option<u32> {
        self.varint().checked_sub(1).map(|v| v as u32)
    }

    fn emit(&mut self, variant: u8, flags: u8) -> HeldEmit {
        match variant {
            0 => HeldEmit::Active,
            1 => HeldEmit::NewOnPhone,
            2 => HeldEmit::FirstEver,
            3 => HeldEmit::Received { hour: self.byte() },
            4 => HeldEmit::Sent {
                delivered: flags & 1 != 0,
            },
            5 => HeldEmit::Authored {
                kind: author_at(flags),
                id: self.opt(),
            },
            6 => HeldEmit::Opened {
                reopen: flags & 1 != 0,
                manual: flags & 2 != 0,
            },
            7 => HeldEmit::Closed,
            8 => HeldEmit::Response {
                kind: author_at(flags),
                secs: self.varint() as u32,
            },
            _ => HeldEmit::Funnel(Box::new(self.funnel())),
        }
    }

    fn funnel(&mut self) -> HeldFunnel {
        let template = self.opt();
        let campaign = self.opt();
        let category = category_at(u32::from(self.byte()));
        let flags = self.byte();
        let failed = (flags & 8 != 0).then(|| (flags & 16 != 0).then(|| unzigzag(self.varint())));
        let buttons = (0..self.varint())
            .map(|_| {
                let text = self.varint() as u32;
                let kind = self.byte();
                (text, kind, self.varint(), self.varint())
            })
            .collect();
        HeldFunnel {
            template,
            campaign,
            category,
            delivered: flags & 1 != 0,
            read: flags & 2 != 0,
            replied: flags & 4 != 0,
            failed,
            buttons,
        }
    }
}

fn opt(v: Option<u32>) -> u64 {
    v.map_or(0, |v| u64::from(v) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Category;
    use proptest::prelude::*;

    #[test]
    fn author_codes_index_their_table() {
        for (i, k) in AUTHORS.iter().enumerate() {
            assert_eq!(usize::from(author_code(*k)), i);
            assert_eq!(author_at(i as u8), *k);
        }
    }

    #[test]
    fn entries_are_written_relative_to_the_one_before() {
        let day = 739_000;
        let held = [
            Held {
                phone: 0,
                day,
                emit: HeldEmit::Active,
                times: 1,
            },
            Held {
                phone: 0,
                day,
                emit: HeldEmit::Received { hour: 9 },
                times: 2,
            },
        ];
        let bytes = pack(&held);
        // First: number 0 (1 byte), day 739000 zigzagged to 1478000 < 2^21 (3 varint
        // bytes), header 0 (Active, count 1): 5 bytes. Second: number and day unchanged
        // (0, 0), header 3 | 0x80 (Received, count follows), count 2, hour 9: 5 bytes.
        assert_eq!(bytes.len(), 10);
        assert_eq!(&bytes[5..], &[0, 0, 0x83, 2, 9]);
        assert_eq!(unpack(&bytes), held.to_vec());
    }

    fn kind() -> impl Strategy<Value = AuthorKind> {
        (0u8..6).prop_map(author_at)
    }

    fn funnel() -> impl Strategy<Value = HeldFunnel> {
        let button = (any::<u32>(), 0u8..3, any::<u64>(), any::<u64>());
        (
            (any::<Option<u32>>(), any::<Option<u32>>(), 0u32..9),
            (any::<[bool; 3]>(), any::<Option<Option<i64>>>()),
            proptest::collection::vec(button, 0..3),
        )
            .prop_map(|((t, c, cat), ([d, r, rep], failed), b)| HeldFunnel {
                template: t,
                campaign: c,
                category: category_at(cat),
                delivered: d,
                read: r,
                replied: rep,
                failed,
                buttons: b.into_boxed_slice(),
            })
    }

    fn emit() -> impl Strategy<Value = HeldEmit> {
        prop_oneof![
            Just(HeldEmit::Active),
            Just(HeldEmit::NewOnPhone),
            Just(HeldEmit::FirstEver),
            any::<u8>().prop_map(|hour| HeldEmit::Received { hour }),
            any::<bool>().prop_map(|delivered| HeldEmit::Sent { delivered }),
            (kind(), any::<Option<u32>>()).prop_map(|(kind, id)| HeldEmit::Authored { kind, id }),
            any::<(bool, bool)>().prop_map(|(reopen, manual)| HeldEmit::Opened { reopen, manual }),
            Just(HeldEmit::Closed),
            (kind(), any::<u32>()).prop_map(|(kind, secs)| HeldEmit::Response { kind, secs }),
            funnel().prop_map(|f| HeldEmit::Funnel(Box::new(f))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::tests::cases::cases(256)))]
        /// Any list of held contributions, sorted or not, with any numbers, days, counts
        /// and payloads, unpacks to itself.
        #[test]
        fn unpack_inverts_pack(
            held in proptest::collection::vec(
                (any::<u32>(), any::<i32>(), emit(), any::<u32>()),
                0..12,
            )
        ) {
            let held: Vec<Held> = held
                .into_iter()
                .map(|(phone, day, emit, times)| Held { phone, day, emit, times })
                .collect();
            prop_assert_eq!(unpack(&pack(&held)), held);
        }
    }

    #[test]
    fn every_category_has_a_code() {
        // The nine categories have bits 0..8, and a bit's category has that bit.
        for i in 0..9 {
            assert_eq!(category_bit(category_at(i)).trailing_zeros(), i);
        }
        assert_eq!(category_at(9), Category::Other);
        let c = Category::BusinessAgent;
        assert_eq!(category_at(category_bit(c).trailing_zeros()), c);
    }
}
