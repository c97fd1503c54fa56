/// Compares the gradients of the autograd tape with central finite differences, as
/// PyTorch's `gradcheck` does: the tool to verify any op or layer.
public enum GradientCheck {
    /// The worst disagreement found.
    public struct Report: CustomStringConvertible, Sendable {
        /// The largest `|analytic − numeric| / max(|analytic|, |numeric|, floor)` over all checked
        /// elements, where `floor` is `floorFraction` (1 %) of the largest analytic gradient magnitude (at least
        /// 1e-3), so that small gradients are judged relative to the input's scale.
        public var maxError: Float
        /// Where it occurred: input number and flat element index.
        public var worst: (input: Int, element: Int, analytic: Float, numeric: Float)?
        /// Number of elements compared.
        public var checked: Int

        /// The worst element's values.
        public var description: String {
            guard let w = worst else { return "no elements checked" }
            return "max error \(maxError) at input \(w.input) element \(w.element): analytic \(w.analytic), numeric \(w.numeric) (\(checked) elements)"
        }
    }

    /// Checks `d/dx Σ (f() ⊙ R)` for every element of every tensor in `inputs`, where `R`
    /// is a fixed random projection (so that no output element's gradient can hide behind
    /// another's). `f` must read `inputs` and be deterministic.
    ///
    /// - Parameters:
    ///   - epsilon: The finite-difference step.
    ///   - maxElementsPerInput: Elements per input to compare (spread evenly); all when nil.
    ///   - floorFraction: The share of the largest gradient below which errors are judged
    ///     absolutely; 1 judges every element against the largest, a normwise check.
    ///   - differencePrecision: The matrix precision of the finite differences' evaluations of
    ///     `f`, when not the current one: a bf16 tape is checked against the fp32 function it
    ///     approximates, since rounding its operands makes the bf16 function itself a staircase.
    public static func run(
        inputs: [Tensor], epsilon: Float = 1e-2, maxElementsPerInput: Int? = nil, seed: UInt64 = 7,
        floorFraction: Float = 0.01, differencePrecision: MatrixPrecision? = nil, _ f: () -> Tensor
    ) -> Report {
        for x in inputs { x.requiresGrad = true; x.zeroGrad() }
        let probe = f()
        var rng = RandomGenerator(seed: seed)
        let projection = Tensor(shape: probe.shape, values: (0..<probe.count).map { _ in rng.nextUniform() * 2 - 1 })
        (probe * projection).sum().backward()
        let analytic: [[Float]] = inputs.map { x in
            if let rg = x.rowGrad { return rg.densified(rowCount: x.shape[0]) }
            return x.grad?.values ?? [Float](repeating: 0, count: x.count)
        }
        let tapePrecision = Gemm.precision
        if let differencePrecision { Gemm.setPrecision(differencePrecision, kernel: Gemm.bfloat16Kernel) }
        defer { Gemm.setPrecision(tapePrecision, kernel: Gemm.bfloat16Kernel) }
        func objective() -> Double {
            Autograd.inference {
                let y = f()
                var s = 0.0
                for i in 0..<y.count { s += Double(y[flat: i]) * Double(projection[flat: i]) }
                return s
            }
        }
        let largest = analytic.joined().reduce(Float(0)) { max($0, abs($1)) }
        let floor = max(1e-3, floorFraction * largest)
        var report = Report(maxError: 0, worst: nil, checked: 0)
        for (k, x) in inputs.enumerated() {
            let step = maxElementsPerInput.map { max(1, x.count / $0) } ?? 1
            for i in stride(from: 0, to: x.count, by: step) {
                let saved = x[flat: i]
                x[flat: i] = saved + epsilon
                let plus = objective()
                x[flat: i] = saved - epsilon
                let minus = objective()
                x[flat: i] = saved
                let numeric = Float((plus - minus) / (2 * Double(epsilon)))
                let a = analytic[k][i]
                let error = abs(a - numeric) / max(floor, abs(a), abs(numeric))
                report.checked += 1
                if error > report.maxError || report.worst == nil {
                    report.maxError = max(error, report.maxError)
                    if error >= report.maxError { report.worst = (k, i, a, numeric) }
                }
            }
        }
        return report
    }
}
