import Foundation

/// The learning rate of each step: linear warm-up, then constant, cosine or exponential decay.
public struct LearningRateSchedule: Sendable {
    /// The peak rate.
    public var peak: Float
    /// Warm-up steps.
    public var warmupSteps: Int
    /// `none`, `cosine` or `exponential`.
    public var decay: String
    /// Exponential decay factor per epoch.
    public var decayRate: Float
    /// Steps per epoch.
    public var stepsPerEpoch: Int
    /// Steps of the whole run.
    public var totalSteps: Int

    /// The schedule `config` describes for a run of `stepsPerEpoch × epochs` steps.
    public init(_ config: TrainingConfig, stepsPerEpoch: Int) throws {
        guard ["none", "cosine", "exponential"].contains(config.decay) else {
            throw TrainingError.invalidConfig("decay must be none, cosine or exponential, found '\(config.decay)'")
        }
        peak = config.learningRate
        warmupSteps = config.warmupSteps
        decay = config.decay
        decayRate = config.decayRate
        self.stepsPerEpoch = max(1, stepsPerEpoch)
        totalSteps = max(1, stepsPerEpoch * config.epochs)
    }

    /// The rate of step `step` (0-based).
    public func rate(atStep step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        switch decay {
        case "cosine":
            let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
            return peak * Float(0.5 * (1 + cos(Double.pi * min(1, progress))))
        case "exponential":
            return peak * Float(pow(Double(decayRate), Double(step / stepsPerEpoch)))
        default:
            return peak
        }
    }
}
