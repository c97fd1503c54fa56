import Tensor

/// The parameters an optimizer updates and everything it keeps between steps: the step count
/// and, per parameter, slot buffers shaped like the parameter (moments, velocities, …).
///
/// The slots are allocated once, when the optimizer is created.
public final class OptimizerState {
    /// The parameters, in the order given to the optimizer.
    public let parameters: [(name: String, tensor: Tensor)]
    /// The names of the buffers kept for every parameter, e.g. `["firstMoment", "secondMoment"]`.
    public let slotNames: [String]
    /// The number of steps taken.
    public internal(set) var stepCount = 0
    /// `slots[i][k]` is slot `slotNames[k]` of parameter `i`.
    let slots: [[Tensor]]
    /// The first element of every slot, as the update loops read them.
    private let slotBases: [[UnsafeMutablePointer<Float>]]

    /// State for `parameters` (distinct names) with `slotNames` buffers each, filled with `initialValue`.
    init(parameters: [(name: String, tensor: Tensor)], slotNames: [String], initialValue: Float = 0) {
        let names = parameters.map(\.name)
        precondition(Set(names).count == names.count, "optimizer: duplicate parameter names in \(names)")
        self.parameters = parameters
        self.slotNames = slotNames
        slots = parameters.map { parameter in
            slotNames.map { _ in Tensor.full(parameter.tensor.shape, initialValue) }
        }
        slotBases = slots.map { $0.map(\.pointer) }
    }

    /// The buffer `slotName` of the parameter named `parameterName`, if both exist.
    public func slot(_ slotName: String, of parameterName: String) -> Tensor? {
        guard let k = slotNames.firstIndex(of: slotName),
              let i = parameters.firstIndex(where: { $0.name == parameterName }) else { return nil }
        return slots[i][k]
    }

    /// Every slot buffer, named `parameter/slot`.
    var namedSlots: [(name: String, tensor: Tensor)] {
        zip(parameters, slots).flatMap { parameter, buffers in
            zip(slotNames, buffers).map { ("\(parameter.name)/\($0)", $1) }
        }
    }

    /// Applies `rule` to every parameter that holds a gradient, then clears the gradients.
    ///
    /// A dense gradient updates the whole tensor (split over the workers when it is large). A
    /// row-sparse gradient updates only the rows it names: the other rows, and their slots, are
    /// left untouched (lazy updates).
    func apply<Rule: ElementwiseUpdate>(_ rule: Rule) {
        for (index, (name, tensor)) in parameters.enumerated() {
            defer { tensor.zeroGrad() }
            if let grad = tensor.grad {
                precondition(tensor.rowGrad == nil,
                             "optimizer: \(name) has both a dense and a row-sparse gradient; a table used "
                                 + "outside gathers needs prefersRowSparseGradient = false")
                // Large tensors are updated in one contiguous part per worker.
                let (parameter, gradient, slots) = (tensor.pointer, grad.pointer, slotBases[index])
                _ = Parallelism.mapParts(tensor.count, minimumPart: 1 << 15) { range in
                    rule.apply(to: ParameterSpan(parameter: parameter + range.lowerBound,
                                                 gradient: gradient + range.lowerBound, slotBases: slots,
                                                 offset: range.lowerBound, count: range.count))
                }
            } else if let sparse = tensor.rowGrad {
                let width = sparse.width
                sparse.values.withUnsafeBufferPointer { values in
                    for (k, row) in sparse.rows.enumerated() {
                        let offset = Int(row) * width
                        rule.apply(to: ParameterSpan(parameter: tensor.pointer + offset,
                                                     gradient: values.baseAddress! + k * width,
                                                     slotBases: slotBases[index], offset: offset, count: width))
                    }
                }
            }
        }
    }
}
