import Foundation
import FuzzInputFile
import RecData

/// A small store written by `dtrn data ingest`, whose manifest each input replaces.
let fixtureStore = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/store").path

/// The copy of the store that the inputs are written into.
let store: String = {
    let copy = InputFile.scratchDirectory + "dtrn-fuzz-store-\(getpid())"
    try? FileManager.default.removeItem(atPath: copy)
    do {
        try FileManager.default.copyItem(atPath: fixtureStore, toPath: copy)
    } catch {
        fatalError("cannot copy the fixture store \(fixtureStore): \(error)")
    }
    return copy
}()

/// The copy's `manifest.json`.
let manifest = InputFile(name: "manifest.json", in: store)

/// Reads the input as a store's `manifest.json`, then opens the store it describes (the real
/// column files of the fixture), verifying checksums, as `--data STORE` does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStoreManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    manifest.write(data, count: size)
    guard (try? DatasetStore.readManifest(store)) != nil else { return 0 }
    _ = try? DatasetStore.open(store, verifyChecksums: true)
    return 0
}
