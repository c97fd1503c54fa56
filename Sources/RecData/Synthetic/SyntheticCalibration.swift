import Foundation

/// The calibrated logits of every task over the rows of all splits, each `[task][row]`: the raw
/// terms standardised, weighted, scaled to the signal strength and shifted to the target rates.
struct SyntheticLogits {
    /// The learnable-ceiling score: observable logit plus bias.
    let ceiling: [[Double]]
    /// The oracle logit: ceiling plus the hidden noise.
    let oracle: [[Double]]

    init(terms: SyntheticTerms, config: SyntheticConfig) {
        let total = config.sharedWeight + config.sequenceWeight + config.fieldWeight
        let weights = [config.sharedWeight, config.sequenceWeight, config.fieldWeight].map { ($0 / total).squareRoot() }
        var ceiling: [[Double]] = [], oracle: [[Double]] = []
        for (t, rate) in config.resolvedPositiveRates.enumerated() {
            let sequence = standardized(zip(standardized(terms.recency[t]), standardized(terms.subset[t])).map(+))
            let components = [standardized(terms.shared[t]), sequence, standardized(terms.fields[t])]
            var observable = [Double](repeating: 0, count: sequence.count)
            for (weight, component) in zip(weights, components) {
                for r in observable.indices { observable[r] += weight * component[r] }
            }
            observable = standardized(observable).map { $0 * config.signalStd }
            let noisy = zip(observable, terms.noise[t]).map { $0 + config.labelNoise * $1 }
            let bias = biasForPositiveRate(rate, logits: noisy)
            ceiling.append(observable.map { $0 + bias })
            oracle.append(noisy.map { $0 + bias })
        }
        self.ceiling = ceiling
        self.oracle = oracle
    }
}

/// `values` shifted and scaled to mean 0 and standard deviation 1 (all zeros if constant).
func standardized(_ values: [Double]) -> [Double] {
    guard !values.isEmpty else { return values }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    let scale = variance > 1e-24 ? 1 / variance.squareRoot() : 0
    return values.map { ($0 - mean) * scale }
}

/// The logistic function.
func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// The bias β with mean over rows of sigmoid(logit + β) equal to `rate` (safeguarded Newton).
func biasForPositiveRate(_ rate: Double, logits: [Double]) -> Double {
    var low = -50.0, high = 50.0, bias = log(rate / (1 - rate))
    for _ in 0..<60 {
        var mean = 0.0, slope = 0.0
        for z in logits {
            let p = sigmoid(z + bias)
            mean += p
            slope += p * (1 - p)
        }
        let excess = (mean - rate * Double(logits.count)) / Double(logits.count)
        if abs(excess) < 1e-10 { break }
        if excess > 0 { high = bias } else { low = bias }
        let step = bias - excess * Double(logits.count) / max(slope, 1e-300)
        bias = step > low && step < high ? step : (low + high) / 2
    }
    return bias
}
