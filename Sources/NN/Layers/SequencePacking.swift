import Tensor

/// The real positions of a padded batch of sequences, for running position-wise layers on
/// them alone.
///
/// A batch of N sequences padded to length L is `[N, L, w]`; ``pack(_:)`` keeps the rows
/// whose mask is 1 as a dense `[R, w]` block (R the number of real positions) and
/// ``unpack(_:)`` puts such a block back, with zeros in the padding. Linear maps,
/// norms and activations act on each position by itself, so on packed rows they give what
/// they give on the padded batch at the real positions, with the padding's share of the
/// work left out — about half of it when lengths are spread evenly up to L.
public struct SequencePacking: Sendable {
    /// The packed rows' places in the padded batch viewed as `[N·L, w]`: `n·L + l` for each
    /// real position, ascending.
    public let rows: [Int32]
    /// Where each sequence's rows start among the packed rows, and after the last where they
    /// end: `offsets[n] ..< offsets[n + 1]` are sequence n's real positions (N + 1 values).
    public let offsets: [Int32]
    /// The number of sequences N.
    public let samples: Int
    /// The padded length L.
    public let length: Int

    /// The packing of the positions `mask` (`[N, L]`, 1 real and 0 padding) marks real.
    public init(mask: Tensor) {
        precondition(mask.rank == 2, "a sequence mask is [N, L], got \(mask.shape)")
        samples = mask.shape[0]
        length = mask.shape[1]
        var rows: [Int32] = [], offsets: [Int32] = [0]
        rows.reserveCapacity(mask.count)
        offsets.reserveCapacity(samples + 1)
        let values = mask.values
        for n in 0..<samples {
            for i in (n * length)..<((n + 1) * length) where values[i] != 0 { rows.append(Int32(i)) }
            offsets.append(Int32(rows.count))
        }
        self.rows = rows
        self.offsets = offsets
    }

    /// The number of real positions R.
    public var count: Int { rows.count }

    /// The real positions of `x: [N, L, w]`, `[R, w]`.
    public func pack(_ x: Tensor) -> Tensor {
        precondition(x.rank == 3 && x.shape[0] == samples && x.shape[1] == length,
                     "pack: \(x.shape) is not [\(samples), \(length), w]")
        return x.reshaped([samples * length, x.shape[2]]).gather(rows, shape: [count])
    }

    /// A packed block `[R, w]` placed back as `[N, L, w]`, with zeros at the padding.
    public func unpack(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[0] == count, "unpack: \(x.shape) is not [\(count), w]")
        return x.placingRows(rows, count: samples * length).reshaped([samples, length, x.shape[1]])
    }
}
