/// Reads the common form of a KServe v2 infer body straight from its bytes, without
/// `JSONDecoder`: the keys `id`, `parameters`, `inputs` and `outputs` once each; per input
/// `name`, `shape`, `datatype` (before `data`), `parameters` and `data`, flat or nested; strings
/// without escapes; integers, numbers, booleans.
///
/// Anything else — a body that is not valid, an unknown key, an escape, a datatype the model
/// does not take, a value the datatype does not fit — is not the common case: the reader gives
/// nil and ``InferenceRequest/decode(_:)`` reads the body with `JSONDecoder`, which accepts or
/// refuses it with the error naming its JSON path. So what this reader accepts it reads as
/// `JSONDecoder` would, and every error stays the one the decoder gives.
struct InferenceRequestReader {
    /// The deepest nesting of `data` read here.
    static let maxDepth = 8

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The request in `body` when it has the common form, nil otherwise.
    static func read(_ body: [UInt8]) -> InferenceRequest? {
        var reader = InferenceRequestReader(body)
        guard let request = reader.request() else { return nil }
        reader.skipWhitespace()
        return reader.index == body.count ? request : nil
    }

    // MARK: - The request

    private mutating func request() -> InferenceRequest? {
        var id: String?, parameters: [String: InferenceRequest.Parameter]?
        var inputs: [InferenceRequest.Input]?, outputs: [InferenceRequest.RequestedOutput]?
        let complete = members { (reader: inout InferenceRequestReader, key: String) -> Bool in
            switch key {
            case "id":
                id = reader.string()
                return id != nil
            case "parameters":
                parameters = reader.parameters()
                return parameters != nil
            case "inputs":
                inputs = reader.list { $0.input() }
                return inputs != nil
            case "outputs":
                outputs = reader.list { $0.output() }
                return outputs != nil
            default:
                return false
            }
        }
        guard complete, let inputs else { return nil }
        return InferenceRequest(id: id, parameters: parameters, inputs: inputs, outputs: outputs)
    }

    private mutating func input() -> InferenceRequest.Input? {
        var name: String?, shape: [Int]?, datatype: String?
        var parameters: [String: InferenceRequest.Parameter]?, data: InferenceRequest.TensorData?
        let complete = members { (reader: inout InferenceRequestReader, key: String) -> Bool in
            switch key {
            case "name":
                name = reader.string()
                return name != nil
            case "shape":
                shape = reader.list { $0.integer().flatMap { Int(exactly: $0) } }
                return shape != nil
            case "datatype":
                datatype = reader.string()
                return datatype != nil
            case "parameters":
                parameters = reader.parameters()
                return parameters != nil
            case "data":
                switch datatype {
                case "INT64": data = reader.flattened { $0.integer() }.map { .int64($0) }
                case "FP32": data = reader.flattened { $0.number() }.map { .float32($0) }
                case "BYTES": data = reader.flattened { $0.string() }.map { .bytes($0) }
                default: return false
                }
                return data != nil
            default:
                return false
            }
        }
        guard complete, let name, let shape, let datatype, let data else { return nil }
        return InferenceRequest.Input(name: name, shape: shape, datatype: datatype, parameters: parameters, data: data)
    }

    private mutating func output() -> InferenceRequest.RequestedOutput? {
        var name: String?, parameters: [String: InferenceRequest.Parameter]?
        let complete = members { (reader: inout InferenceRequestReader, key: String) -> Bool in
            switch key {
            case "name":
                name = reader.string()
                return name != nil
            case "parameters":
                parameters = reader.parameters()
                return parameters != nil
            default:
                return false
            }
        }
        guard complete, let name else { return nil }
        return InferenceRequest.RequestedOutput(name: name, parameters: parameters)
    }

    /// `{"key": a string, a number or a boolean, …}`.
    private mutating func parameters() -> [String: InferenceRequest.Parameter]? {
        var parameters: [String: InferenceRequest.Parameter] = [:]
        let complete = members { (reader: inout InferenceRequestReader, key: String) -> Bool in
            guard let value = reader.parameter() else { return false }
            parameters[key] = value
            return true
        }
        return complete ? parameters : nil
    }

