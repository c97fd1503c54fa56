import Foundation
import Models
import RecData
import Yams

/// A run configuration file (YAML or JSON) with optional `model:` and `training:` sections,
/// each holding any subset of ``ModelConfig`` / ``TrainingConfig`` keys:
///
/// ```yaml
/// model:
///   model: mmoe
///   embeddingDimension: 4
///   expertHidden: [16]
/// training:
///   epochs: 5
///   learningRate: 0.001
/// ```
///
/// Keys that are not settings are errors, so a misspelt key never goes unnoticed.
public struct RunConfigFile: Sendable {
    /// The model settings: the defaults with the file's `model:` keys replaced.
    public var model = ModelConfig()
    /// The training settings: the defaults with the file's `training:` keys replaced.
    public var training = TrainingConfig()

    /// Reads the file at `path` over the defaults.
    public init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TrainingError.invalidConfig("\(path): cannot read the configuration file")
        }
        try self.init(text: text, path: path)
    }

    /// Reads the configuration `text` over the defaults; `path` names it in messages.
    public init(text: String, path: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw TrainingError.invalidConfig("\(path): not valid YAML or JSON: \(error)")
        }
        if let root, let problem = YAMLSafetyCheck.problem(in: root) {
            throw TrainingError.invalidConfig("\(path):\(problem)")
        }
        let document = try root.map { try Self.value(of: $0, path: path) }
        guard let sections = document as? [String: Any] else {
            throw TrainingError.invalidConfig("\(path): expected a mapping with 'model' and/or 'training' sections")
        }
        for key in sections.keys where key != "model" && key != "training" {
            throw TrainingError.invalidConfig("\(path): unknown section '\(key)' (expected 'model' or 'training')")
        }
        model = try Self.overlay(model, with: sections["model"], section: "model", path: path)
        training = try Self.overlay(training, with: sections["training"], section: "training", path: path)
    }

    /// The defaults.
    public init() {}

    /// The plain value (string, finite number, bool, null, array or string-keyed dictionary) of a
    /// YAML node that passed ``YAMLSafetyCheck``. Mapping keys must be scalars; scalars of other
    /// types (timestamps, binary) stay text.
    private static func value(of node: Node, path: String) throws -> Any {
        switch node {
        case let .scalar(scalar):
            switch node.any {
            case let number as Double where !number.isFinite:
                throw TrainingError.invalidConfig("\(path):\(YAMLSafetyCheck.location(of: node))'\(scalar.string)' is not a finite number")
            case let plain as Bool: return plain
            case let plain as Int: return plain
            case let plain as Double: return plain
            case let plain as NSNull: return plain
            default: return scalar.string
            }
        case .alias:
            throw TrainingError.invalidConfig("\(path):\(YAMLSafetyCheck.location(of: node))an alias the parser did not resolve")
        case let .sequence(sequence):
            return try sequence.map { try value(of: $0, path: path) }
        case let .mapping(mapping):
            var dictionary: [String: Any] = [:]
            for (key, element) in mapping {
                guard case let .scalar(scalar) = key else {
                    throw TrainingError.invalidConfig("\(path):\(YAMLSafetyCheck.location(of: key))a key must be a plain name, not a list or mapping")
                }
                dictionary[scalar.string] = try value(of: element, path: path)
            }
            return dictionary
        }
    }

    /// `base` with the keys of `section` replaced.
    private static func overlay<T: Codable>(_ base: T, with section: Any?, section name: String, path: String) throws -> T {
        guard let section else { return base }
        guard let overrides = section as? [String: Any] else {
            throw TrainingError.invalidConfig("\(path): section '\(name)' must be a mapping")
        }
        let encoded = try JSONEncoder().encode(base)
        guard var merged = try JSONSerialization.jsonObject(with: encoded) as? [String: Any] else { return base }
        let known = Set(Mirror(reflecting: base).children.compactMap(\.label))
        for (key, value) in overrides {
            guard known.contains(key) else {
                let known = known.sorted().joined(separator: ", ")
                throw TrainingError.invalidConfig("\(path): unknown key '\(key)' in section '\(name)'; known keys: \(known)")
            }
            merged[key] = value
        }
        do {
            return try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.typeMismatch(type, context) {
            throw TrainingError.invalidConfig("\(path): '\(name).\(context.codingPath.map(\.stringValue).joined(separator: "."))' should be \(type)")
        } catch {
            throw TrainingError.invalidConfig("\(path): section '\(name)': \(error)")
        }
    }
}
