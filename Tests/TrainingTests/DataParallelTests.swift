import Foundation
import Models
import Training
import XCTest

/// `dtrn train` under `mpirun`: N processes at global batch B take the steps one process takes
/// at B — the same weights to float-summation tolerance and the same per-task test metrics —
/// with even and uneven shares; a process that dies or was started differently ends the job
/// with a clear message instead of a hang.
final class DataParallelTests: XCTestCase {
    private var folder: URL!

    /// The largest |Δ| between a distributed run's and the one-process run's weights, relative
    /// to the largest weight of the tensor: sums taken in another order differ by a few ulps per
    /// step, which Adam's normalised steps carry to about 2e-4 over twenty steps.
    static let weightTolerance: Float = 1e-3

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("data-parallel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: Equivalence

    func testTwoAndThreeProcessesTrainMMoEWithBatchNormAsOneDoes() throws {
        // 1000 rows at batch 96: ten full batches and one of 40 rows; thirds of 96 and of 40 are uneven.
        let arguments = Self.synthetic + ["--model", "mmoe", "--preset", "rechub", "--batch-size", "96", "--config", try sgd()]
        try assertEquivalent(arguments, processes: [2, 3])
    }

    func testTwoProcessesTrainDTRNWithUncertaintyWeightingAsOneDoes() throws {
        let config = folder.appendingPathComponent("dtrn.yaml")
        try "model:\n  model: dtrn\n  embeddingDimension: 4\n  feedForwardHidden: 8\n  towerHidden: [8]\n  dropout: 0\n"
            .appending("training:\n  uncertaintyWeighting: true\n  batchSize: 100\n").write(to: config, atomically: true, encoding: .utf8)
        try assertEquivalent(Self.synthetic + ["--config", config.path], processes: [2])
    }

    func testTwoProcessesTrainOnCensusIncomeAsOneDoes() throws {
        let census = "../shared/data/census-income"
        guard FileManager.default.fileExists(atPath: census) else { throw XCTSkip("no Census-Income data at \(census)") }
        let cache = folder.appendingPathComponent("cache").path
        let sample = folder.appendingPathComponent("census")
        try FileManager.default.createDirectory(at: sample, withIntermediateDirectories: true)
        // The first rows of both files keep the test quick in a debug build.
        for file in ["census-income.data.csv", "census-income.test.csv"] {
            let lines = try String(contentsOfFile: "\(census)/\(file)", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            try (lines.prefix(3001).joined(separator: "\n") + "\n").write(to: sample.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        try assertEquivalent(["--data", "census-income", "--input", sample.path, "--cache", cache, "--model", "ple",
                              "--preset", "rechub", "--batch-size", "256", "--epochs", "1", "--config", try sgd()], processes: [2])
    }

    // MARK: Faults

    func testAKilledProcessEndsTheJobWithAMessage() throws {
        let out = folder.appendingPathComponent("killed")
        let log = folder.appendingPathComponent("killed.log")
        let process = try mpirun(processes: 2, Self.synthetic + ["--synthetic-rows", "20000", "--epochs", "50", "--out", out.path],
                                 log: log)
        // Rank 1 dies once training is under way.
        var victim: Int32?
        for _ in 0..<600 where victim == nil {
            Thread.sleep(forTimeInterval: 0.1)
            if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("data-parallel:") {
                victim = try Self.pid(ofRank: 1, under: process.processIdentifier)
            }
        }
        guard let victim else { process.terminate(); return XCTFail("training did not start: \(Self.text(log))") }
        kill(victim, SIGKILL)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertFalse(process.isRunning, "the job still runs 60 s after a rank died")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        let text = Self.text(log)
        XCTAssertTrue(text.contains("exited on signal 9") || text.contains("terminated by the MPI launcher"), text)
    }

    func testProcessesStartedWithDifferentSettingsAreRefused() throws {
        let log = folder.appendingPathComponent("mismatch.log")
        // Rank 1 gets another learning rate through its own command line.
        let script = "exec \"$0\" train \"$@\" --lr $((OMPI_COMM_WORLD_RANK + 1))e-3"
        let process = try mpirun(processes: 2, ["sh", "-c", script, try Self.executable().path]
                                     + Self.synthetic + ["--out", folder.appendingPathComponent("mismatch").path],
                                 log: log, command: nil)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        let text = Self.text(log)
        XCTAssertTrue(text.contains("training config differs from rank 0's on rank 1"), text)
        XCTAssertTrue(text.contains("\"learningRate\":0.002"), text)
    }

    // MARK: Support

    /// A config of SGD with momentum. The models with batch norm are compared under SGD: the
    /// bias of a linear layer feeding a batch norm has an exact gradient of 0, which Adam's
    /// normalised step turns from float noise into full-size steps — in one process as in
    /// several (see docs/distributed.md) — while SGD leaves it at the noise.
    private func sgd() throws -> String {
        let config = folder.appendingPathComponent("sgd.yaml")
        try "training:\n  optimizer: sgd\n  learningRate: 0.05\n".write(to: config, atomically: true, encoding: .utf8)
        return config.path
    }

    private static let synthetic = ["--synthetic-rows", "1000", "--synthetic-eval-rows", "400", "--epochs", "2"]

    /// Trains with `arguments` in one process and under `mpirun -np n` for each of `processes`,
    /// and compares the last checkpoints' weights and the test reports.
    private func assertEquivalent(_ arguments: [String], processes: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let single = try train(arguments, processes: 1)
        for n in processes {
            let distributed = try train(arguments, processes: n)
            XCTAssertEqual(distributed.model.count, single.model.count)
            var worst: Float = 0
            for ((name, a), (_, b)) in zip(single.model, distributed.model) {
                let scale = max(a.map(abs).max() ?? 0, 1e-3)
                let delta = zip(a, b).map { abs($0 - $1) }.max() ?? 0
                worst = max(worst, delta / scale)
                XCTAssertLessThanOrEqual(delta / scale, Self.weightTolerance, "\(name) with \(n) processes", file: file, line: line)
            }
            print("\(n) processes: largest relative weight difference \(worst)")
            for (a, b) in zip(single.report.tasks, distributed.report.tasks) {
                XCTAssertEqual(a.auc ?? 0, b.auc ?? 0, accuracy: 1e-4, "\(a.name) test AUC with \(n) processes", file: file, line: line)
                XCTAssertEqual(a.logloss ?? 0, b.logloss ?? 0, accuracy: 1e-4, "\(a.name) logloss", file: file, line: line)
                XCTAssertEqual(a.n, b.n, file: file, line: line)
            }
        }
    }

    /// The parameters and running statistics of the run's latest checkpoint, and its test report.
    private func train(_ arguments: [String], processes: Int) throws -> (model: [(String, [Float])], report: EvaluationReport) {
        let out = folder.appendingPathComponent("run-\(processes)")
        let log = folder.appendingPathComponent("run-\(processes).log")
        let all = arguments + ["--out", out.path, "--json", "--quiet"]
        let process = processes == 1 ? try Self.run(Self.executable().path, ["train"] + all, log: log)
            : try mpirun(processes: processes, all, log: log)
        process.waitUntilExit()
        let text = Self.text(log)
        XCTAssertEqual(process.terminationStatus, 0, text)
        let json = text[text.firstIndex(of: "{")!...]
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(json.utf8))
        let latest = out.appendingPathComponent(try XCTUnwrap(RunDirectory(out).index()).latest)
        let model = try Checkpoint.read(latest).loadModel(from: latest)
        return ((model.parameters() + model.buffers()).map { ($0.name, $0.tensor.values) }, report)
    }

    /// `mpirun -np n` of `dtrn train arguments` (or of `arguments` alone with no `command`).
    private func mpirun(processes n: Int, _ arguments: [String], log: URL, command: [String]? = ["train"]) throws -> Process {
        let launcher = ["-np", "\(n)", "--oversubscribe", "--allow-run-as-root", "--bind-to", "none", "--mca", "btl", "self,vader"]
        let program = try command.map { [try Self.executable().path] + $0 } ?? []
        return try Self.run("/usr/bin/mpirun", launcher + program + arguments, log: log)
    }

    private static func run(_ executable: String, _ arguments: [String], log: URL) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw XCTSkip("no \(executable)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        // Every process runs on this machine: no remote shell is needed (nor installed everywhere).
        environment["OMPI_MCA_plm_rsh_agent"] = "false"
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        return process
    }

    /// The `dtrn` built beside the test bundle.
    private static func executable() throws -> URL {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dtrn")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("no dtrn executable at \(binary.path); build it with `swift build --product dtrn`")
        }
        return binary
    }

    /// The process id of rank `rank` among the descendants of `root`, from `/proc`.
    private static func pid(ofRank rank: Int, under root: Int32) throws -> Int32? {
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = Int32(entry),
                  let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard variables.contains("OMPI_COMM_WORLD_RANK=\(rank)"), isDescendant(pid, of: root) else { continue }
            return pid
        }
        return nil
    }

    private static func isDescendant(_ pid: Int32, of root: Int32) -> Bool {
        var current = pid
        while current > 1 {
            if current == root { return true }
            guard let stat = try? String(contentsOfFile: "/proc/\(current)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"),
                  let parent = stat[stat.index(close, offsetBy: 2)...].split(separator: " ").dropFirst().first.flatMap({ Int32($0) })
            else { return false }
            current = parent
        }
        return false
    }

    private static func text(_ log: URL) -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}
