/// A contiguous run of one parameter's elements — the whole tensor, or one row of a table —
/// with its gradient and the optimizer's slot buffers at the same position.
struct ParameterSpan {
    /// The first element of the run.
    let parameter: UnsafeMutablePointer<Float>
    /// The gradient of the run's elements.
    let gradient: UnsafePointer<Float>
    /// The first element of each whole slot buffer of the parameter.
    let slotBases: [UnsafeMutablePointer<Float>]
    /// The run's offset in the parameter (and in its slots).
    let offset: Int
    /// The number of elements.
    let count: Int

    /// The run's elements in slot `index`.
    @inline(__always) func slot(_ index: Int) -> UnsafeMutablePointer<Float> {
        slotBases[index] + offset
    }
}

/// An optimizer's update rule, applied element by element.
protocol ElementwiseUpdate {
    /// Updates elements `i ..< i + n` of `span`, where `n` is the lane count of `L`.
    func update<L: FloatLanes>(_ span: ParameterSpan, at i: Int, lanes: L.Type)
}

extension ElementwiseUpdate {
    /// Updates every element of `span`, sixteen at a time and then one at a time.
    @inline(__always) func apply(to span: ParameterSpan) {
        var i = 0
        while i + 16 <= span.count {
            update(span, at: i, lanes: SIMD16<Float>.self)
            i += 16
        }
        while i < span.count {
            update(span, at: i, lanes: Float.self)
            i += 1
        }
    }
}
