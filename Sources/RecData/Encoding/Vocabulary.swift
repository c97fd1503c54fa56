/// A fitted vocabulary: the mapping from raw values to embedding rows.
///
/// Convention for every id column and sequence: id 0 means "nothing" (a missing value, or padding in a
/// sequence), id 1 is the out-of-vocabulary row (values unseen in training or seen fewer than `minCount`
/// times), and ids 2… are the known values, most frequent in training first. `size` counts all rows.
public struct Vocabulary: Codable, Sendable, Equatable {
    /// The id of a missing value, and of sequence padding.
    public static let missingID: Int32 = 0
    /// The id of a value outside the vocabulary.
    public static let unknownID: Int32 = 1
    /// The id of the first known value.
    public static let firstKnownID: Int32 = 2

    /// The known values; `tokens[i]` has id `i + 2`.
    public let tokens: [String]
    /// The minimum training count a value needed to be kept.
    public let minCount: Int
    private let ids: [String: Int32]

    /// A vocabulary whose known values are `tokens`, in id order.
    public init(tokens: [String], minCount: Int = 1) {
        self.tokens = tokens
        self.minCount = minCount
        var ids = [String: Int32](minimumCapacity: tokens.count)
        for (index, token) in tokens.enumerated() { ids[token] = Int32(index) + Self.firstKnownID }
        self.ids = ids
    }

    /// The number of embedding rows: the known values plus the missing and unknown rows.
    public var size: Int { tokens.count + Int(Self.firstKnownID) }

    /// The id of `token`: its row when known, `unknownID` otherwise.
    public func id(of token: String) -> Int32 {
        ids[token] ?? Self.unknownID
    }

    /// The value with id `id`, or nil for the missing, unknown and out-of-range ids.
    public func token(of id: Int32) -> String? {
        let index = Int(id) - Int(Self.firstKnownID)
        return tokens.indices.contains(index) ? tokens[index] : nil
    }

    private enum CodingKeys: String, CodingKey { case tokens, minCount }

    /// Decodes the tokens and rebuilds the lookup table.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            tokens: try container.decode([String].self, forKey: .tokens),
            minCount: try container.decode(Int.self, forKey: .minCount))
    }

    /// Encodes the tokens and the minimum count.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tokens, forKey: .tokens)
        try container.encode(minCount, forKey: .minCount)
    }
}
