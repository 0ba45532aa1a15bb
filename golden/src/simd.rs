//! The one place that decides which instruction set the hot passes use.
//!
//! The CPU is asked once ([`is_x86_feature_detected!`], cached); `TTFS_SIMD=off` (read once, in
//! [`active`]) forces the portable code. The hot kernels ([`crate::integer`], [`crate::exact`]) are
//! written once as plain Rust marked `#[inline(always)]`; [`multiversion!`] wraps each in a portable
//! copy and an AVX2 copy (`#[target_feature(enable = "avx2")]`, so LLVM vectorizes the same source
//! 8 x 32 bits wide) and picks one per call from a [`Level`]. AVX-512 gets no copy of its own: the
//! machines this was measured on have none, and an untested copy would be a liability.
//!
//! Invariant: results never depend on the level. The integer pass is exact in any order; the f64
//! kernels vectorize across neurons only, so each neuron's sums keep their sequential order, and
//! no multiply-add is fused (Rust never contracts `a * b + c`, and the `fma` feature is not enabled).

use std::sync::OnceLock;

/// An instruction-set level a kernel can be compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The build's baseline target (x86-64: SSE2), on every machine.
    Portable,
    /// x86-64 with AVX2 (used only where the CPU reports it; see [`Level::usable`]).
    Avx2,
}

impl Level {
    /// `self` if this CPU can run it, else [`Level::Portable`]. Every AVX2 call goes through this.
    pub fn usable(self) -> Level {
        match self {
            Level::Avx2 if avx2_detected() => Level::Avx2,
            _ => Level::Portable,
        }
    }

    /// Lower-case name, as printed by the benchmarks.
    pub fn name(self) -> &'static str {
        match self {
            Level::Portable => "portable",
            Level::Avx2 => "avx2",
        }
    }
}

/// Whether the CPU has AVX2 (asked once).
pub fn avx2_detected() -> bool {
    static AVX2: OnceLock<bool> = OnceLock::new();
    *AVX2.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// The level the passes use: the best the CPU has, or [`Level::Portable`] if the environment
/// variable `TTFS_SIMD` is `off` (or `portable`). Read once per process.
pub fn active() -> Level {
    static ACTIVE: OnceLock<Level> = OnceLock::new();
    *ACTIVE.get_or_init(|| {
        let off = std::env::var("TTFS_SIMD")
            .map(|v| matches!(v.trim(), "off" | "portable" | "0"))
            .unwrap_or(false);
        if off {
            Level::Portable
        } else {
            Level::Avx2.usable()
        }
    })
}

/// Features of this CPU relevant to the kernels, for benchmark reports: e.g. `avx2 (no avx512f)`.
pub fn cpu_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let has = |yes: bool, name: &str| {
            if yes {
                name.to_string()
            } else {
                format!("no {name}")
            }
        };
        format!(
            "{}, {}; active level {}",
            has(std::arch::is_x86_feature_detected!("avx2"), "avx2"),
            has(std::arch::is_x86_feature_detected!("avx512f"), "avx512f"),
            active().name()
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        format!("not x86-64; active level {}", active().name())
    }
}

/// Defines `fn $name(level: Level, args..) -> R` that runs `$body(args..)` (an `#[inline(always)]`
/// function) compiled for `level`: the only place where a kernel's AVX2 copy is made and chosen.
macro_rules! multiversion {
    ($(#[$m:meta])* $vis:vis fn $name:ident $(<$($g:ident : $b:path),*>)?
        ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty => $body:ident;) => {
        $(#[$m])*
        $vis fn $name $(<$($g: $b),*>)? (level: $crate::simd::Level, $($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            unsafe fn avx2 $(<$($g: $b),*>)? ($($arg: $ty),*) -> $ret {
                $body $(::<$($g),*>)? ($($arg),*)
            }
            match level.usable() {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Level::usable` returns `Avx2` only when `is_x86_feature_detected!("avx2")`
                // said this CPU has AVX2.
                $crate::simd::Level::Avx2 => unsafe { avx2 $(::<$($g),*>)? ($($arg),*) },
                _ => $body $(::<$($g),*>)? ($($arg),*),
            }
        }
    };
}
pub(crate) use multiversion;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_is_always_usable_and_avx2_only_when_detected() {
        assert_eq!(Level::Portable.usable(), Level::Portable);
        let want = if avx2_detected() {
            Level::Avx2
        } else {
            Level::Portable
        };
        assert_eq!(Level::Avx2.usable(), want);
        assert!(cpu_features().contains("active level"));
    }
}
