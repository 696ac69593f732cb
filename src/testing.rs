//! Helpers shared by the unit tests.

/// A deterministic pseudo-random source (xorshift64) for generated test
/// input: each call gives a number below its argument.
pub fn below() -> impl FnMut(usize) -> usize {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}
