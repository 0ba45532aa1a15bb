//! The board link's framing (documented in `docs/board-link.md`): pure encode and decode.
//!
//! Host -> board, one frame per sample:
//! `0xA5 | kind 0x01 | n_events (u16) | n_events x (neuron u16, step u16) | crc16`.
//! Board -> host, one frame per request:
//! `0x5A | status | class (u16, 0xFFFF = none) | n_layers (u8) | n_layers x spikes (u16) |
//! cycles (u32) | crc16`.
//! Every multi-byte field is big-endian. The checksum is CRC-16/CCITT-FALSE (polynomial 0x1021, initial
//! value 0xFFFF, no reflection, no final XOR) over every byte after the sync byte up to the checksum;
//! a CRC detects every error burst of at most 16 bits, so every single-byte corruption (a Fletcher-16
//! cannot tell 0x00 from 0xFF). Invariants: [`encode_request`] accepts only events the board accepts
//! (ascending steps, fields that fit in 16 bits); [`decode_reply`] returns a reply only when its sync,
//! length, layer count and checksum are right.

use crate::error::ProtocolError;

/// First byte of a request.
pub const REQUEST_SYNC: u8 = 0xA5;
/// First byte of a reply.
pub const REPLY_SYNC: u8 = 0x5A;
/// The one request kind: a sample's input events.
pub const KIND_SAMPLE: u8 = 0x01;
/// The `class` field of a reply when no output neuron fired (or on an error).
pub const NO_CLASS: u16 = 0xFFFF;
/// Bytes of a request other than its events: sync, kind, count (2), checksum (2).
pub const REQUEST_OVERHEAD: usize = 6;
/// Bytes per event in a request.
pub const EVENT_BYTES: usize = 4;

/// What the board says about a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// The sample ran; class, spikes and cycles are valid.
    Ok,
    /// The request's checksum did not match (the events were discarded).
    BadChecksum,
    /// More events than the design has inputs (answered right after the count; the board then
    /// hunts for the next sync byte), or the core's event buffer was full.
    TooManyEvents,
    /// An event's step is below the previous event's step.
    StepOrder,
    /// An event's neuron is not an input of the design, or its step is above `n_in_steps`.
    OutOfRange,
    /// The kind byte is not [`KIND_SAMPLE`].
    UnknownKind,
    /// The core (`ttfs_top`) raised its protocol status `err` at `done`: the events it was fed
    /// broke its step order (the frame parser forwards only ordered events, so this is a fault).
    CoreProtocol,
}

