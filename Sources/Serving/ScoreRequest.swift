import RecData

/// Reads the body of `POST /v1/score`, `{"instances": [{"<feature>": value, …}, …]}`, each
/// value a string, a number, a list of strings or of numbers (a sequence, oldest first), or
/// null; other top-level keys are skipped.
///
/// It yields exactly the ``RawValue``s that `JSONDecoder` gives `dtrn predict` for the same
/// JSON (numbers read with correct rounding, numbers in lists written as the vocabulary
/// writes them), at a fraction of the cost: a scoring request is mostly JSON to read. And it
/// says where input goes wrong — a body that is not the expected JSON is a 400 with the byte
/// offset, a value of the wrong type a 422 naming the instance and the feature.
struct ScoreRequest {
    /// The deepest nesting of skipped values accepted.
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The instances of a request body, in order.
    static func instances(in body: [UInt8]) throws(ServingError) -> [[String: RawValue]] {
        var reader = ScoreRequest(body)
        return try reader.document()
    }

    // MARK: - Structure

    private mutating func document() throws(ServingError) -> [[String: RawValue]] {
        let expected = #"expected a JSON object {"instances": [{"<feature>": value, …}, …]}"#
        skipWhitespace()
        guard index < bytes.count else { throw .badRequest("an empty body; \(expected)") }
        guard peek() == UInt8(ascii: "{") else {
            try skipValue(depth: 0)
            throw .badRequest(expected)
        }
        var instances: [[String: RawValue]]?
        try members { (reader: inout ScoreRequest, key: String) throws(ServingError) in
            if key == "instances" {
                instances = try reader.instanceList()
            } else {
                try reader.skipValue(depth: 1)
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw malformed("unexpected text after the JSON object") }
        guard let instances else { throw .badRequest(expected) }
        return instances
    }

    private mutating func instanceList() throws(ServingError) -> [[String: RawValue]] {
        skipWhitespace()
        guard peek() == UInt8(ascii: "[") else {
            try skipValue(depth: 1)
            throw .badRequest("'instances' must be a list of objects")
        }
        var instances: [[String: RawValue]] = []
        try elements { (reader: inout ScoreRequest) throws(ServingError) in
            instances.append(try reader.instance(instances.count))
        }
        return instances
    }

    private mutating func instance(_ number: Int) throws(ServingError) -> [String: RawValue] {
        guard peek() == UInt8(ascii: "{") else {
            let found = try describeSkippedValue()
            throw .invalidInstance("instance \(number): expected an object of feature values, found \(found)")
        }
        var values: [String: RawValue] = [:]
        try members { (reader: inout ScoreRequest, key: String) throws(ServingError) in
            values[key] = try reader.featureValue { "instance \(number): feature '\(key)': \($0)" }
        }
        return values
    }

    /// A feature's value; `context` prefixes a type error with the instance and the feature.
    private mutating func featureValue(_ context: (String) -> String) throws(ServingError) -> RawValue {
        switch peek() ?? 0 {
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "n"):
            try literal("null")
            return .missing
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try finiteNumber(context))
        case UInt8(ascii: "["):
            return .list(try list(context))
        default:
            let found = try describeSkippedValue()
            throw .invalidInstance(context("expected a string, a number, a list or null, found \(found)"))
        }
    }

    /// A list of strings or a list of numbers (written as the vocabulary writes them).
    private mutating func list(_ context: (String) -> String) throws(ServingError) -> [String] {
        var items: [String] = []
        var numbers: Bool?
        try elements { (reader: inout ScoreRequest) throws(ServingError) in
            let isNumber = reader.peek() == UInt8(ascii: "-") || (reader.peek().map { (48...57).contains($0) } ?? false)
            guard reader.peek() == UInt8(ascii: "\"") || isNumber else {
                let found = try reader.describeSkippedValue()
                throw .invalidInstance(context("expected a list of strings or of numbers, found \(found) in the list"))
            }
            guard numbers == nil || numbers == isNumber else {
                throw .invalidInstance(context("expected a list of strings or of numbers, found both"))
            }
            numbers = isNumber
            items.append(isNumber ? RawValue.text(of: try reader.finiteNumber(context)) : try reader.string())
        }
        return items
    }

    // MARK: - Containers

    /// Reads `{ "key": value, … }`, calling `member` with the reader at each value.
    private mutating func members(
        _ member: (inout ScoreRequest, String) throws(ServingError) -> Void
    ) throws(ServingError) {
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw malformed("expected a quoted key") }
            let key = try string()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw malformed("expected ':' after a key") }
            index += 1
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return
            default: throw malformed("expected ',' or '}'")
            }
        }
    }

    /// Reads `[ value, … ]`, calling `element` with the reader at each value.
    private mutating func elements(_ element: (inout ScoreRequest) throws(ServingError) -> Void) throws(ServingError) {
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return
            default: throw malformed("expected ',' or ']'")
            }
        }
    }

    /// Checks and passes over any JSON value.
    private mutating func skipValue(depth: Int) throws(ServingError) {
        guard depth < Self.maxDepth else { throw malformed("nesting deeper than \(Self.maxDepth) levels") }
        skipWhitespace()
        guard let first = peek() else { throw malformed("unexpected end of the body") }
        switch first {
        case UInt8(ascii: "{"):
            try members { (reader: inout ScoreRequest, _: String) throws(ServingError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try elements { (reader: inout ScoreRequest) throws(ServingError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        default: throw malformed("expected a value")
        }
    }

    /// Passes over a value the caller refuses, naming its kind (after checking it is JSON).
    private mutating func describeSkippedValue() throws(ServingError) -> String {
        let first = peek()
        try skipValue(depth: 1)
        switch first {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "a list"
        case UInt8(ascii: "t"): return "true"
        case UInt8(ascii: "f"): return "false"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "\""): return "a string"
        default: return "a number"
        }
    }

    // MARK: - Scalars

    private mutating func string() throws(ServingError) -> String {
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
            index += 1
        }
        if peek() == UInt8(ascii: "\"") {
            index += 1
            return try text(bytes[start..<index - 1])
        }
        var scalars = Array(bytes[start..<index])
        while let byte = peek(), byte != UInt8(ascii: "\"") {
            guard byte >= 0x20 else { throw malformed("a control character in a string") }
            index += 1
            guard byte == UInt8(ascii: "\\") else { scalars.append(byte); continue }
            guard let escaped = peek() else { break }
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"): scalars.append(contentsOf: try unicodeEscape())
            default: throw malformed("an unknown escape '\\\(Character(Unicode.Scalar(escaped)))'")
            }
        }
        guard peek() == UInt8(ascii: "\"") else { throw malformed("an unterminated string") }
        index += 1
        return try text(scalars[...])
    }

    /// The UTF-8 bytes of a `\uXXXX` escape (a surrogate pair taking two), after the `u`.
    private mutating func unicodeEscape() throws(ServingError) -> [UInt8] {
        var value = try hexQuad()
        if (0xD800..<0xDC00).contains(value) {
            guard bytes[index...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                throw malformed("a lone surrogate in a \\u escape")
            }
            index += 2
            let low = try hexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw malformed("a lone surrogate in a \\u escape") }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw malformed("a lone surrogate in a \\u escape") }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func hexQuad() throws(ServingError) -> UInt32 {
        guard index + 4 <= bytes.count,
              let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw malformed("expected four hex digits after \\u")
        }
        index += 4
        return value
    }

    private func text(_ utf8: ArraySlice<UInt8>) throws(ServingError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw malformed("a string that is not UTF-8") }
        return text
    }

    /// A JSON number, correctly rounded.
    private mutating func number() throws(ServingError) -> Double {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard skipDigits(leadingZero: true) else { throw malformed("a malformed number") }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard skipDigits(leadingZero: false) else { throw malformed("a malformed number") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard skipDigits(leadingZero: false) else { throw malformed("a malformed number") }
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw malformed("a malformed number")
        }
        return value
    }

    private mutating func finiteNumber(_ context: (String) -> String) throws(ServingError) -> Double {
        let start = index
        let value = try number()
        guard value.isFinite else {
            throw .invalidInstance(context("expected a finite number, found \(String(decoding: bytes[start..<index], as: UTF8.self))"))
        }
        return value
    }

    /// Passes over digits; false if there are none. In an integer part a leading zero stands alone.
    private mutating func skipDigits(leadingZero: Bool) -> Bool {
        let start = index
        while let byte = peek(), (48...57).contains(byte) { index += 1 }
        guard index > start else { return false }
        return !(leadingZero && bytes[start] == UInt8(ascii: "0") && index - start > 1)
    }

    private mutating func literal(_ word: StaticString) throws(ServingError) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes[index...].starts(with: expected) else { throw malformed("expected \(word)") }
        index += expected.count
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), Self.isWhitespace(byte) { index += 1 }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func malformed(_ problem: String) -> ServingError {
        .badRequest("malformed JSON at byte \(index): \(problem)")
    }
}
