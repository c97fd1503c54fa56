import Foundation

/// A linear map from a data interval onto a pixel interval, with "nice" tick values
/// (1, 2 or 5 times a power of ten) and labels printed to the ticks' precision.
struct LinearScale {
    /// The data interval, `lower < upper`.
    let domain: ClosedRange<Double>
    /// The pixel interval; `range.lowerBound` is where `domain.lowerBound` lands (it may be the larger number).
    let range: (Double, Double)
    /// The distance between ticks.
    let tickStep: Double

    /// A scale over `values` padded by `padding` of their span on each side and widened to
    /// whole ticks; integral ticks only when `integral` (epochs, steps). A single value gets a
    /// small interval around it.
    init(covering values: [Double], range: (Double, Double), padding: Double = 0.05, integral: Bool = false,
         ticks: Int = 5, fixed: ClosedRange<Double>? = nil) {
        var (lo, hi) = (values.min() ?? 0, values.max() ?? 1)
        if let fixed { (lo, hi) = (fixed.lowerBound, fixed.upperBound) }
        if hi - lo < 1e-12 {
            let spread = integral ? 1 : max(abs(lo) * 0.05, 1e-3)
            (lo, hi) = (lo - spread, hi + spread)
        } else if fixed == nil {
            let pad = (hi - lo) * padding
            (lo, hi) = (lo - pad, hi + pad)
        }
        var step = Self.niceStep((hi - lo) / Double(ticks))
        if integral { step = max(1, step.rounded()) }
        tickStep = step
        domain = fixed ?? (floor(lo / step) * step)...(ceil(hi / step) * step)
        self.range = range
    }

    /// A step of 1, 2 or 5 times a power of ten near `rough`.
    static func niceStep(_ rough: Double) -> Double {
        let power = pow(10, floor(log10(rough)))
        let fraction = rough / power
        return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power
    }

    /// Where `value` lands.
    func callAsFunction(_ value: Double) -> Double {
        range.0 + (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound) * (range.1 - range.0)
    }

    /// The tick values inside the domain.
    var ticks: [Double] {
        let first = ceil(domain.lowerBound / tickStep - 1e-9)
        let last = floor(domain.upperBound / tickStep + 1e-9)
        guard first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * tickStep }
    }

    /// `value` with as many decimals as the tick step needs.
    func label(_ value: Double) -> String {
        let decimals = max(0, Int(-floor(log10(tickStep) + 1e-9)))
        let text = String(format: "%.\(decimals)f", value)
        return text == "-" + String(format: "%.\(decimals)f", 0.0) ? String(text.dropFirst()) : text
    }
}

/// A number for an SVG attribute: two decimals.
func pixel(_ value: Double) -> String { String(format: "%.2f", value) }

/// Numbers for a `data-` attribute, space-separated, exactly as Swift prints them (they round-trip).
func dataList(_ values: [Double]) -> String { values.map { "\($0)" }.joined(separator: " ") }
