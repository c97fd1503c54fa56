import Foundation

/// A dense, contiguous, row-major tensor of `Float` values that takes part in
/// reverse-mode automatic differentiation.
///
/// A tensor is created by a factory (``zeros(_:)``, ``init(shape:values:)``, …) or as the
/// result of an op. Results of ops on tensors that require gradients remember how they
/// were made (their ``GradFunction``); calling ``backward(seed:)`` on a scalar result
/// walks that record in reverse and accumulates into ``grad`` of every leaf.
public final class Tensor: @unchecked Sendable {
    /// The extent of each axis, outermost first.
    public let shape: [Int]
    /// The elements, row-major.
    public let storage: TensorStorage
    /// Whether gradients flow into this tensor.
    public var requiresGrad: Bool
    /// When true and this tensor is an embedding table, gathers record a row-sparse
    /// gradient in ``rowGrad`` instead of a dense one in ``grad``.
    public var prefersRowSparseGradient = false
    /// The accumulated dense gradient (same shape), if any.
    public package(set) var grad: Tensor?
    /// The accumulated row-sparse gradient, if this is a table with row-sparse gradients.
    public package(set) var rowGrad: RowSparseGradient?
    /// How this tensor was computed, when it is part of a recorded graph.
    var gradFunction: GradFunction?
    /// The field gather this tensor holds (as `[N, W, d]` or `[N, W·d]`), when it holds one:
    /// a linear map reading it may then work from the gather's tables directly.
    var fieldGather: FieldGather?
    /// The weighted field gather this tensor holds (`[N, K·d]`, its first W fields a field
    /// gather's, each scaled per sample), when it holds one; see ``weighted(by:leadingFields:)``.
    var weightedFields: WeightedFields?

    /// Wraps existing storage. `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// Creates a tensor holding a copy of `values`.
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == values.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.init(shape: shape, storage: TensorStorage(copying: values), requiresGrad: requiresGrad)
    }

    /// Creates a rank-0 tensor.
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [], values: [scalar], requiresGrad: requiresGrad)
    }

    /// A zero-filled tensor.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *), zeroed: false),
                       requiresGrad: requiresGrad)
        t.storage.pointer.initialize(repeating: value, count: t.count)
        return t
    }

    /// An uninitialised tensor, for kernels that overwrite every element.
    static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *), zeroed: false))
    }

    /// The number of elements.
    @inlinable public var count: Int { storage.count }
    /// The number of axes.
    public var rank: Int { shape.count }
    /// The first element's address.
    @inlinable public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    /// The elements as an array (a copy).
    public var values: [Float] { Array(storage.buffer) }
    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with \(count) elements")
        return storage.pointer.pointee
    }

    /// The element at a flat row-major offset.
    public subscript(flat index: Int) -> Float {
        get { storage.pointer[index] }
        set { storage.pointer[index] = newValue }
    }

    /// The extent of the last axis (1 for a scalar).
    var lastDimension: Int { shape.last ?? 1 }
    /// The number of rows when the tensor is viewed as `[count / lastDimension, lastDimension]`.
    var rowCount: Int { lastDimension == 0 ? 0 : count / lastDimension }

    /// A copy of this tensor detached from the graph.
    public func detached() -> Tensor {
        let copy = Tensor.uninitialized(shape)
        copy.pointer.update(from: pointer, count: count)
        return copy
    }

    /// Frees the values until they are read again, when the op that made them can recompute
    /// them (see ``TensorStorage/dropValues()``); otherwise does nothing.
    package func dropValues() { storage.dropValues() }

    /// The dense gradient buffer, created zero-filled on first use.
    func gradBuffer() -> UnsafeMutablePointer<Float> {
        if let grad { return grad.pointer }
        let g = Tensor.zeros(shape)
        grad = g
        return g.pointer
    }

    /// The dense gradient buffer for an op that overwrites all of it with `new + beta · old`:
    /// `beta` is 1 when a gradient already exists and 0 when the buffer is new (and not
    /// zero-filled, since the op's first contribution is written rather than added).
    func gradDestination() -> (pointer: UnsafeMutablePointer<Float>, beta: Float) {
        if let grad { return (grad.pointer, 1) }
        let g = Tensor.uninitialized(shape)
        grad = g
        return (g.pointer, 0)
    }

    /// Drops the accumulated gradients.
    public func zeroGrad() {
        grad = nil
        rowGrad = nil
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and up to eight leading values.
    public var description: String {
        let head = values.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(count > 8 ? ", …" : "")]"
    }
}
