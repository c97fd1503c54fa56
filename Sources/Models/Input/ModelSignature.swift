import Tensor

/// A model's scoring interface as named tensors — what an exported ONNX graph takes and
/// gives, and what the KServe v2 endpoint accepts as tensor inputs — derived from its
/// ``FeatureLayout``.
///
/// Inputs, in layout order, all with a dynamic batch dimension (`-1`):
/// - each categorical field: `INT64 [-1]`, the id after vocabulary lookup (0 = unknown);
/// - each numeric field: `FP32 [-1]`, the value after its fitted transform;
/// - each behaviour sequence: `INT64 [-1, length]`, ids newest last and left-padded with 0
///   (the mask is `id != 0`).
///
/// Outputs: one `FP32 [-1]` per task, named after it — a probability for a binary task, the
/// predicted value for a regression task.
public struct ModelSignature: Codable, Sendable, Equatable {
    /// An element type, spelled as the KServe v2 protocol spells it.
    public enum DataType: String, Codable, Sendable {
        case int64 = "INT64"
        case float32 = "FP32"
    }

    /// What a tensor of the signature carries.
    public enum Role: String, Codable, Sendable {
        case categorical, numeric, sequence, task
    }

    /// One named tensor: its element type, its shape (`-1` = the batch dimension) and role.
    public struct TensorSpec: Codable, Sendable, Equatable {
        public var name: String
        public var dataType: DataType
        public var shape: [Int]
        public var role: Role
        public init(name: String, dataType: DataType, shape: [Int], role: Role) {
            self.name = name
            self.dataType = dataType
            self.shape = shape
            self.role = role
        }
    }

    /// The values of one input tensor, flattened row-major.
    public enum Values: Sendable, Equatable {
        case int64([Int64])
        case float32([Float])

        var count: Int {
            switch self {
            case .int64(let values): values.count
            case .float32(let values): values.count
            }
        }
    }

    /// Why named tensors do not make a batch.
    public struct MismatchError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The inputs, in layout order (categorical, numeric, sequences).
    public var inputs: [TensorSpec]
    /// The outputs, one per task in task order.
    public var outputs: [TensorSpec]

    /// The signature of a model over `layout`.
    public init(layout: FeatureLayout) {
        inputs = layout.categorical.map { TensorSpec(name: $0.name, dataType: .int64, shape: [-1], role: .categorical) }
            + layout.numeric.map { TensorSpec(name: $0, dataType: .float32, shape: [-1], role: .numeric) }
            + layout.sequences.map { TensorSpec(name: $0.name, dataType: .int64, shape: [-1, $0.length], role: .sequence) }
        outputs = layout.tasks.map { TensorSpec(name: $0.name, dataType: .float32, shape: [-1], role: .task) }
    }

    /// The batch that named input tensors describe: every input present with its type and
    /// `batchSize × …` values, ids inside their vocabularies (`layout` is the one the
    /// signature was made from), numerics finite.
    public func batch(from tensors: [String: Values], batchSize: Int, layout: FeatureLayout) throws(MismatchError) -> ModelBatch {
        guard batchSize >= 0 else { throw MismatchError(description: "batch size \(batchSize) is negative") }
        if let unknown = tensors.keys.sorted().first(where: { name in !inputs.contains { $0.name == name } }) {
            throw MismatchError(description: "unknown input '\(unknown)'; the inputs are \(inputs.map(\.name).joined(separator: ", "))")
        }
        func values(_ spec: TensorSpec) throws(MismatchError) -> Values {
            guard let values = tensors[spec.name] else { throw MismatchError(description: "missing input '\(spec.name)'") }
            let expected = batchSize * spec.shape.dropFirst().reduce(1, *)
            guard values.count == expected else {
                let shape = ([batchSize] + spec.shape.dropFirst()).map(String.init).joined(separator: ", ")
                throw MismatchError(description: "input '\(spec.name)' has \(values.count) values; shape [\(shape)] needs \(expected)")
            }
            return values
        }
        func ids(_ spec: TensorSpec, vocabularySize: Int) throws(MismatchError) -> [Int32] {
            guard case .int64(let ids) = try values(spec) else {
                throw MismatchError(description: "input '\(spec.name)' must be \(DataType.int64.rawValue)")
            }
            if let bad = ids.firstIndex(where: { !(0..<Int64(vocabularySize)).contains($0) }) {
                throw MismatchError(description:
                    "input '\(spec.name)' value \(bad) is id \(ids[bad]), outside the vocabulary 0..<\(vocabularySize)")
            }
            return ids.map { Int32($0) }
        }

        let categoricalSpecs = inputs.filter { $0.role == .categorical }
        let numericSpecs = inputs.filter { $0.role == .numeric }
        let sequenceSpecs = inputs.filter { $0.role == .sequence }
        var columns: [[Int32]] = []
        for (spec, field) in zip(categoricalSpecs, layout.categorical) {
            columns.append(try ids(spec, vocabularySize: field.vocabularySize))
        }
        var numericColumns: [[Float]] = []
        for spec in numericSpecs {
            guard case .float32(let column) = try values(spec) else {
                throw MismatchError(description: "input '\(spec.name)' must be \(DataType.float32.rawValue)")
            }
            if let bad = column.firstIndex(where: { !$0.isFinite }) {
                throw MismatchError(description: "input '\(spec.name)' value \(bad) is \(column[bad]), not a finite number")
            }
            numericColumns.append(column)
        }
        var sequences: [[Int32]] = []
        for (spec, sequence) in zip(sequenceSpecs, layout.sequences) {
            let size = sequence.vocabularyField.map { layout.categorical[$0].vocabularySize } ?? sequence.vocabularySize
            sequences.append(try ids(spec, vocabularySize: size))
        }
        let categorical = (0..<batchSize).flatMap { row in columns.map { $0[row] } }
        let numeric = Tensor(shape: [batchSize, numericColumns.count],
                             values: (0..<batchSize).flatMap { row in numericColumns.map { $0[row] } })
        return ModelBatch(size: batchSize, categorical: categorical, numeric: numeric, sequences: sequences,
                          paddedLengths: layout.sequences.map(\.length))
    }
}
