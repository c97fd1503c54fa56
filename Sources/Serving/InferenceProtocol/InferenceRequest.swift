import Foundation

/// The body of a KServe v2 `POST /v2/models/<name>/infer`:
/// `{"id", "parameters", "inputs": [{"name", "shape", "datatype", "parameters", "data"}], "outputs": [{"name", "parameters"}]}`,
/// `data` flat or nested (row-major) whatever the shape; only `inputs` is required.
///
/// The data of an input is read by its datatype: `INT64` as integers, `FP32` as numbers,
/// `BYTES` as strings; the model takes no other datatype, so any other is refused naming
/// the input. A body that is not this JSON is refused with the JSON path where it goes wrong.
struct InferenceRequest: Decodable, Equatable {
    /// One input tensor.
    struct Input: Decodable, Equatable {
        /// The tensor's name.
        var name: String
        /// Its shape; the first dimension is the batch.
        var shape: [Int]
        /// Its datatype as the protocol spells it (`INT64`, `FP32`, `BYTES`).
        var datatype: String
        /// Its parameters (`binary_data_size` marks the binary extension).
        var parameters: [String: Parameter]?
        /// Its values, flattened row-major.
        var data: TensorData

        private enum CodingKeys: String, CodingKey { case name, shape, datatype, parameters, data }

        /// An input from its parts.
        init(name: String, shape: [Int], datatype: String, parameters: [String: Parameter]?, data: TensorData) {
            self.name = name
            self.shape = shape
            self.datatype = datatype
            self.parameters = parameters
            self.data = data
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            shape = try container.decode([Int].self, forKey: .shape)
            datatype = try container.decode(String.self, forKey: .datatype)
            parameters = try container.decodeIfPresent([String: Parameter].self, forKey: .parameters)
            let data = try container.superDecoder(forKey: .data)
            switch datatype {
            case "INT64": self.data = .int64(try Nested<Int64>(from: data).flattened)
            case "FP32": self.data = .float32(try Nested<Double>(from: data).flattened)
            case "BYTES": self.data = .bytes(try Nested<String>(from: data).flattened)
            default:
                throw InferenceRequest.Refusal(
                    "input '\(name)' has datatype '\(datatype)'; the model takes INT64 and FP32 tensors, or BYTES raw values")
            }
        }
    }

    /// A requested output.
    struct RequestedOutput: Decodable, Equatable {
        /// The output's name (a task).
        var name: String
        /// Its parameters (`binary_data` asks for the binary extension).
        var parameters: [String: Parameter]?
    }

    /// A parameter's value: the protocol allows a string, a number or a boolean.
    enum Parameter: Decodable, Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    /// The values of an input tensor, flattened row-major.
    enum TensorData: Equatable {
        case int64([Int64])
        case float32([Double])
        case bytes([String])

        /// The number of values.
        var count: Int {
            switch self {
            case .int64(let values): values.count
            case .float32(let values): values.count
            case .bytes(let values): values.count
            }
        }
    }

    /// A request the server refuses while reading it, with the reason.
    struct Refusal: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// An identifier the response repeats.
    var id: String?
    /// The request's parameters (`binary_data_output` asks for the binary extension).
    var parameters: [String: Parameter]?
    /// The input tensors.
    var inputs: [Input]
    /// The outputs to return; nil: all of them.
    var outputs: [RequestedOutput]?

    /// The request in `body`, or a 400 saying where it is not the protocol's JSON. The common
    /// form is read by ``InferenceRequestReader``; any other body by `JSONDecoder`.
    static func decode(_ body: [UInt8]) throws(ServingError) -> InferenceRequest {
        guard !body.isEmpty else {
            throw .badRequest(#"an empty body; expected a JSON object {"inputs": [{"name", "shape", "datatype", "data"}, …]}"#)
        }
        if let request = InferenceRequestReader.read(body) { return request }
        do {
            return try JSONDecoder().decode(InferenceRequest.self, from: Data(body))
        } catch let refusal as Refusal {
            throw .badRequest(refusal.message)
        } catch let error as DecodingError {
            throw .badRequest(describe(error))
        } catch {
            throw .badRequest("malformed request: \(error)")
        }
    }

    /// A one-line account of a decoding error, naming the JSON path (`inputs[0].data[3]`).
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { text, key in
                if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == "\(index)" {
                    return text + "[\(index)]"
                }
                return text.isEmpty ? key.stringValue : text + "." + key.stringValue
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let owner = path(context.codingPath)
            return "missing '\(key.stringValue)'" + (owner.isEmpty ? " in the request" : " in '\(owner)'")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "'\(path(context.codingPath))': \(context.debugDescription)"
        case .dataCorrupted(let context):
            let detail = context.underlyingError.map { " \(($0 as NSError).userInfo[NSDebugDescriptionErrorKey] ?? $0)" } ?? ""
            let at = path(context.codingPath)
            return (at.isEmpty ? "malformed JSON: " : "'\(at)': ") + context.debugDescription + detail
        @unknown default:
            return "malformed request: \(error)"
        }
    }
}

/// A tensor's data as JSON gives it: a value, or a list of nested lists and values.
private enum Nested<Value: Decodable>: Decodable {
    case value(Value)
    case list([Nested<Value>])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Value.self) {
            self = .value(value)
        } else if let list = try? container.decode([Nested<Value>].self) {
            self = .list(list)
        } else {
            let expected = Value.self == Int64.self ? "integers" : Value.self == Double.self ? "numbers" : "strings"
            throw DecodingError.typeMismatch(Value.self, .init(
                codingPath: decoder.codingPath, debugDescription: "expected \(expected) or lists of them"))
        }
    }

    /// The values, depth first.
    var flattened: [Value] {
        var values: [Value] = []
        func walk(_ node: Nested<Value>) {
            switch node {
            case .value(let value): values.append(value)
            case .list(let items): items.forEach(walk)
            }
        }
        walk(self)
        return values
    }
}
