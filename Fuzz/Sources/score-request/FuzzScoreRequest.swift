import Foundation
@testable import Serving
import Training

/// The instance encoder of a small checkpoint written by `dtrn train` (users, items, a price
/// and a click history).
let encoder: InstanceEncoder = {
    let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/checkpoint.json")
    do {
        let checkpoint = try JSONDecoder().decode(Checkpoint.self, from: Data(contentsOf: fixture))
        return InstanceEncoder(schema: checkpoint.schema, encoder: checkpoint.encoder, unknownFields: .reject)
    } catch {
        fatalError("cannot read the fixture checkpoint \(fixture.path): \(error)")
    }
}()

/// Reads the input as the body of `POST /v1/score` and encodes its instances for the model, the
/// path every request body takes before scoring.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScoreRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    guard let instances = try? ScoreRequest.instances(in: body) else { return 0 }
    _ = try? encoder.encode(instances)
    return 0
}
