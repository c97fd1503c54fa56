import Tensor

/// Inverted dropout with its own seeded generator; the identity in evaluation mode.
///
/// A trainer that wants resumable runs reseeds every dropout layer at each step from the
/// run's seed and the step number (``reseed(_:)``), so no generator state needs saving.
public final class Dropout: Module {
    /// The probability of zeroing an element.
    public let probability: Float
    private var generator: RandomGenerator

    /// A dropout layer dropping with `probability`, seeded by `seed`.
    public init(probability: Float, seed: UInt64 = 0) {
        precondition(probability >= 0 && probability < 1, "dropout probability \(probability) outside [0, 1)")
        self.probability = probability
        generator = RandomGenerator(seed: seed)
    }

    /// Restarts the generator from `seed`.
    public func reseed(_ seed: UInt64) {
        generator = RandomGenerator(seed: seed)
    }

    /// Drops elements of `x` while training.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining && probability > 0 else { return x }
        return x.dropout(probability, generator: &generator)
    }
}
