import Foundation
import FuzzInputFile
@testable import RecData

/// The file each input is written to: the reader streams files, as ingestion does.
let input = InputFile(name: "input.csv")

/// Reads the input as a delimited file the way ingestion does: the header, then every record,
/// validating non-ASCII records as UTF-8 and locating every field. The first byte picks the
/// delimiter, header, quoting and trimming; small chunks make records cross chunk boundaries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDelimitedRecords(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let options = data[0]
    let format = TextFormat(
        delimiter: options & 1 == 0 ? "," : "\t", header: options & 2 == 0,
        quote: options & 4 == 0 ? "\"" : nil, trimWhitespace: options & 8 != 0, maxFieldBytes: 512)
    input.write(data + 1, count: size - 1)
    do {
        let reader = try DelimitedRecordReader(
            path: input.path, displayName: "input.csv", format: format, chunkSize: 16 + Int(options >> 4) * 7, maxRecordBytes: 4096)
        _ = try reader.readColumnNames(format: format, declared: format.header ? nil : ["a", "b", "c"])
        while let record = try reader.nextRecord() {
            for index in 0...record.fields.count {
                _ = record.location(ofField: index, file: "input.csv")
            }
            for field in record.fields {
                if record.containsNonASCII { _ = UTF8Validation.firstInvalidOffset(field.bytes) }
                _ = field.text()
            }
        }
    } catch {}
    return 0
}
