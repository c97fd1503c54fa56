import Foundation

/// Saving and loading an optimizer's state: its step count and every slot buffer.
extension Optimizer {
    /// Writes the step count and the slots (named `parameter/slot`) to a tensor file at `url`
    /// (atomically).
    public func saveState(to url: URL) throws {
        let metadata = [
            TensorFile.contentKey: OptimizerStateKey.contentValue,
            OptimizerStateKey.optimizer: kind,
            OptimizerStateKey.stepCount: String(state.stepCount),
        ]
        try TensorFile.write(state.namedSlots, metadata: metadata, to: url)
    }

    /// Restores the step count and the slots saved at `url` by an optimizer of the same type over
    /// parameters of the same names and shapes.
    ///
    /// - Throws: ``TensorFileError`` when the file is unreadable or corrupt, holds another
    ///   optimizer's state or something else, or its slots do not match this optimizer's.
    ///   On error the state is unchanged.
    public func loadState(from url: URL) throws {
        let file = try TensorFile(contentsOf: url)
        try file.checkMetadata(TensorFile.contentKey, is: OptimizerStateKey.contentValue)
        try file.checkMetadata(OptimizerStateKey.optimizer, is: kind)
        guard let stepCount = file.metadata[OptimizerStateKey.stepCount].flatMap(Int.init), stepCount >= 0 else {
            throw TensorFileError(url, .malformedIndex("no valid '\(OptimizerStateKey.stepCount)' metadata"))
        }
        try file.restore(state.namedSlots)
        state.stepCount = stepCount
    }

    /// The optimizer's type name, recorded so that state is only restored into the same algorithm.
    private var kind: String { String(describing: type(of: self)) }
}

/// The metadata of an optimizer state file.
private enum OptimizerStateKey {
    /// The ``TensorFile/contentKey`` value of an optimizer state file.
    static let contentValue = "optimizerState"
    static let optimizer = "optimizer"
    static let stepCount = "stepCount"
}
