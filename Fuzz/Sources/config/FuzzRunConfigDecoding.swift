import Foundation
import Training

/// Decodes the input as a run configuration (YAML or JSON), as `dtrn train --config` does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunConfigDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? RunConfigFile(text: text, path: "config.yaml")
    return 0
}
