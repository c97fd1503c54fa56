import Foundation

/// A persisted file whose format version this build does not read: written by an older dtrn
/// (a lower version, or none recorded) or by a newer one.
///
/// It renders as one line naming the file and both versions, e.g. `runs/a/epoch-002/checkpoint.json
/// was written by an older version of dtrn (format 1, this build reads 2); train the model again`.
public struct FormatVersionError: Error, Equatable, CustomStringConvertible {
    /// The file concerned.
    public let file: String
    /// The version the file records, nil when it records none.
    public let found: Int?
    /// The versions this build reads.
    public let readable: ClosedRange<Int>
    /// What to do about a file that is too old.
    public let remedy: String

    /// The file and the two versions, in one line.
    public var description: String {
        let reads = readable.count == 1 ? "\(readable.upperBound)" : "\(readable.lowerBound)…\(readable.upperBound)"
        if let found, found > readable.upperBound {
            return "\(file) was written by a newer version of dtrn (format \(found), this build reads \(reads)); use that version or a later one"
        }
        let written = found.map { "format \($0)" } ?? "no format version recorded"
        return "\(file) was written by an older version of dtrn (\(written), this build reads \(reads)); \(remedy)"
    }
}

/// The check every versioned JSON file of dtrn passes before it is decoded: its version field
/// is read first, so that a file of another version is refused by name and version rather than
/// misread or reported as a decoding error deep inside.
public enum FormatVersion {
    /// Throws ``FormatVersionError`` unless the JSON object in `data` records at `key` a version
    /// in `readable`. Data that is not a JSON object passes (its decoding reports the problem).
    public static func check(
        _ data: Data, key: String, readable: ClosedRange<Int>, file: String, remedy: String
    ) throws(FormatVersionError) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return }
        let found = (object[key] as? NSNumber)?.intValue
        if let found, readable.contains(found) { return }
        throw FormatVersionError(file: file, found: found, readable: readable, remedy: remedy)
    }
}