    private mutating func parameter() -> InferenceRequest.Parameter? {
        switch peek() {
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "\""): return string().map { .string($0) }
        default: return number().map { .number($0) }
        }
    }

    /// A value or nested lists of values, depth first.
    private mutating func flattened<Value>(_ value: (inout InferenceRequestReader) -> Value?) -> [Value]? {
        var values: [Value] = []
        func walk(_ reader: inout InferenceRequestReader, depth: Int) -> Bool {
            guard reader.peek() == UInt8(ascii: "[") else {
                guard let scalar = value(&reader) else { return false }
                values.append(scalar)
                return true
            }
            guard depth < Self.maxDepth else { return false }
            return reader.elements { walk(&$0, depth: depth + 1) }
        }
        return walk(&self, depth: 0) ? values : nil
    }

    /// `[element, …]` of one kind.
    private mutating func list<Element>(_ element: (inout InferenceRequestReader) -> Element?) -> [Element]? {
        guard peek() == UInt8(ascii: "[") else { return nil }
        var items: [Element] = []
        let complete = elements { reader in
            guard let item = element(&reader) else { return false }
            items.append(item)
            return true
        }
        return complete ? items : nil
    }

    // MARK: - Containers

    /// Reads `{"key": value, …}`, calling `member` at each value; false when a member does or
    /// the object is malformed. Keys may not repeat.
    private mutating func members(_ member: (inout InferenceRequestReader, String) -> Bool) -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { return false }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1; return true }
        var keys: Set<String> = []
        while true {
            skipWhitespace()
            guard let key = string(), keys.insert(key).inserted else { return false }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            guard member(&self, key) else { return false }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return true
            default: return false
            }
        }
    }

    /// Reads `[value, …]`, calling `element` at each value; false when an element does or the
    /// list is malformed.
    private mutating func elements(_ element: (inout InferenceRequestReader) -> Bool) -> Bool {
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return true }
        while true {
            skipWhitespace()
            guard element(&self) else { return false }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return true
            default: return false
            }
        }
    }

    // MARK: - Scalars

    /// A string without escapes or control characters, valid UTF-8.
    private mutating func string() -> String? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        index = end + 1
        return String(validating: bytes[start..<end], as: UTF8.self)
    }

    /// An integer: an optional minus and digits, no leading zero, within Int64.
    private mutating func integer() -> Int64? {
        var end = index
        if end < bytes.count, bytes[end] == UInt8(ascii: "-") { end += 1 }
        let digits = end
        while end < bytes.count, (48...57).contains(bytes[end]) { end += 1 }
        guard end > digits, end - digits == 1 || bytes[digits] != UInt8(ascii: "0"),
              end == bytes.count || !Self.continuesNumber(bytes[end]),
              let value = Int64(String(decoding: bytes[index..<end], as: UTF8.self)) else { return nil }
        index = end
        return value
    }

    /// A JSON number, correctly rounded, finite, and not a nonzero number rounded to 0.
    private mutating func number() -> Double? {
        var end = index
        func digits() -> Bool {
            let start = end
            while end < bytes.count, (48...57).contains(bytes[end]) { end += 1 }
            return end > start
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "-") { end += 1 }
        let integral = end
        guard digits(), end - integral == 1 || bytes[integral] != UInt8(ascii: "0") else { return nil }
        if end < bytes.count, bytes[end] == UInt8(ascii: ".") {
            end += 1
            guard digits() else { return nil }
        }
        let mantissa = bytes[index..<end]
        if end < bytes.count, bytes[end] | 0x20 == UInt8(ascii: "e") {
            end += 1
            if end < bytes.count, bytes[end] == UInt8(ascii: "+") || bytes[end] == UInt8(ascii: "-") { end += 1 }
            guard digits() else { return nil }
        }
        guard let value = Double(String(decoding: bytes[index..<end], as: UTF8.self)), value.isFinite else { return nil }
        // A nonzero number that underflows to 0 (1e-400) is left to JSONDecoder, which refuses it.
        guard value != 0 || !mantissa.contains(where: { (49...57).contains($0) }) else { return nil }
        index = end
        return value
    }

    private static func continuesNumber(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e") || (48...57).contains(byte)
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes[index...].starts(with: expected) else { return false }
        index += expected.count
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }
}
