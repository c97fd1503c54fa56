import RecData
import Training

/// Turns a request's instances into model inputs with the checkpoint's own ``RowEncoder`` —
/// the one `dtrn predict` uses, so that a served score equals a predicted one and bad numbers
/// are refused alike — and adds the check a server needs on top: unknown features are refused
/// (or ignored) with an error naming the instance and the feature.
public struct InstanceEncoder: Sendable {
    /// The checkpoint's row encoder.
    public let rows: RowEncoder
    /// What an unknown feature does.
    public let unknownFields: ServingConfiguration.UnknownFieldPolicy
    private let known: Set<String>

    /// An encoder of rows for `schema` (and its fitted `encoder`, when the data had raw values).
    public init(schema: DatasetSchema, encoder: FeatureEncoder?, unknownFields: ServingConfiguration.UnknownFieldPolicy) {
        rows = RowEncoder(schema: schema, encoder: encoder)
        self.unknownFields = unknownFields
        known = Set(schema.categorical.map(\.name) + schema.numeric.map(\.name) + schema.sequences.map(\.name))
    }

    /// The encoded inputs of `instances`, in order. Absent features take their defaults (the
    /// missing id, the training mean) and over-long sequences keep their newest items, as in
    /// training.
    public func encode(_ instances: [[String: RawValue]]) throws(ServingError) -> [EncodedRow] {
        var encoded: [EncodedRow] = []
        encoded.reserveCapacity(instances.count)
        for (index, instance) in instances.enumerated() {
            do {
                encoded.append(try encode(instance))
            } catch {
                throw .invalidInstance("instance \(index): \(error)")
            }
        }
        return encoded
    }

    private func encode(_ instance: [String: RawValue]) throws -> EncodedRow {
        var instance = instance
        for name in instance.keys where !known.contains(name) {
            switch unknownFields {
            case .ignore: instance[name] = nil
            case .reject: throw DataError.invalidRequest("unknown feature '\(name)' (the model's features: \(featureList))")
            }
        }
        return try rows.encode(instance)
    }

    private var featureList: String {
        let names = rows.schema.categorical.map(\.name) + rows.schema.numeric.map(\.name) + rows.schema.sequences.map(\.name)
        return names.prefix(12).joined(separator: ", ") + (names.count > 12 ? ", …" : "")
    }
}
