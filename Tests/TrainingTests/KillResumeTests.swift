import Foundation
import Training
import XCTest

/// `dtrn train` killed with SIGKILL — while a checkpoint is being written, as one appears, and
/// at an arbitrary moment — and resumed each time ends with the very files of a run never
/// interrupted, and after every kill the run folder's latest checkpoint is complete. (The
/// 20-kill battery is `bench/kill-resume.sh`.)
final class KillResumeTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kill-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            model: {model: shared-bottom, embeddingDimension: 4, bottomHidden: [16], towerHidden: [8]}
            training: {batchSize: 100, patience: 0}
            """.write(to: folder.appendingPathComponent("run.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private let epochs = 5

    /// Starts `dtrn train` into run folder `name`, resuming when it has a checkpoint.
    private func startTraining(_ name: String) throws -> Process {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dtrn")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("no dtrn executable at \(binary.path); build it with `swift build --product dtrn`")
        }
        let run = folder.appendingPathComponent(name)
        let resume = FileManager.default.fileExists(atPath: run.appendingPathComponent("run.json").path)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["train", "--synthetic-rows", "1000", "--synthetic-eval-rows", "200", "--epochs", "\(epochs)",
                             "--config", folder.appendingPathComponent("run.yaml").path, "--threads", "1",
                             "--out", run.path] + (resume ? ["--resume"] : [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `appeared` holds for the names in run folder `run` (or the process ends).
    private func wait(for process: Process, in run: URL, until appeared: ([String]) -> Bool) {
        while process.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
            if appeared(names) { return }
            usleep(500)
        }
    }

    /// The run's metrics without their wall-clock fields.
    private func steadyMetrics(_ run: URL) throws -> String {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .replacingOccurrences(of: #""(seconds|samplesPerSecond)":[-+0-9.eE]+"#, with: "\"$1\":_", options: .regularExpression)
    }

    func testThreeKillsAndResumesEndWithTheFilesOfAnUninterruptedRun() throws {
        let reference = try startTraining("reference")
        let started = Date()
        reference.waitUntilExit()
        XCTAssertEqual(reference.terminationStatus, 0)
        let duration = Date().timeIntervalSince(started)

        let run = folder.appendingPathComponent("killed")
        let moments: [(String, (Process) -> Void)] = [
            ("while epoch 2's checkpoint is written", { self.wait(for: $0, in: run) { $0.contains { $0.hasPrefix(".epoch-002.tmp") } } }),
            ("as epoch 3's checkpoint appears", { self.wait(for: $0, in: run) { $0.contains("epoch-003") } }),
            ("midway through what is left", { _ in usleep(UInt32(duration * 0.4 * 1e6)) }),
        ]
        var killed = 0
        for (moment, wait) in moments {
            let process = try startTraining("killed")
            wait(process)
            guard process.isRunning else { continue }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            killed += 1
            if let index = try RunDirectory(run).index() {
                let latest = run.appendingPathComponent(index.latest)
                XCTAssertNoThrow(try Checkpoint.read(latest).loadModel(from: latest), "after the kill \(moment)")
            }
        }
        XCTAssertGreaterThanOrEqual(killed, 2, "the kills came after the run had ended")
        var resumes = 0
        while try RunDirectory(run).index()?.latest != String(format: "epoch-%03d", epochs) && resumes < 5 {
            let process = try startTraining("killed")
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            resumes += 1
        }

        let last = String(format: "epoch-%03d", epochs)
        for file in ["\(last)/model.tensors", "\(last)/optimizer.tensors", "run.json"] {
            XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent(file)),
                           try Data(contentsOf: folder.appendingPathComponent("reference").appendingPathComponent(file)), file)
        }
        XCTAssertEqual(try steadyMetrics(run), try steadyMetrics(folder.appendingPathComponent("reference")))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "the temporary files and folders of killed writes are gone")
    }
}
