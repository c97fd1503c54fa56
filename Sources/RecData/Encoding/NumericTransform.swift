import Foundation

/// How a numeric feature is rescaled; the statistics are fitted on the training split only.
public enum NumericTransformKind: String, Codable, Sendable, Equatable, CaseIterable {
    /// The value as is.
    case none
    /// `(x − mean) / standard deviation`.
    case standardize
    /// `(x − min) / (max − min)`; values outside the training range fall outside [0, 1].
    case minMax = "min-max"
    /// `sign(x) · log(1 + |x|)`, for heavy-tailed counts and amounts.
    case log1p
}

/// A fitted numeric transform. A missing value is replaced by the training mean before transforming.
public struct NumericTransform: Codable, Sendable, Equatable {
    /// The transform applied.
    public let kind: NumericTransformKind
    /// The training mean (also the fill value for missing inputs).
    public let mean: Double
    /// The training standard deviation (1 when the values are constant).
    public let standardDeviation: Double
    /// The smallest training value.
    public let minimum: Double
    /// The largest training value.
    public let maximum: Double

    /// A transform with explicit statistics.
    public init(kind: NumericTransformKind, mean: Double, standardDeviation: Double, minimum: Double, maximum: Double) {
        self.kind = kind
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The encoded value of `value`, or of the training mean when `value` is nil or NaN.
    @inline(__always)
    public func apply(_ value: Double?) -> Float {
        let x = value.flatMap { $0.isNaN ? nil : $0 } ?? mean
        switch kind {
        case .none:
            return Float(x)
        case .standardize:
            return Float((x - mean) / standardDeviation)
        case .minMax:
            let range = maximum - minimum
            return range > 0 ? Float((x - minimum) / range) : 0
        case .log1p:
            return Float(x < 0 ? -Foundation.log1p(-x) : Foundation.log1p(x))
        }
    }
}

/// Running statistics of a numeric feature's training values (Welford's algorithm).
struct NumericStatistics {
    private(set) var count = 0
    private var mean = 0.0
    private var squaredDeviations = 0.0
    private var minimum = Double.infinity
    private var maximum = -Double.infinity

    /// Adds one training value.
    @inline(__always)
    mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        squaredDeviations += delta * (value - mean)
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
    }

    /// The transform of `kind` fitted on the values added (all zeros when none were).
    func fit(_ kind: NumericTransformKind) -> NumericTransform {
        guard count > 0 else {
            return NumericTransform(kind: kind, mean: 0, standardDeviation: 1, minimum: 0, maximum: 0)
        }
        let deviation = (squaredDeviations / Double(count)).squareRoot()
        return NumericTransform(
            kind: kind, mean: mean, standardDeviation: deviation > 0 ? deviation : 1,
            minimum: minimum, maximum: maximum)
    }
}
