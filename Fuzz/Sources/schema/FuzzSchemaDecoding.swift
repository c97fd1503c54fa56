import Foundation
import RecData

/// Decodes the input as a data schema, YAML or (when it starts with `{`) JSON, as
/// `dtrn data ingest --schema` does, and writes a decoded schema back to YAML.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchemaDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let json = text.first == "{"
    if let schema = try? DataSchema.parse(text, source: json ? "schema.json" : "schema.yaml", json: json) {
        _ = try? schema.yaml()
        _ = schema.fingerprint
    }
    return 0
}
