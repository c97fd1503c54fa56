import RecData

/// Encodes raw rows (feature name → value, as JSON requests and prediction files give them)
/// exactly as the training data was encoded: with the checkpoint's fitted vocabularies and
/// numeric transforms, or — for data born encoded, such as the synthetic data — by taking
/// ids and numbers as they are.
public struct RowEncoder: Sendable {
    /// The fields, in model input order.
    public let schema: DatasetSchema
    /// The fitted encoder, when the data had raw values.
    public let encoder: FeatureEncoder?

    /// An encoder for a checkpoint's data.
    public init(schema: DatasetSchema, encoder: FeatureEncoder?) {
        self.schema = schema
        self.encoder = encoder
    }

    /// The encoded inputs of one row. Unknown values become the OOV id, missing values the
    /// missing id (or the training mean of a numeric field), and over-long sequences keep
    /// their newest items. A numeric value that is not a finite number, or whose encoded value
    /// is not finite, is refused naming the feature — the model never sees a NaN or an infinity.
    public func encode(_ row: [String: RawValue]) throws -> EncodedRow {
        let encoded = try encoder?.encode(row) ?? encodeAsGiven(row)
        for (field, value) in zip(schema.numeric, encoded.numeric) where !value.isFinite {
            throw DataError.invalidRequest(
                "feature '\(field.name)': expected a number whose encoded value is finite, found \(describe(row[field.name]))")
        }
        return encoded
    }

    /// The inputs of a row of data born encoded: ids and numbers taken as they are.
    private func encodeAsGiven(_ row: [String: RawValue]) throws -> EncodedRow {
        func id(_ value: RawValue?, field: String, vocabulary: Int) throws -> Int32? {
            switch value ?? .missing {
            case .missing: return nil
            case .number(let x) where x == x.rounded() && x >= 0 && x < Double(vocabulary): return Int32(x)
            case .string(let text) where Int32(text).map { $0 >= 0 && Int($0) < vocabulary } ?? false: return Int32(text)!
            default:
                throw DataError.invalidRequest("feature '\(field)': expected an id in 0..<\(vocabulary), found \(describe(value))")
            }
        }
        let categorical = try schema.categorical.map {
            try id(row[$0.name], field: $0.name, vocabulary: $0.vocabularySize) ?? Vocabulary.missingID
        }
        let numeric = try schema.numeric.map { field -> Float in
            switch row[field.name] ?? .missing {
            case .missing: return 0
            case .number(let x) where x.isFinite: return Float(x)
            case .string(let text) where Double(text)?.isFinite ?? false: return Float(Double(text)!)
            case let other:
                throw DataError.invalidRequest("feature '\(field.name)': expected a finite number, found \(describe(other))")
            }
        }
        let sequences = try schema.sequences.map { field -> [Int32] in
            let items: [String]
            switch row[field.name] ?? .missing {
            case .missing: items = []
            case .list(let list): items = list
            case let other: throw DataError.invalidRequest("feature '\(field.name)': expected a list of ids, found \(describe(other))")
            }
            return try items.suffix(field.maxLength).map {
                try id(.string($0), field: field.name, vocabulary: field.vocabularySize) ?? Vocabulary.missingID
            }
        }
        return EncodedRow(categorical: categorical, numeric: numeric, sequences: sequences)
    }

    private func describe(_ value: RawValue?) -> String {
        switch value ?? .missing {
        case .missing: "nothing"
        case .number(let x): "\(x)"
        case .string(let text): "'\(text.prefix(40))'"
        case .list(let items): "a list of \(items.count)"
        }
    }
}
