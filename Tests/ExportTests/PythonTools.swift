import Foundation
import XCTest

/// The package's root, two levels above this file.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The python of the venv `.build/python-tools` (onnx and onnxruntime); missing, the calling
/// test fails under CI and is skipped otherwise.
func venvPython() throws -> URL {
    let python = packageRoot.appendingPathComponent(".build/python-tools/bin/python")
    if FileManager.default.isExecutableFile(atPath: python.path) { return python }
    if ProcessInfo.processInfo.environment["CI"] != nil {
        XCTFail("\(python.path) is missing: run scripts/install-python-tools")
    }
    throw XCTSkip("\(python.path) is missing (scripts/install-python-tools creates it)")
}

/// The JSON that `scripts/onnx-check.py arguments…` prints; fails the test with the script's
/// error output when it exits non-zero.
func runOnnxCheck(python: URL, _ arguments: [String], label: String) throws -> Any {
    let process = Process()
    process.executableURL = python
    process.arguments = [packageRoot.appendingPathComponent("scripts/onnx-check.py").path] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        XCTFail("\(label): onnx-check.py exited with \(process.terminationStatus): \(errors)")
        return [:] as [String: Any]
    }
    return try JSONSerialization.jsonObject(with: output)
}
