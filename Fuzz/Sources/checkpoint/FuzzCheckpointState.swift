import Foundation
import FuzzInputFile
import Training

/// The checkpoint folder each input is written into, as its `checkpoint.json`.
let folder: URL = {
    let folder = URL(fileURLWithPath: InputFile.scratchDirectory + "dtrn-fuzz-checkpoint-\(getpid())")
    do {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
        fatalError("cannot create \(folder.path): \(error)")
    }
    return folder
}()

/// The folder's `checkpoint.json`.
let state = InputFile(name: "checkpoint.json", in: folder.path)

/// Reads the input as a checkpoint's `checkpoint.json`, as `dtrn eval`, `predict`, `serve` and
/// `train --resume` do before anything else.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpointState(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    state.write(data, count: size)
    _ = try? Checkpoint.read(folder)
    return 0
}
