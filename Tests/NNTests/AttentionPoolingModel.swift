import Foundation
import NN
import Tensor

/// A small recommendation model built from the foundation: item and user embeddings, attention
/// pooling of a padded item history under the user's query, and a two-layer ReLU head.
final class AttentionPoolingModel: Module {
    /// One batch: `B` users, each with a history of `L` items of which the mask keeps some.
    struct Batch {
        let users: [Int32]
        let history: [Int32]
        let mask: Tensor
        let targets: Tensor
    }

    let items: Tensor
    let users: Tensor
    let key: Linear
    let query: Linear
    let hidden: Linear
    let output: Linear
    let width: Int

    init(itemCount: Int = 7, userCount: Int = 3, width: Int = 4, hiddenSize: Int = 5, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        self.width = width
        items = Initializer.normal(standardDeviation: 0.5).makeParameter([itemCount, width], generator: &generator)
        items.prefersRowSparseGradient = true
        users = Initializer.normal(standardDeviation: 0.5).makeParameter([userCount, width], generator: &generator)
        key = Linear(inputSize: width, outputSize: width, generator: &generator)
        query = Linear(inputSize: width, outputSize: width, generator: &generator)
        hidden = Linear(inputSize: width, outputSize: hiddenSize, initializer: .heNormal, generator: &generator)
        output = Linear(inputSize: hiddenSize, outputSize: 1, generator: &generator)
    }

    /// The click logits, `[B, 1]`.
    func logits(_ batch: Batch) -> Tensor {
        let b = batch.users.count, length = batch.history.count / b
        let embedded = items.gather(batch.history, shape: [b, length])
        let keys = key(embedded)
        let queries = query(users.gather(batch.users, shape: [b])).reshaped([b, 1, width])
        let scores = queries.batchedMatmul(keys, transposeOther: true) * (1 / Float(width).squareRoot())
        let attention = scores.softmax(mask: batch.mask)
        let pooled = attention.batchedMatmul(embedded).reshaped([b, width])
        return output(hidden(pooled).relu())
    }

    /// The mean binary cross-entropy of the batch, `[1]`.
    func loss(_ batch: Batch) -> Tensor {
        Tensor.binaryCrossEntropyWithLogits(logits(batch), targets: batch.targets)
    }

    /// A random batch of `size` users with histories of `length`, the last positions of some masked.
    func batch(seed: UInt64, size: Int = 4, length: Int = 3) -> Batch {
        var generator = RandomGenerator(seed: seed)
        let users = (0..<size).map { _ in Int32(generator.nextInt(below: self.users.shape[0])) }
        let history = (0..<size * length).map { _ in Int32(generator.nextInt(below: items.shape[0])) }
        let kept = (0..<size).map { _ in 1 + generator.nextInt(below: length) }
        let mask = (0..<size * length).map { Float($0 % length < kept[$0 / length] ? 1 : 0) }
        let targets = (0..<size).map { _ in Float(generator.nextInt(below: 2)) }
        return Batch(users: users, history: history, mask: Tensor(shape: [size, length], values: mask),
                     targets: Tensor(shape: [size, 1], values: targets))
    }
}
