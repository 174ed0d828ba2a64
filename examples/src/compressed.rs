//! Compressed input for the `report` program: gzip and Zstandard, recognised by their
//! magic bytes whatever the file is called (Firehose and S3 exports arrive as `.gz` files,
//! archives as `.zst`, and neither always keeps its extension).
//!
//! - gzip (`1f 8b`): every member of a multi-member file is read, as `gzip -d` does
//!   (concatenated `.gz` files, and Firehose's per-record members).
//! - Zstandard (`28 b5 2f fd`): every frame of a multi-frame file is read, as `zstd -d`
//!   does; skippable frames are skipped.
//! - Anything else is read as it is.
//!
//! A damaged or truncated stream is an error that names the format and how many
//! compressed bytes were read before it, so the user can tell where the file breaks. The
//! lines decoded before the damage have already been handed on (the engine keeps them).
//!
//! Decoders are pure Rust: flate2 (its default zlib-rs backend) and ruzstd (the Zstandard
//! decoder the Rust standard library's own `object` dependency chain uses), so the build
//! needs no C toolchain.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The compression of an input, as its first bytes say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed (or not a format we know): read as it is.
    None,
    /// gzip, RFC 1952.
    Gzip,
    /// Zstandard, RFC 8878.
    Zstd,
}

impl Compression {
    /// What the first bytes of an input say (fewer than four bytes: not compressed).
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// A reader of `input`'s decompressed bytes, and the compression it found.
///
/// # Errors
/// Reading the first bytes failed, or the first Zstandard frame header is damaged.
pub fn decompress<'a, R: Read + 'a>(mut input: R) -> io::Result<(Compression, Box<dyn Read + 'a>)> {
    // The magic: up to four bytes (a pipe may deliver them one read at a time).
    let mut head = Vec::with_capacity(4);
    while head.len() < 4 {
        let mut b = [0u8; 4];
        let k = input.read(&mut b[..4 - head.len()])?;
        if k == 0 {
            break;
        }
        head.extend_from_slice(&b[..k]);
    }
    let kind = Compression::sniff(&head);
    let read = Arc::new(AtomicU64::new(0));
    let counted = Counted {
        inner: io::Cursor::new(head).chain(input),
        n: read.clone(),
    };
    let r = BufReader::with_capacity(1 << 16, counted);
    let decoded: Box<dyn Read + 'a> = match kind {
        Compression::None => return Ok((kind, Box::new(r))),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(r)),
        Compression::Zstd => Box::new(ZstdFrames::new(r).map_err(|e| damaged(kind, 0, &e))?),
    };
    Ok((
        kind,
        Box::new(Damage {
            inner: decoded,
            kind,
            read,
        }),
    ))
}

/// The input with a count of the (compressed) bytes read from it.
struct Counted<R> {
    inner: R,
    n: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

fn damaged(kind: Compression, at: u64, e: &dyn std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "damaged or truncated {} stream near compressed byte {at}: {e}",
            kind.name()
        ),
    )
}

/// Decoded bytes, with decoder errors named (format, compressed position).
struct Damage<'a> {
    inner: Box<dyn Read + 'a>,
    kind: Compression,
    read: Arc<AtomicU64>,
}

impl Read for Damage<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| damaged(self.kind, self.read.load(Ordering::Relaxed), &e))
    }
}

/// Every Zstandard frame of the input in turn (skippable frames skipped).
struct ZstdFrames<R: BufRead> {
    src: R,
    frame: ruzstd::decoding::FrameDecoder,
    /// The last frame ended and the input with it.
    done: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(src: R) -> io::Result<Self> {
        let mut z = ZstdFrames {
            src,
            frame: ruzstd::decoding::FrameDecoder::new(),
            done: false,
        };
        z.next_frame()?;
        Ok(z)
    }

