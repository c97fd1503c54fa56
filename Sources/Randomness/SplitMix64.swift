/// SplitMix64: a tiny seeded generator, used to seed ``RandomGenerator`` and for reproducible
/// shuffles and row-to-split assignment.
///
/// The same seed yields the same sequence on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    private var state: UInt64

    /// A generator determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.scramble(state)
    }

    /// A well-mixed 64-bit function of `value` (the generator's output function, usable statelessly).
    @inline(__always) public static func scramble(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number uniform in `[0, 1)` derived from `seed` and `index` alone.
    @inline(__always) public static func uniform(seed: UInt64, index: UInt64) -> Double {
        Double(scramble(seed &+ scramble(index)) >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}
