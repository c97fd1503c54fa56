/// One process's part of every batch in a data-parallel job of `count` processes: a batch of
/// `n` rows is cut into `count` contiguous parts as even as can be (their sizes differ by at
/// most one row) and process `index` takes part `index`.
public struct BatchShard: Sendable, Equatable {
    /// This process's part.
    public let index: Int
    /// The number of parts.
    public let count: Int

    /// The whole batch: one part.
    public static let whole = BatchShard(index: 0, count: 1)

    /// Part `index` of `count`.
    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "shard \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// The rows of a batch of `n` rows in this part: `n·index/count ..< n·(index+1)/count`.
    public func part(of n: Int) -> Range<Int> {
        n * index / count ..< n * (index + 1) / count
    }

    /// The most rows any part of a batch of `n` rows holds.
    public func largestPart(of n: Int) -> Int {
        (n + count - 1) / count
    }
}