    /// Read the next data frame's header, past any skippable frames.
    fn next_frame(&mut self) -> io::Result<()> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        loop {
            match self.frame.reset(&mut self.src) {
                Ok(()) => return Ok(()),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let want = u64::from(length);
                    let skipped = io::copy(&mut (&mut self.src).take(want), &mut io::sink())?;
                    if skipped < want {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the input ends inside a skippable frame",
                        ));
                    }
                    if self.src.fill_buf()?.is_empty() {
                        self.done = true;
                        return Ok(());
                    }
                }
                Err(e) => return Err(io::Error::other(e)),
            }
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::BlockDecodingStrategy;
        while !self.done && !buf.is_empty() {
            let f = &mut self.frame;
            // As ruzstd's StreamingDecoder: decode blocks until enough bytes can be
            // collected or the frame ends.
            while f.can_collect() < buf.len() && !f.is_finished() {
                let need = buf.len() - f.can_collect();
                f.decode_blocks(&mut self.src, BlockDecodingStrategy::UptoBytes(need))
                    .map_err(io::Error::other)?;
            }
            let k = f.read(buf)?;
            if k > 0 {
                return Ok(k);
            }
            // This frame is done: another one follows, or the input ends here.
            if self.src.fill_buf()?.is_empty() {
                self.done = true;
            } else {
                self.next_frame()?;
            }
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &[u8] = include_bytes!("../data/sources-demo.jsonl");

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zstd(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    fn all(input: &[u8]) -> (Compression, io::Result<Vec<u8>>) {
        let (kind, mut r) = decompress(input).unwrap();
        let mut out = Vec::new();
        let res = r.read_to_end(&mut out).map(|_| out);
        (kind, res)
    }

    #[test]
    fn plain_gzip_and_zstd_read_the_same_bytes() {
        assert_eq!(all(TEXT).0, Compression::None);
        assert_eq!(all(TEXT).1.unwrap(), TEXT);
        let (k, out) = all(&gzip(TEXT));
        assert_eq!((k, out.unwrap().as_slice()), (Compression::Gzip, TEXT));
        let (k, out) = all(&zstd(TEXT));
        assert_eq!((k, out.unwrap().as_slice()), (Compression::Zstd, TEXT));
    }

    #[test]
    fn every_member_and_frame_is_read() {
        let (a, b) = TEXT.split_at(TEXT.len() / 3);
        let two = [gzip(a), gzip(b)].concat();
        assert_eq!(all(&two).1.unwrap(), TEXT);
        // A skippable frame (magic 0x184D2A50, 3 bytes) between two data frames.
        let skip = [
            &0x184D_2A50u32.to_le_bytes()[..],
            &3u32.to_le_bytes(),
            b"abc",
        ]
        .concat();
        let three = [zstd(a), skip, zstd(b)].concat();
        assert_eq!(all(&three).1.unwrap(), TEXT);
    }

    #[test]
    fn short_and_empty_inputs_are_plain() {
        assert_eq!(all(b"").1.unwrap(), b"");
        assert_eq!(all(b"{}").1.unwrap(), b"{}");
        // The gzip magic alone is a (truncated) gzip stream.
        let (k, out) = all(&[0x1f, 0x8b]);
        assert_eq!(k, Compression::Gzip);
        assert!(out.is_err());
    }

    #[test]
    fn truncated_streams_are_errors_that_say_where() {
        for (kind, bytes) in [("gzip", gzip(TEXT)), ("zstd", zstd(TEXT))] {
            let cut = &bytes[..bytes.len() / 2];
            let (_, out) = all(cut);
            let e = out.unwrap_err().to_string();
            assert!(
                e.starts_with(&format!(
                    "damaged or truncated {kind} stream near compressed byte "
                )),
                "{e}"
            );
            // The position is within the bytes given.
            let at: u64 = e
                .split("compressed byte ")
                .nth(1)
                .and_then(|s| s.split(':').next())
                .and_then(|s| s.parse().ok())
                .unwrap();
            assert!(at <= cut.len() as u64, "{at} > {}", cut.len());
        }
    }

    /// A reader that hands out one byte per read, as a slow pipe may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn the_magic_is_found_when_it_arrives_a_byte_at_a_time() {
        let z = gzip(TEXT);
        let (kind, mut r) = decompress(Trickle(&z)).unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!((kind, out.as_slice()), (Compression::Gzip, TEXT));
    }
}
