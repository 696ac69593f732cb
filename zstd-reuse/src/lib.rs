//! The part of the [`zstd`](https://docs.rs/zstd/0.14) crate's API that
//! Tantivy 0.27 uses (`bulk::compress_to_buffer`, `bulk::decompress_to_buffer`,
//! `DEFAULT_COMPRESSION_LEVEL`, `zstd_safe::compress_bound`), patched in for
//! the upstream crate.
//!
//! Upstream's `bulk` functions create a zstd context per call, and Tantivy
//! calls them once per 32 KB block of its document store. Creating a context
//! runs CPUID (a VM exit under virtualisation) and allocates about 100 KB, a
//! good part of a batch's cost when its hits touch most blocks of the store.
//! Here each thread keeps one compression and one decompression context and
//! reuses them. The bytes are the same as upstream's: compression still goes
//! through `ZSTD_compress2` with only the level set, and zstd's output does not
//! depend on what a context compressed before.

use std::cell::RefCell;
use std::io;

pub use zstd_safe;

/// Default compression level.
pub use zstd_safe::CLEVEL_DEFAULT as DEFAULT_COMPRESSION_LEVEL;

/// An error reported by the zstd library, carried by the `io::Error`s returned
/// here (as upstream's `zstd::Error`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error {
    code: zstd_safe::ErrorCode,
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Error")
            .field(&zstd_safe::get_error_name(self.code))
            .finish()
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(zstd_safe::get_error_name(self.code))
    }
}

impl std::error::Error for Error {}

fn map_error_code(code: zstd_safe::ErrorCode) -> io::Error {
    io::Error::other(Error { code })
}

/// Compress and decompress whole blocks, with this thread's reused contexts.
pub mod bulk {
    use super::*;

    thread_local! {
        static COMPRESSION: RefCell<zstd_safe::CCtx<'static>> = RefCell::new(zstd_safe::CCtx::create());
        static DECOMPRESSION: RefCell<zstd_safe::DCtx<'static>> = RefCell::new(zstd_safe::DCtx::create());
    }

    /// Compresses `source` into one zstd frame at the start of `destination`
    /// and returns its length, or an error (for instance if `destination` is
    /// smaller than [`zstd_safe::compress_bound`] may require).
    ///
    /// A level of `0` uses zstd's default (currently `3`).
    pub fn compress_to_buffer(
        source: &[u8],
        destination: &mut [u8],
        level: i32,
    ) -> io::Result<usize> {
        COMPRESSION.with_borrow_mut(|context| {
            context
                .set_parameter(zstd_safe::CParameter::CompressionLevel(level))
                .map_err(map_error_code)?;
            let result = context.compress2(destination, source);
            if result.is_err() {
                // A failed `ZSTD_compress2` leaves its frame open, and zstd
                // refuses parameter changes mid-frame: abandon it.
                let _ = context.reset(zstd_safe::ResetDirective::SessionOnly);
            }
            result.map_err(map_error_code)
        })
    }

    /// Decompresses the zstd frames of `source` into the start of
    /// `destination` and returns how many bytes they make, or an error (corrupt
    /// input, or a `destination` too small).
    ///
    /// Bytes of `destination` past the returned length may be overwritten.
    pub fn decompress_to_buffer(source: &[u8], destination: &mut [u8]) -> io::Result<usize> {
        DECOMPRESSION.with_borrow_mut(|context| {
            context
                .decompress(destination, source)
                .map_err(map_error_code)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::bulk::{compress_to_buffer, decompress_to_buffer};
    use super::*;

    /// Text-like bytes that compress, different for each `seed`.
    fn sample(seed: u64, len: usize) -> Vec<u8> {
        let words = [
            "trade", "deficit", "the ", "of ", "billion", "dlrs", "said", "Reuters", "in ",
        ];
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let mut out = Vec::with_capacity(len + 16);
        while out.len() < len {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            out.extend_from_slice(words[(state >> 33) as usize % words.len()].as_bytes());
            out.push(b' ' + (state >> 60) as u8);
        }
        out.truncate(len);
        out
    }

    fn compress(data: &[u8], level: i32) -> Vec<u8> {
        let mut out = vec![0; zstd_safe::compress_bound(data.len())];
        let n = compress_to_buffer(data, &mut out, level).unwrap();
        out.truncate(n);
        out
    }

    fn decompress(frame: &[u8], len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        let n = decompress_to_buffer(frame, &mut out).unwrap();
        out.truncate(n);
        out
    }

    /// What a fresh context gives: zstd's one-shot `ZSTD_compress`.
    fn one_shot(data: &[u8], level: i32) -> Vec<u8> {
        let mut out = vec![0; zstd_safe::compress_bound(data.len())];
        let n = zstd_safe::compress(&mut out[..], data, level).unwrap();
        out.truncate(n);
        out
    }

    #[test]
    fn round_trip() {
        for len in [0, 1, 100, 32 * 1024, 200_000] {
            let data = sample(len as u64, len);
            let frame = compress(&data, DEFAULT_COMPRESSION_LEVEL);
            assert_eq!(decompress(&frame, len), data);
        }
    }

    #[test]
    fn reused_context_gives_the_bytes_of_a_fresh_one_at_each_level() {
        // One thread, so one context, taken through levels up and down and
        // through blocks of different sizes.
        for round in 0..3u64 {
            for level in [1i32, 3, 9, 1, 19, -5, 0, 2] {
                let seed = round * 31 + level.unsigned_abs() as u64;
                let data = sample(seed, 20_000 + 7_000 * round as usize);
                let frame = compress(&data, level);
                assert_eq!(frame, one_shot(&data, level), "level {level}");
                assert_eq!(decompress(&frame, data.len()), data);
            }
        }
    }

    #[test]
    fn threads_each_have_their_own_contexts() {
        let threads: Vec<_> = (0..8u64)
            .map(|t| {
                std::thread::spawn(move || {
                    for i in 0..20 {
                        let data = sample(t * 100 + i, 32 * 1024);
                        let level = (i % 4) as i32 + 1;
                        let frame = compress(&data, level);
                        assert_eq!(frame, one_shot(&data, level));
                        assert_eq!(decompress(&frame, data.len()), data);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
    }

    #[test]
    fn corrupt_input_is_an_error_and_the_context_recovers() {
        let data = sample(7, 32 * 1024);
        let mut frame = compress(&data, 1);
        let middle = frame.len() / 2;
        frame[middle..].iter_mut().for_each(|b| *b ^= 0x5a);
        let mut out = vec![0; data.len()];
        let err = decompress_to_buffer(&frame, &mut out).unwrap_err();
        assert!(err.get_ref().unwrap().downcast_ref::<Error>().is_some());
        assert!(decompress_to_buffer(b"not zstd", &mut out).is_err());

        let frame = compress(&data, 1);
        assert_eq!(decompress(&frame, data.len()), data);
    }

    #[test]
    fn too_small_a_destination_is_an_error_and_the_context_recovers() {
        let data = sample(8, 10_000);
        let mut small = [0u8; 8];
        assert!(compress_to_buffer(&data, &mut small, 3).is_err());
        assert_eq!(compress(&data, 3), one_shot(&data, 3));

        let frame = compress(&data, 3);
        let mut short = vec![0; data.len() - 1];
        assert!(decompress_to_buffer(&frame, &mut short).is_err());
        assert_eq!(decompress(&frame, data.len()), data);
    }
}
