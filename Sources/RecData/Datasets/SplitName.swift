/// The three parts of a dataset.
public enum SplitName: String, Codable, Sendable, CaseIterable {
    /// Fits the model and the encoders (vocabularies, numeric statistics).
    case train
    /// Chooses hyper-parameters and stopping points.
    case validation
    /// Reports the final numbers.
    case test
}
