import Models
import Tensor

/// One task's gradient on a model's parameters, copied out of them: dense gradients as
/// values, embedding tables' as the rows the batch used.
///
/// Dot products between two tasks' gradients run over ``ParameterSharing/Slice``s, so that a
/// group of parameters (or one task's rows of a table) can be compared across tasks.
struct TaskGradient {
    /// A parameter's gradient.
    enum Part {
        case dense([Float])
        case rows(RowSparseGradient)
    }

    /// The gradient of each parameter that received one, by the parameter's identity.
    var parts: [ObjectIdentifier: Part] = [:]

    /// The gradients `parameters` hold now.
    init(taking parameters: [Tensor]) {
        for p in parameters {
            if let grad = p.grad {
                parts[ObjectIdentifier(p)] = .dense(grad.values)
            } else if let sparse = p.rowGrad {
                parts[ObjectIdentifier(p)] = .rows(sparse)
            }
        }
    }

    /// `Σ_k ⟨self on mine[k], other on theirs[k]⟩`, the slices taken pairwise (each pair of
    /// the same size), in double precision; a parameter without a gradient counts as zero.
    func dot(_ mine: [ParameterSharing.Slice], _ other: TaskGradient, _ theirs: [ParameterSharing.Slice]) -> Double {
        precondition(mine.count == theirs.count, "\(mine.count) slices against \(theirs.count)")
        return zip(mine, theirs).reduce(0) { total, pair in
            precondition(pair.0.count == pair.1.count, "slices of \(pair.0.count) and \(pair.1.count) scalars")
            guard let a = parts[ObjectIdentifier(pair.0.tensor)], let b = other.parts[ObjectIdentifier(pair.1.tensor)] else {
                return total
            }
            return total + Self.dot(a, pair.0, b, pair.1)
        }
    }

    /// The squared L2 norm over `slices`.
    func squaredNorm(_ slices: [ParameterSharing.Slice]) -> Double {
        dot(slices, self, slices)
    }

    private static func dot(_ a: Part, _ sa: ParameterSharing.Slice, _ b: Part, _ sb: ParameterSharing.Slice) -> Double {
        switch (a, b) {
        case (.dense(let x), .dense(let y)):
            let (rx, ry) = (range(sa), range(sb))
            var total = 0.0
            for i in 0..<rx.count { total += Double(x[rx.lowerBound + i]) * Double(y[ry.lowerBound + i]) }
            return total
        case (.rows(let x), .rows(let y)):
            precondition(sa.rows == nil && sb.rows == nil, "row slices of row-sparse gradients")
            return rowDot(x, y)
        default:
            preconditionFailure("a dense gradient against a row-sparse one")
        }
    }

    /// `self −= c · other` on `slices` (whole parameters or rows of dense ones); elsewhere unchanged.
    mutating func subtract(_ c: Double, _ other: TaskGradient, on slices: [ParameterSharing.Slice]) {
        let scale = Float(c)
        for slice in slices {
            let id = ObjectIdentifier(slice.tensor)
            guard let theirs = other.parts[id] else { continue }
            switch (parts[id], theirs) {
            case (nil, .dense(let y)):
                var x = [Float](repeating: 0, count: y.count)
                for i in Self.range(slice) { x[i] = -scale * y[i] }
                parts[id] = .dense(x)
            case (.dense(var x)?, .dense(let y)):
                for i in Self.range(slice) { x[i] -= scale * y[i] }
                parts[id] = .dense(x)
            case (let mine, .rows(let y)):
                precondition(slice.rows == nil, "row slices of row-sparse gradients")
                guard case .rows(let x)? = mine ?? .rows(RowSparseGradient(width: y.width)) else {
                    preconditionFailure("a dense gradient against a row-sparse one")
                }
                parts[id] = .rows(Self.rowSum(x, y, scale: -scale))
            default:
                preconditionFailure("a dense gradient against a row-sparse one")
            }
        }
    }

    /// The sum of `gradients`, parameter by parameter.
    static func sum(_ gradients: [TaskGradient]) -> TaskGradient {
        var total = TaskGradient(taking: [])
        for g in gradients {
            for (id, part) in g.parts {
                switch (total.parts[id], part) {
                case (nil, _): total.parts[id] = part
                case (.dense(var x)?, .dense(let y)):
                    for i in x.indices { x[i] += y[i] }
                    total.parts[id] = .dense(x)
                case (.rows(let x)?, .rows(let y)): total.parts[id] = .rows(rowSum(x, y, scale: 1))
                default: preconditionFailure("a dense gradient against a row-sparse one")
                }
            }
        }
        return total
    }

    /// Puts this gradient into `parameters` as their accumulated gradients (replacing any).
    func install(into parameters: [Tensor]) {
        for p in parameters {
            p.zeroGrad()
            switch parts[ObjectIdentifier(p)] {
            case .dense(let values)?: p.grad = Tensor(shape: p.shape, values: values)
            case .rows(let sparse)?: p.rowGrad = sparse
            case nil: break
            }
        }
    }

    /// `x + scale · y` for row-sparse gradients of one table, on the union of their rows.
    private static func rowSum(_ x: RowSparseGradient, _ y: RowSparseGradient, scale: Float) -> RowSparseGradient {
        let w = y.width
        if x.rows == y.rows {
            return RowSparseGradient(rows: x.rows, values: zip(x.values, y.values).map { $0 + scale * $1 }, width: w)
        }
        var rows = x.rows, values = x.values
        var position = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        for (j, r) in y.rows.enumerated() {
            let i = position[r] ?? {
                position[r] = rows.count
                rows.append(r)
                values += [Float](repeating: 0, count: w)
                return rows.count - 1
            }()
            for k in 0..<w { values[i * w + k] += scale * y.values[j * w + k] }
        }
        return RowSparseGradient(rows: rows, values: values, width: w)
    }

    /// The flat element range of a dense slice.
    private static func range(_ slice: ParameterSharing.Slice) -> Range<Int> {
        guard let rows = slice.rows else { return 0..<slice.tensor.count }
        let width = slice.tensor.count / max(1, slice.tensor.shape.first ?? 1)
        return (rows.lowerBound * width)..<(rows.upperBound * width)
    }

    /// The dot product of two row-sparse gradients of tables of equal shape (rows matched by index).
    static func rowDot(_ x: RowSparseGradient, _ y: RowSparseGradient) -> Double {
        let w = x.width
        var total = 0.0
        if x.rows == y.rows {
            for i in 0..<x.values.count { total += Double(x.values[i]) * Double(y.values[i]) }
            return total
        }
        let position = Dictionary(uniqueKeysWithValues: y.rows.enumerated().map { ($1, $0) })
        for (i, r) in x.rows.enumerated() {
            guard let j = position[r] else { continue }
            for k in 0..<w { total += Double(x.values[i * w + k]) * Double(y.values[j * w + k]) }
        }
        return total
    }
}
