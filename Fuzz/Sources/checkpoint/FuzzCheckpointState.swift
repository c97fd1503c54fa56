import Foundation
import Training

/// The checkpoint folder each input is written into, as its `checkpoint.json`.
let folder = URL(fileURLWithPath: NSTemporaryDirectory() + "dtrn-fuzz-checkpoint-\(getpid())")

/// Reads the input as a checkpoint's `checkpoint.json`, as `dtrn eval`, `predict`, `serve` and
/// `train --resume` do before anything else.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpointState(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("checkpoint.json")
    guard FileManager.default.createFile(atPath: file.path, contents: Data(bytes: data, count: size)) else {
        fatalError("cannot write \(file.path)")
    }
    _ = try? Checkpoint.read(folder)
    return 0
}
