/// A seeded pseudo-random permutation of `0..<count`, computed element by element in constant
/// memory: `permutation[i]` is the position-`i` element of a shuffled `0..<count`, without
/// storing the shuffle.
///
/// The bijection is a balanced eight-round Feistel network (four rounds make a strong pseudo-random permutation of a large domain, Luby and Rackoff 1988; small domains need more) over the smallest
/// domain of `2^(2h)` values holding `count`, whose round function is ``SplitMix64/scramble(_:)``
/// keyed by the seed; an index that lands outside `0..<count` is encrypted again until it lands
/// inside ("cycle walking", Black and Rogaway 2002), which keeps the map a bijection on
/// `0..<count`. The domain is less than four times `count`, so an element costs a few
/// encryptions on average. The same seed gives the same permutation on every machine.
///
/// ```swift
/// let order = RandomPermutation(count: 10, seed: 7)
/// let shuffled = (0..<10).map { order[$0] }   // every value of 0..<10 exactly once
/// ```
public struct RandomPermutation: Sendable, Equatable {
    /// The number of elements permuted.
    public let count: Int
    private let halfBits: UInt64
    private let keys: [UInt64]

    /// The permutation of `0..<count` determined by `seed`.
    public init(count: Int, seed: UInt64) {
        precondition(count >= 0, "a permutation of \(count) elements")
        self.count = count
        var bits = 0
        while (1 << (2 * bits)) < count { bits += 1 }
        halfBits = UInt64(bits)
        var generator = SplitMix64(seed: seed)
        keys = (0..<8).map { _ in generator.next() }
    }

    /// The element at `position` (in `0..<count`).
    @inline(__always) public subscript(position: Int) -> Int {
        precondition(position >= 0 && position < count, "position \(position) outside 0..<\(count)")
        var value = UInt64(position)
        repeat { value = encrypt(value) } while value >= UInt64(count)
        return Int(value)
    }

    /// One pass of the Feistel network over the `2^(2h)` domain.
    @inline(__always) private func encrypt(_ value: UInt64) -> UInt64 {
        let mask = (UInt64(1) << halfBits) &- 1
        var (left, right) = (value >> halfBits, value & mask)
        for key in keys {
            (left, right) = (right, left ^ (SplitMix64.scramble(right ^ key) & mask))
        }
        return left << halfBits | right
    }
}
