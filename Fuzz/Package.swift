// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for the readers and decoders that take outside input. Built apart from the
/// main package, by `scripts/fuzz`, with `-sanitize=fuzzer,address` and `-enable-testing` on every
/// Swift target so that the product code is instrumented and its internal readers reachable.
let fuzzTargets = ["delimited", "numbers", "schema", "config", "score-request", "infer-request", "tensor-file", "checkpoint", "store-manifest"]

/// Each target's products of the main package.
let productsOf: [String: [String]] = [
    "delimited": ["RecData"],
    "numbers": ["RecData"],
    "schema": ["RecData"],
    "config": ["Training"],
    "score-request": ["Serving", "Training", "RecData"],
    "infer-request": ["Serving"],
    "tensor-file": ["NN"],
    "checkpoint": ["Training"],
    "store-manifest": ["RecData"],
]

let package = Package(
    name: "DTRNFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "DTRN", path: "..")],
    targets: [.target(name: "FuzzerDriver"), .target(name: "FuzzInputFile")] + fuzzTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzerDriver", "FuzzInputFile"] + productsOf[name, default: []].map { .product(name: $0, package: "DTRN") },
            path: "Sources/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
