/// How a delimited text file (CSV, TSV, …) is laid out.
public struct TextFormat: Codable, Sendable, Equatable {
    /// The field separator, one ASCII character (`","`, `"\t"`, `";"`, …).
    public var delimiter: String
    /// Whether the first line names the columns.
    public var header: Bool
    /// The quote character, or nil when fields are never quoted.
    public var quote: String?
    /// Field values that mean "unknown" (compared after trimming).
    public var missing: [String]
    /// Whether spaces and tabs around unquoted fields are dropped (the UCI files put a space after each comma).
    public var trimWhitespace: Bool
    /// The longest field accepted, in bytes; longer ones are an error rather than unbounded memory.
    public var maxFieldBytes: Int

    /// A format; the defaults describe a comma-separated file with a header, `"` quotes and `?`/empty as missing.
    public init(
        delimiter: String = ",", header: Bool = true, quote: String? = "\"", missing: [String] = ["", "?"],
        trimWhitespace: Bool = false, maxFieldBytes: Int = 1 << 20
    ) {
        self.delimiter = delimiter
        self.header = header
        self.quote = quote
        self.missing = missing
        self.trimWhitespace = trimWhitespace
        self.maxFieldBytes = maxFieldBytes
    }

    private enum CodingKeys: String, CodingKey {
        case delimiter, header, quote, missing, trimWhitespace, maxFieldBytes
    }

    /// Decodes a format in which every key is optional and falls back to the defaults of `init`.
    public init(from decoder: Decoder) throws {
        let defaults = TextFormat()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        delimiter = try container.decodeIfPresent(String.self, forKey: .delimiter) ?? defaults.delimiter
        header = try container.decodeIfPresent(Bool.self, forKey: .header) ?? defaults.header
        quote = container.contains(.quote) ? try container.decodeIfPresent(String.self, forKey: .quote) : defaults.quote
        missing = try container.decodeIfPresent([String].self, forKey: .missing) ?? defaults.missing
        trimWhitespace = try container.decodeIfPresent(Bool.self, forKey: .trimWhitespace) ?? defaults.trimWhitespace
        maxFieldBytes = try container.decodeIfPresent(Int.self, forKey: .maxFieldBytes) ?? defaults.maxFieldBytes
    }
}
