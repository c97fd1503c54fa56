import Foundation
import Yams

/// The schema that drives ingestion: the input layout and the role of every column used.
///
/// Written as YAML or JSON. Columns not named by a feature, a label, a mask or the group key are ignored,
/// which is how a column is removed from the features. A label column can never also be a feature.
///
/// ```yaml
/// name: clicks
/// format: {delimiter: ",", header: true}
/// features:
///   - {name: user_id, kind: categorical, minCount: 2}
///   - {name: price, kind: numeric, transform: log1p}
///   - {name: history, kind: sequence, separator: "|", maxLength: 20, vocabulary: item_id}
/// labels:
///   - {name: click, kind: binary, column: click}
///   - {name: buy, kind: binary, column: buy, mask: {column: click, equals: "1"}}
/// groupKey: user_id
/// ```
public struct DataSchema: Codable, Sendable, Equatable {
    /// The dataset's name.
    public var name: String
    /// The text layout of the input files.
    public var format: TextFormat
    /// Column names for files without a header, in file order.
    public var columns: [String]?
    /// The features, in the order models see them within each kind.
    public var features: [FeatureSpec]
    /// The tasks.
    public var labels: [LabelSpec]
    /// The column grouping samples for GAUC (usually the user).
    public var groupKey: String?
    /// How a single input file is divided into splits.
    public var split: SplitSpec?
    /// Present when the input is an event log rather than one row per sample.
    public var eventLog: EventLogSpec?

    /// A schema from its parts.
    public init(
        name: String, format: TextFormat = TextFormat(), columns: [String]? = nil, features: [FeatureSpec],
        labels: [LabelSpec], groupKey: String? = nil, split: SplitSpec? = nil, eventLog: EventLogSpec? = nil
    ) {
        self.name = name
        self.format = format
        self.columns = columns
        self.features = features
        self.labels = labels
        self.groupKey = groupKey
        self.split = split
        self.eventLog = eventLog
    }

    private enum CodingKeys: String, CodingKey {
        case name, format, columns, features, labels, groupKey, split, eventLog
    }

    /// Decodes a schema whose `format` may be omitted (then the `TextFormat` defaults apply).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        format = try container.decodeIfPresent(TextFormat.self, forKey: .format) ?? TextFormat()
        columns = try container.decodeIfPresent([String].self, forKey: .columns)
        features = try container.decode([FeatureSpec].self, forKey: .features)
        labels = try container.decode([LabelSpec].self, forKey: .labels)
        groupKey = try container.decodeIfPresent(String.self, forKey: .groupKey)
        split = try container.decodeIfPresent(SplitSpec.self, forKey: .split)
        eventLog = try container.decodeIfPresent(EventLogSpec.self, forKey: .eventLog)
    }

    /// Reads and validates a schema from a `.yaml`/`.yml` or `.json` file.
    public static func load(from url: URL) throws -> DataSchema {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DataError.io(path: url.path, reason: "cannot read the schema (\(error.localizedDescription))")
        }
        return try parse(text, source: url.path, json: url.pathExtension.lowercased() == "json")
    }

    /// Parses and validates a schema from YAML text, or JSON text when `json` is true.
    public static func parse(_ text: String, source: String, json: Bool = false) throws -> DataSchema {
        let schema: DataSchema
        do {
            if json {
                schema = try JSONDecoder().decode(DataSchema.self, from: Data(text.utf8))
            } else {
                schema = try decodeYAML(text, source: source)
            }
        } catch let error as DecodingError {
            throw DataError.invalidSchema(source: source, reason: describe(error))
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError.invalidSchema(source: source, reason: "\(error)")
        }
        try schema.validate(source: source)
        return schema
    }

    /// The schema in YAML `text`, read as Yams's `YAMLDecoder` reads it (scalars untyped until a
    /// field asks, `<<` merges) once the document passes ``YAMLSafetyCheck``.
    private static func decodeYAML(_ text: String, source: String) throws -> DataSchema {
        let parser = try Parser(yaml: text, resolver: Resolver.basic.appending(.merge))
        return try withExtendedLifetime(parser) {
            let root = try parser.singleRoot() ?? ""
            if let problem = YAMLSafetyCheck.problem(in: root) {
                throw DataError.invalidSchema(source: source, reason: problem)
            }
            return try YAMLDecoder().decode(DataSchema.self, from: root)
        }
    }

    /// The schema as YAML text, as `parse` reads it back.
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    /// A 64-bit fingerprint of the schema's content; the dataset store rebuilds when it changes.
    public var fingerprint: UInt64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(self)) ?? Data(name.utf8)
        return bytes.withUnsafeBytes { Checksum.of($0) }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "top level" : String(keys.dropFirst(keys.hasPrefix(".") ? 1 : 0))
        }
        switch error {
        case let .keyNotFound(key, context):
            return "\(path(context)): missing key '\(key.stringValue)'"
        case let .typeMismatch(_, context), let .dataCorrupted(context):
            return "\(path(context)): \(context.debugDescription)"
        case let .valueNotFound(_, context):
            return "\(path(context)): missing value"
        @unknown default:
            return "\(error)"
        }
    }
}
