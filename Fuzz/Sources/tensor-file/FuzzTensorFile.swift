import Foundation
import NN

/// The file each input is written to.
let file = URL(fileURLWithPath: NSTemporaryDirectory() + "dtrn-fuzz-tensors-\(getpid()).tensors")

/// Opens the input as a tensor file (parameters, optimiser state) and reads every tensor it lists.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTensorFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: file.path, contents: Data(bytes: data, count: size)) else {
        fatalError("cannot write \(file.path)")
    }
    defer { unlink(file.path) }
    guard let tensors = try? TensorFile(contentsOf: file) else { return 0 }
    for entry in tensors.entries {
        _ = try? tensors.tensor(named: entry.name)
    }
    _ = try? tensors.checkMetadata(TensorFile.contentKey, is: "parameters")
    return 0
}
