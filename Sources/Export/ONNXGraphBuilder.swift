import Foundation
import SwiftProtobuf

/// Builds an ONNX graph node by node: every value is named by a string, weights become
/// initializers, and a small vocabulary of standard operators (opset 17) covers what the
/// model zoo's scoring needs. Shapes stay symbolic in the batch dimension: reshapes use 0
/// (copy) and -1 (infer), never the batch size.
public final class ONNXGraphBuilder {
    /// The operator set the graph is written against.
    public static let opsetVersion: Int64 = 17
    /// The ONNX IR version matching ``opsetVersion``.
    public static let irVersion: Int64 = 8
    /// The symbolic name of the batch dimension.
    public static let batchDimension = "batch"

    private var graph = Onnx_GraphProto()
    private var counter = 0

    /// An empty graph named `name`.
    public init(name: String) {
        graph.name = name
    }

    /// A fresh value name starting with `prefix`.
    public func fresh(_ prefix: String) -> String {
        counter += 1
        return "dtrn/\(prefix)/\(counter)"
    }

    /// Declares a graph input of element type `type` and shape `shape` (-1 = the batch dimension).
    public func addInput(_ name: String, type: Onnx_TensorProto.DataType, shape: [Int]) {
        graph.input.append(Self.valueInfo(name, type: type, shape: shape))
    }

    /// Declares the value `value` as the graph output `name` (through an Identity when the names differ).
    public func addOutput(_ name: String, from value: String, type: Onnx_TensorProto.DataType, shape: [Int]) {
        if value != name { _ = node("Identity", [value], output: name) }
        graph.output.append(Self.valueInfo(name, type: type, shape: shape))
    }

    /// Adds node `op` reading `inputs`, writing one output (named `output` or fresh), and returns its name.
    @discardableResult
    public func node(_ op: String, _ inputs: [String], attributes: [Onnx_AttributeProto] = [], output: String? = nil) -> String {
        let out = output ?? fresh(op.lowercased())
        nodes(op, inputs, outputs: [out], attributes: attributes)
        return out
    }

    /// Adds node `op` with several outputs.
    public func nodes(_ op: String, _ inputs: [String], outputs: [String], attributes: [Onnx_AttributeProto] = []) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = fresh("n_\(op)")
        n.input = inputs
        n.output = outputs
        n.attribute = attributes
        graph.node.append(n)
    }

    /// A float initializer of `shape` holding `values` (row-major).
    public func constant(_ values: [Float], shape: [Int], name: String? = nil) -> String {
        precondition(values.count == shape.reduce(1, *), "constant: \(values.count) values for shape \(shape)")
        var t = Onnx_TensorProto()
        t.name = name ?? fresh("w")
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        t.dims = shape.map(Int64.init)
        t.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        graph.initializer.append(t)
        return t.name
    }

    /// A float scalar initializer.
    public func scalar(_ value: Float) -> String { constant([value], shape: []) }

    /// An int64 initializer of `shape` (a vector when nil).
    public func int64s(_ values: [Int], shape: [Int]? = nil) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh("i")
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.dims = (shape ?? [values.count]).map(Int64.init)
        t.int64Data = values.map(Int64.init)
        graph.initializer.append(t)
        return t.name
    }

    // MARK: The operator vocabulary

    public func add(_ a: String, _ b: String) -> String { node("Add", [a, b]) }
    public func sub(_ a: String, _ b: String) -> String { node("Sub", [a, b]) }
    public func mul(_ a: String, _ b: String) -> String { node("Mul", [a, b]) }
    public func div(_ a: String, _ b: String) -> String { node("Div", [a, b]) }
    public func matmul(_ a: String, _ b: String) -> String { node("MatMul", [a, b]) }
    public func relu(_ x: String) -> String { node("Relu", [x]) }
    public func tanh(_ x: String) -> String { node("Tanh", [x]) }
    public func sigmoid(_ x: String) -> String { node("Sigmoid", [x]) }
    public func gather(_ data: String, _ indices: String, axis: Int = 0) -> String {
        node("Gather", [data, indices], attributes: [Self.int("axis", axis)])
    }
    /// Reshape to `shape`, where 0 copies an input dimension and -1 is inferred.
    public func reshape(_ x: String, _ shape: [Int]) -> String { node("Reshape", [x, int64s(shape)]) }
    public func unsqueeze(_ x: String, axes: [Int]) -> String { node("Unsqueeze", [x, int64s(axes)]) }
    public func squeeze(_ x: String, axes: [Int]) -> String { node("Squeeze", [x, int64s(axes)]) }
    public func concat(_ xs: [String], axis: Int) -> String {
        xs.count == 1 ? xs[0] : node("Concat", xs, attributes: [Self.int("axis", axis)])
    }
    public func transpose(_ x: String, _ perm: [Int]) -> String {
        node("Transpose", [x], attributes: [Self.ints("perm", perm)])
    }
    public func softmax(_ x: String, axis: Int = -1) -> String {
        node("Softmax", [x], attributes: [Self.int("axis", axis)])
    }
    public func reduceSum(_ x: String, axes: [Int], keepDims: Bool) -> String {
        node("ReduceSum", [x, int64s(axes)], attributes: [Self.int("keepdims", keepDims ? 1 : 0)])
    }
    public func reduceMean(_ x: String, axes: [Int], keepDims: Bool) -> String {
        node("ReduceMean", [x], attributes: [Self.ints("axes", axes), Self.int("keepdims", keepDims ? 1 : 0)])
    }
    public func max(_ a: String, _ b: String) -> String { node("Max", [a, b]) }
    /// Slice of `x` along `axis`, `range` with known bounds.
    public func slice(_ x: String, axis: Int, _ range: Range<Int>) -> String {
        node("Slice", [x, int64s([range.lowerBound]), int64s([range.upperBound]), int64s([axis])])
    }
    /// Layer normalisation over the last axis, without scale and shift (γ = 1, β = 0).
    public func layerNormalization(_ x: String, width: Int, epsilon: Float) -> String {
        node("LayerNormalization",
             [x, constant(Array(repeating: 1, count: width), shape: [width]), constant(Array(repeating: 0, count: width), shape: [width])],
             attributes: [Self.int("axis", -1), Self.float("epsilon", epsilon)])
    }
    /// `Cast(x != 0)` to float: 1 at real positions of a padded sequence, 0 at padding.
    public func nonZeroMask(_ ids: String) -> String {
        let zero = int64s([0], shape: [])
        let padding = node("Equal", [ids, zero])
        let real = node("Not", [padding])
        return node("Cast", [real], attributes: [Self.int("to", Int(Onnx_TensorProto.DataType.float.rawValue))])
    }

    /// The finished model, with its opset import.
    public func model(producer: String, docString: String) -> Onnx_ModelProto {
        var m = Onnx_ModelProto()
        m.irVersion = Self.irVersion
        m.producerName = producer
        m.docString = docString
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Self.opsetVersion
        m.opsetImport = [opset]
        m.graph = graph
        return m
    }

    // MARK: Attributes and value infos

    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values.map(Int64.init)
        return a
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    static func valueInfo(_ name: String, type: Onnx_TensorProto.DataType, shape: [Int]) -> Onnx_ValueInfoProto {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(type.rawValue)
        var s = Onnx_TensorShapeProto()
        s.dim = shape.map { size in
            var d = Onnx_TensorShapeProto.Dimension()
            if size < 0 { d.dimParam = batchDimension } else { d.dimValue = Int64(size) }
            return d
        }
        tensor.shape = s
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensor
        return info
    }
}
