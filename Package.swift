// swift-tools-version:6.1
import PackageDescription

/// Release builds may use AVX2/FMA so that Swift's SIMD types compile to vector instructions.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux], configuration: .release)),
]

/// The numeric kernels additionally drop overflow and bounds checks in release builds.
let kernelSettings: [SwiftSetting] = fastMath + [
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "DTRN",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dtrn", targets: ["dtrn"]),
        .library(name: "Randomness", targets: ["Randomness"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "RecMetrics", targets: ["RecMetrics"]),
        .library(name: "RecData", targets: ["RecData"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Distributed", targets: ["Distributed"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "Serving", targets: ["Serving"]),
        .library(name: "Export", targets: ["Export"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CPrefetch"),
        .target(name: "CBFloat16", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "CNarrowGemm", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "CAttention", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "Randomness", swiftSettings: fastMath),
        .target(name: "Tensor", dependencies: ["CAttention", "CBFloat16", "CBLAS", "CMalloc", "CNarrowGemm", "CPrefetch", "Randomness"], swiftSettings: kernelSettings),
        .target(name: "NN", dependencies: ["Tensor"], swiftSettings: fastMath),
        .target(name: "RecMetrics", swiftSettings: fastMath),
        .target(
            name: "RecData",
            dependencies: ["RecMetrics", "Randomness", .product(name: "Yams", package: "Yams")],
            swiftSettings: fastMath
        ),
        .target(name: "Models", dependencies: ["Tensor", "NN"], swiftSettings: fastMath),
        .target(name: "Distributed", dependencies: ["CMPI", "Tensor"], swiftSettings: fastMath),
        .target(
            name: "Training",
            dependencies: [
                "Tensor", "NN", "RecMetrics", "RecData", "Models", "Distributed",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: fastMath
        ),
        .target(
            name: "Serving",
            dependencies: [
                "Tensor", "RecData", "Models", "Training",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: fastMath
        ),
        .target(name: "Reports", dependencies: ["Models", "RecData", "Training"]),
        .target(
            name: "Export",
            dependencies: ["Tensor", "NN", "RecData", "Models", "Training", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: fastMath
        ),
        .executableTarget(
            name: "dtrn",
            dependencies: [
                "Tensor", "NN", "RecData", "Models", "Training", "Serving", "Reports", "Export",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: fastMath
        ),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "TensorTests", dependencies: ["CNarrowGemm", "Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor"]),
        .testTarget(name: "RecMetricsTests", dependencies: ["RecMetrics", "Tensor"]),
        .testTarget(name: "RecDataTests", dependencies: ["RecData", "Randomness"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "NN", "Tensor"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "Tensor"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "RecData", "Tensor"]),
        .testTarget(
            name: "ExportTests",
            dependencies: ["Export", "Training", "Models", "NN", "RecData", "Tensor",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Training", "Models", "RecData"]),
        .testTarget(
            name: "ServingTests",
            dependencies: [
                "Serving", "Training", "Models", "RecData", "Randomness",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
