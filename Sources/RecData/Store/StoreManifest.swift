/// The record of how a dataset store was built, used to decide whether it can be reused.
public struct StoreManifest: Codable, Sendable, Equatable {
    /// The store format this code writes and reads; a cached store of another version is rebuilt,
    /// and opening one is refused with a ``FormatVersionError``. Version 3 records whether the
    /// encoder trims values (``FeatureEncoder/trimWhitespace``); version 2 narrowed categorical ids
    /// to the fewest bytes holding them; version 1 kept four bytes each.
    public static let currentFormatVersion = 3

    /// An input file as it was when ingested.
    public struct SourceStamp: Codable, Sendable, Equatable {
        /// The absolute path.
        public var path: String
        /// The split(s) its rows went to, e.g. `train` or `divided 0.1/0.1 seed 7`.
        public var role: String
        /// The size in bytes.
        public var bytes: Int
        /// The modification time, seconds since 1970.
        public var modified: Double
    }

    /// One array file of a split.
    public struct FileEntry: Codable, Sendable, Equatable {
        /// The file name within the split's folder.
        public var name: String
        /// The size in bytes.
        public var bytes: Int
        /// `Checksum` of the content, in hexadecimal.
        public var checksum: String
    }

    /// One split.
    public struct SplitEntry: Codable, Sendable, Equatable {
        /// The split.
        public var name: SplitName
        /// Its number of samples.
        public var rowCount: Int
        /// Its array files.
        public var files: [FileEntry]
    }

    /// The format version.
    public var formatVersion: Int
    /// The fingerprint of the `DataSchema` ingested, in hexadecimal (empty for data produced already encoded).
    public var schemaFingerprint: String
    /// The input files.
    public var sources: [SourceStamp]
    /// The splits.
    public var splits: [SplitEntry]
    /// The size of each categorical and sequence field's vocabulary, by field name.
    public var vocabularySizes: [String: Int]
    /// Malformed rows skipped under `--max-bad-rows`.
    public var skippedRows: Int
}