impl Status {
    pub fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::BadChecksum => 1,
            Status::TooManyEvents => 2,
            Status::StepOrder => 3,
            Status::OutOfRange => 4,
            Status::UnknownKind => 5,
            Status::CoreProtocol => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<Status> {
        Some(match code {
            0 => Status::Ok,
            1 => Status::BadChecksum,
            2 => Status::TooManyEvents,
            3 => Status::StepOrder,
            4 => Status::OutOfRange,
            5 => Status::UnknownKind,
            6 => Status::CoreProtocol,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::BadChecksum => "bad checksum",
            Status::TooManyEvents => "too many events",
            Status::StepOrder => "events out of step order",
            Status::OutOfRange => "event out of range",
            Status::UnknownKind => "unknown frame kind",
            Status::CoreProtocol => "the core reported a protocol violation (err)",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// One reply frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: Status,
    /// The decision (`None` = no output neuron fired, and on every error).
    pub class: Option<u16>,
    /// Spikes per layer, layer 1 first (zeros on an error).
    pub spikes: Vec<u16>,
    /// Cycles from the cycle that samples `start` to the one that samples `done` (0 on an error).
    pub cycles: u32,
}

impl Reply {
    /// The reply the board sends for an error.
    pub fn error(status: Status, n_layers: usize) -> Reply {
        Reply {
            status,
            class: None,
            spikes: vec![0; n_layers],
            cycles: 0,
        }
    }
}

/// CRC-16/CCITT-FALSE of `bytes` starting from `crc` (start with 0xFFFF). Bitwise: 16 bits of state
/// and no table, like the hardware's byte-at-a-time function; the few frames per second here do not
/// need a table (so no crate either).
pub fn crc16_update(mut crc: u16, bytes: &[u8]) -> u16 {
    for &b in bytes {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// CRC-16/CCITT-FALSE of `bytes`.
pub fn crc16(bytes: &[u8]) -> u16 {
    crc16_update(0xFFFF, bytes)
}

/// Request length for `n_events` events.
pub fn request_len(n_events: usize) -> usize {
    REQUEST_OVERHEAD + EVENT_BYTES * n_events
}

/// Reply length for a design of `n_layers` layers.
pub fn reply_len(n_layers: usize) -> usize {
    // sync, status, class (2), n_layers, spikes (2 each), cycles (4), crc (2)
    11 + 2 * n_layers
}

/// Encodes one sample's input events `(neuron, step)`, which must be in ascending step order.
pub fn encode_request(events: &[(u32, u32)]) -> Result<Vec<u8>, ProtocolError> {
    let n = u16::try_from(events.len()).map_err(|_| ProtocolError::Field {
        field: "n_events",
        value: events.len() as u64,
        max: u16::MAX as u64,
    })?;
    let mut out = Vec::with_capacity(request_len(events.len()));
    out.push(REQUEST_SYNC);
    out.push(KIND_SAMPLE);
    out.extend_from_slice(&n.to_be_bytes());
    let mut last = 0u32;
    for (i, &(neuron, step)) in events.iter().enumerate() {
        if step < last {
            return Err(ProtocolError::StepOrder {
                index: i,
                step,
                previous: last,
            });
        }
        last = step;
        for (field, v) in [("neuron", neuron), ("step", step)] {
            let v = u16::try_from(v).map_err(|_| ProtocolError::Field {
                field,
                value: v as u64,
                max: u16::MAX as u64,
            })?;
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    let crc = crc16(&out[1..]);
    out.extend_from_slice(&crc.to_be_bytes());
    Ok(out)
}

/// Decodes a whole request frame (what the board's parser checks, in software: the tests' model).
pub fn decode_request(frame: &[u8]) -> Result<Vec<(u16, u16)>, ProtocolError> {
    check_frame(frame, REQUEST_SYNC, "request")?;
    if frame[1] != KIND_SAMPLE {
        return Err(ProtocolError::Kind(frame[1]));
    }
    let n = u16::from_be_bytes([frame[2], frame[3]]) as usize;
    if frame.len() != request_len(n) {
        return Err(ProtocolError::Length {
            what: "request",
            got: frame.len(),
            expected: request_len(n),
        });
    }
    Ok(frame[4..4 + EVENT_BYTES * n]
        .chunks_exact(EVENT_BYTES)
        .map(|c| {
            (
                u16::from_be_bytes([c[0], c[1]]),
                u16::from_be_bytes([c[2], c[3]]),
            )
        })
        .collect())
}

/// Encodes a reply (what the board sends; the tests' model of the hardware).
pub fn encode_reply(reply: &Reply) -> Vec<u8> {
    let mut out = Vec::with_capacity(reply_len(reply.spikes.len()));
    out.push(REPLY_SYNC);
    out.push(reply.status.code());
    out.extend_from_slice(&reply.class.unwrap_or(NO_CLASS).to_be_bytes());
    out.push(reply.spikes.len() as u8);
    for s in &reply.spikes {
        out.extend_from_slice(&s.to_be_bytes());
    }
    out.extend_from_slice(&reply.cycles.to_be_bytes());
    let crc = crc16(&out[1..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// Decodes one reply frame of a design with `n_layers` layers.
pub fn decode_reply(frame: &[u8], n_layers: usize) -> Result<Reply, ProtocolError> {
    if frame.len() != reply_len(n_layers) {
        return Err(ProtocolError::Length {
            what: "reply",
            got: frame.len(),
            expected: reply_len(n_layers),
        });
    }
    check_frame(frame, REPLY_SYNC, "reply")?;
    let status = Status::from_code(frame[1]).ok_or(ProtocolError::Status(frame[1]))?;
    if frame[4] as usize != n_layers {
        return Err(ProtocolError::Layers {
            got: frame[4] as usize,
            expected: n_layers,
        });
    }
    let class = u16::from_be_bytes([frame[2], frame[3]]);
    let spikes = frame[5..5 + 2 * n_layers]
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let c = 5 + 2 * n_layers;
    let cycles = u32::from_be_bytes([frame[c], frame[c + 1], frame[c + 2], frame[c + 3]]);
    Ok(Reply {
        status,
        class: (class != NO_CLASS).then_some(class),
        spikes,
        cycles,
    })
}

/// Sync byte, minimum length and checksum of a frame.
fn check_frame(frame: &[u8], sync: u8, what: &'static str) -> Result<(), ProtocolError> {
    if frame.len() < REQUEST_OVERHEAD {
        return Err(ProtocolError::Length {
            what,
            got: frame.len(),
            expected: REQUEST_OVERHEAD,
        });
    }
    if frame[0] != sync {
        return Err(ProtocolError::Sync {
            got: frame[0],
            expected: sync,
        });
    }
    let (body, tail) = frame.split_at(frame.len() - 2);
    let got = u16::from_be_bytes([tail[0], tail[1]]);
    let expected = crc16(&body[1..]);
    if got != expected {
        return Err(ProtocolError::Checksum { got, expected });
    }
    Ok(())
}

/// Finds reply frames in a byte stream that may contain garbage: bytes before a sync byte are
/// skipped; a candidate that fails its checksum or layer count gives up only its sync byte, so a
/// real frame that starts inside it is still found.
#[derive(Clone, Debug)]
pub struct ReplyScanner {
    n_layers: usize,
    buf: Vec<u8>,
    /// Bytes thrown away while hunting for a frame.
    pub skipped: u64,
}

impl ReplyScanner {
    pub fn new(n_layers: usize) -> ReplyScanner {
        ReplyScanner {
            n_layers,
            buf: Vec::new(),
            skipped: 0,
        }
    }

    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete valid reply, if the bytes so far hold one.
    pub fn next_reply(&mut self) -> Option<Reply> {
        let len = reply_len(self.n_layers);
        loop {
            let start = match self.buf.iter().position(|&b| b == REPLY_SYNC) {
                Some(p) => p,
                None => {
                    self.skipped += self.buf.len() as u64;
                    self.buf.clear();
                    return None;
                }
            };
            self.skipped += start as u64;
            self.buf.drain(..start);
            if self.buf.len() < len {
                return None;
            }
            match decode_reply(&self.buf[..len], self.n_layers) {
                Ok(r) => {
                    self.buf.drain(..len);
                    return Some(r);
                }
                Err(_) => {
                    self.skipped += 1;
                    self.buf.drain(..1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc_is_ccitt_false() {
        // The catalogue's check value of CRC-16/CCITT-FALSE (a.k.a. CRC-16/IBM-3740).
        assert_eq!(crc16(b"123456789"), 0x29B1);
        assert_eq!(crc16(b""), 0xFFFF);
    }

    #[test]
    fn request_layout_is_as_documented() {
        let f = encode_request(&[(3, 0), (258, 2)]).unwrap();
        assert_eq!(&f[..12], &[0xA5, 0x01, 0, 2, 0, 3, 0, 0, 1, 2, 0, 2]);
        assert_eq!(f.len(), request_len(2));
        let crc = crc16(&f[1..12]);
        assert_eq!(&f[12..], &crc.to_be_bytes());
        // the residue property the hardware checks: CRC over body + checksum is 0
        assert_eq!(crc16(&f[1..]), 0);
    }

    #[test]
    fn reply_layout_is_as_documented() {
        let r = Reply {
            status: Status::Ok,
            class: Some(7),
            spikes: vec![300, 2],
            cycles: 0x0102_0304,
        };
        let f = encode_reply(&r);
        assert_eq!(&f[..13], &[0x5A, 0, 0, 7, 2, 1, 44, 0, 2, 1, 2, 3, 4]);
        assert_eq!(f.len(), reply_len(2));
        assert_eq!(decode_reply(&f, 2).unwrap(), r);
        assert!(matches!(
            decode_reply(&f, 3),
            Err(ProtocolError::Length { .. })
        ));
    }

    #[test]
    fn request_checks_order_and_widths() {
        assert!(matches!(
            encode_request(&[(0, 3), (1, 2)]),
            Err(ProtocolError::StepOrder { index: 1, .. })
        ));
        assert!(matches!(
            encode_request(&[(70_000, 0)]),
            Err(ProtocolError::Field {
                field: "neuron",
                ..
            })
        ));
        assert!(matches!(
            encode_request(&[(0, 70_000)]),
            Err(ProtocolError::Field { field: "step", .. })
        ));
    }

    #[test]
    fn scanner_skips_garbage_and_broken_frames() {
        let a = encode_reply(&Reply {
            status: Status::Ok,
            class: None,
            spikes: vec![1],
            cycles: 9,
        });
        let b = encode_reply(&Reply::error(Status::BadChecksum, 1));
        let mut broken = a.clone();
        broken[3] ^= 0x10;
        let mut s = ReplyScanner::new(1);
        s.push(&[0x00, 0x5A, 0x13]);
        s.push(&broken);
        s.push(&a[..5]);
        assert_eq!(s.next_reply(), None);
        s.push(&a[5..]);
        s.push(&b);
        assert_eq!(s.next_reply().unwrap().cycles, 9);
        assert_eq!(s.next_reply().unwrap().status, Status::BadChecksum);
        assert_eq!(s.next_reply(), None);
        assert!(s.skipped >= 3 + broken.len() as u64 - 1);
    }

    fn events() -> impl Strategy<Value = Vec<(u32, u32)>> {
        proptest::collection::vec((0u32..65536, 0u32..65536), 0..40).prop_map(|mut v| {
            v.sort_by_key(|&(n, s)| (s, n));
            v
        })
    }

    fn replies() -> impl Strategy<Value = Reply> {
        (
            0u8..6,
            proptest::option::of(0u16..0xFFFF),
            proptest::collection::vec(any::<u16>(), 1..6),
            any::<u32>(),
        )
            .prop_map(|(s, class, spikes, cycles)| Reply {
                status: Status::from_code(s).unwrap(),
                class,
                spikes,
                cycles,
            })
    }

    proptest! {
        #[test]
        fn request_round_trips(ev in events()) {
            let f = encode_request(&ev).unwrap();
            let back: Vec<(u32, u32)> = decode_request(&f)
                .unwrap()
                .into_iter()
                .map(|(n, s)| (n as u32, s as u32))
                .collect();
            prop_assert_eq!(back, ev);
        }

        #[test]
        fn reply_round_trips(r in replies()) {
            let f = encode_reply(&r);
            prop_assert_eq!(decode_reply(&f, r.spikes.len()).unwrap(), r);
        }

        #[test]
        fn any_single_byte_corruption_of_a_request_is_detected(
            ev in events(), pos in any::<prop::sample::Index>(), flip in 1u8..=255
        ) {
            let mut f = encode_request(&ev).unwrap();
            let i = pos.index(f.len());
            f[i] ^= flip;
            // the hardware's check: the residue over everything after the sync byte is 0
            prop_assert!(i == 0 || crc16(&f[1..]) != 0);
            prop_assert!(decode_request(&f).is_err());
        }

        #[test]
        fn any_single_byte_corruption_of_a_reply_is_detected(
            r in replies(), pos in any::<prop::sample::Index>(), flip in 1u8..=255
        ) {
            let mut f = encode_reply(&r);
            let i = pos.index(f.len());
            f[i] ^= flip;
            prop_assert!(decode_reply(&f, r.spikes.len()).is_err());
        }
    }
}
