/// One raw input value of a feature, as a server receives it (for example from a JSON object).
///
/// Decodes from a JSON string, number, array of strings or numbers, or null.
public enum RawValue: Codable, Sendable, Equatable {
    /// Text: a categorical value, a number written as text, or a separator-joined list.
    case string(String)
    /// A number; for a categorical field an integral number stands for its decimal text (`42` → `"42"`).
    case number(Double)
    /// The items of a sequence, oldest first.
    case list([String])
    /// No value.
    case missing

    /// Decodes any of the JSON forms above.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .missing
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let items = try? container.decode([String].self) {
            self = .list(items)
        } else if let items = try? container.decode([Double].self) {
            self = .list(items.map(Self.text(of:)))
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a string, a number, a list or null")
        }
    }

    /// Encodes the value in the same JSON forms.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .string(text): try container.encode(text)
        case let .number(number): try container.encode(number)
        case let .list(items): try container.encode(items)
        case .missing: try container.encodeNil()
        }
    }

    /// The text of a number as the vocabulary stores it: integral values without a fractional part.
    public static func text(of number: Double) -> String {
        if number.rounded() == number, abs(number) < 9.0e18 { return String(Int64(number)) }
        return String(number)
    }
}
