import Foundation
import Models
import NN
import RecData

/// The preprocessing an exported model expects, as JSON beside the `.onnx` file: enough for
/// another language to turn raw rows into the graph's inputs exactly as `dtrn predict` does.
///
/// For data born encoded (the synthetic data) there are no vocabularies: ids and numbers are
/// taken as they are (an id outside its vocabulary is refused), and a missing numeric value is 0.
/// `scripts/sidecar_encoder.py` applies these rules from the JSON alone.
public struct PreprocessingSidecar: Codable, Sendable, Equatable {
    /// A categorical field: its input, vocabulary and reserved ids.
    public struct Categorical: Codable, Sendable, Equatable {
        public var name: String
        /// The vocabulary size (ids `0..<size`).
        public var vocabularySize: Int
        /// Known values and their ids (absent for data born encoded).
        public var vocabulary: [String: Int]?
        /// The id of a missing value.
        public var missingID: Int
        /// The id of a value outside the vocabulary.
        public var unknownID: Int
    }

    /// A numeric field: its transform and fitted constants.
    public struct Numeric: Codable, Sendable, Equatable {
        public var name: String
        /// `none`, `standardize`, `min-max` or `log1p` (absent for data born encoded: as given).
        public var transform: String?
        public var mean: Double?
        public var standardDeviation: Double?
        public var minimum: Double?
        public var maximum: Double?
        /// How the formula is applied.
        public var formula: String
        /// What a missing value becomes.
        public var missing: String
    }

    /// A behaviour sequence: how its text splits, its length and vocabulary.
    public struct Sequence: Codable, Sendable, Equatable {
        public var name: String
        /// The separator of a sequence given as one string (nil: only lists).
        public var separator: String?
        /// The input's fixed length: the newest items kept, left-padded with `paddingID`.
        public var length: Int
        /// The categorical field whose vocabulary it uses, if any.
        public var vocabularyField: String?
        /// The vocabulary size (item ids `0..<size`).
        public var vocabularySize: Int
        /// Known items and their ids (absent for data born encoded).
        public var vocabulary: [String: Int]?
        /// The id of padding before the oldest kept item.
        public var paddingID: Int
        /// The id of an item outside the vocabulary.
        public var unknownID: Int
        /// How a raw value becomes the kept items, oldest first.
        public var items: String
    }

    /// The format of this file.
    public var formatVersion = 2
    /// The graph's inputs and outputs.
    public var signature: ModelSignature
    /// Whether the rows are given as ids and numbers (data born encoded, no vocabularies).
    public var bornEncoded: Bool
    /// Values that count as missing (after trimming).
    public var missingValues: [String]
    /// Whether leading and trailing spaces and tabs are removed from every text value and
    /// list item before it is compared with `missingValues`, looked up or parsed.
    public var trimWhitespace: Bool
    /// How raw text is trimmed before lookup, in words.
    public var trimming: String
    /// How a JSON number given for a categorical field, or as a sequence item, becomes the
    /// text that is looked up.
    public var numberText: String
    /// Which text a numeric field accepts as a number.
    public var numberSyntax: String
    public var categorical: [Categorical]
    public var numeric: [Numeric]
    public var sequences: [Sequence]
    /// The tasks, in output order, with their kinds.
    public var tasks: [FeatureLayout.Task]

    /// The sidecar of a model over `layout` whose rows are encoded by `encoder` (nil for data
    /// born encoded).
    public init(layout: FeatureLayout, encoder: FeatureEncoder?) {
        signature = ModelSignature(layout: layout)
        bornEncoded = encoder == nil
        missingValues = encoder?.missingValues ?? []
        trimWhitespace = encoder?.trimWhitespace ?? false
        trimming = trimWhitespace
            ? "leading and trailing spaces and tabs are removed from every value and list item before lookup"
            : "values are looked up as given"
        numberText = encoder == nil
            ? "an id is an integral number, or its decimal text ([+-]digits); outside 0..<vocabularySize it is refused"
            : "an integral number of magnitude below 9e18 is its decimal integer (42 -> \"42\"), any other the shortest decimal that reads back as the same double"
        numberSyntax = "[+-]?(digits[.digits*]|.digits)([eE][+-]?digits)? (after trimming, when trimWhitespace), magnitude at most 3.4028234663852886e38 (a float32); "
            + (encoder == nil ? "" : "a missing-value marker counts as missing; ") + "any other text is refused"
        func table(_ index: Int?) -> [String: Int]? {
            guard let index, let vocabulary = encoder?.vocabularies[index] else { return nil }
            var ids: [String: Int] = [:]
            for token in vocabulary.tokens { ids[token] = Int(vocabulary.id(of: token)) }
            return ids
        }
        categorical = layout.categorical.enumerated().map { i, field in
            Categorical(name: field.name, vocabularySize: field.vocabularySize,
                        vocabulary: table(encoder?.categorical[i].vocabulary),
                        missingID: Int(Vocabulary.missingID),
                        unknownID: encoder == nil ? Int(Vocabulary.missingID) : Int(Vocabulary.unknownID))
        }
        numeric = layout.numeric.enumerated().map { i, name in
            guard let transform = encoder?.numeric[i].transform else {
                return Numeric(name: name, formula: "the value as given", missing: "0")
            }
            let formula = switch transform.kind {
            case .none: "x"
            case .standardize: "(x - mean) / standardDeviation"
            case .minMax: "maximum > minimum ? (x - minimum) / (maximum - minimum) : 0"
            case .log1p: "x < 0 ? -log1p(-x) : log1p(x)"
            }
            return Numeric(name: name, transform: transform.kind.rawValue, mean: transform.mean,
                           standardDeviation: transform.standardDeviation, minimum: transform.minimum,
                           maximum: transform.maximum, formula: formula + " in double precision, then rounded to float32",
                           missing: "x = mean (a missing value, a missing-value marker or NaN)")
        }
        sequences = layout.sequences.enumerated().map { s, spec in
            let items = encoder == nil
                ? "a list of ids (missing: empty); the newest `length` are kept, each an id as numberText says"
                : "a list is its items, a text is split at every `separator` (empty pieces kept; no separator: one item), "
                    + "a number is one item (numberText), missing is empty; each item is trimmed as `trimming` says, "
                    + "items equal to a missing-value marker are dropped, the newest `length` are kept and looked up "
                    + "(unknown: unknownID)"
            return Sequence(name: spec.name, separator: encoder?.sequences[s].separator, length: spec.length,
                            vocabularyField: spec.vocabularyField.map { layout.categorical[$0].name },
                            vocabularySize: spec.vocabularyField.map { layout.categorical[$0].vocabularySize } ?? spec.vocabularySize,
                            vocabulary: table(encoder?.sequences[s].vocabulary),
                            paddingID: Int(Vocabulary.missingID),
                            unknownID: encoder == nil ? Int(Vocabulary.missingID) : Int(Vocabulary.unknownID), items: items)
        }
        tasks = layout.tasks
    }

    /// Writes the sidecar as pretty-printed JSON to `url`, atomically.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }
}
