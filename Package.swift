// swift-tools-version:6.1
import PackageDescription

/// Swift 6 language mode everywhere, plus `ExistentialAny` so every existential is spelled `any P`.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "aurorad",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "aurorad", targets: ["aurorad"])
    ],
    dependencies: [
        // Command-line parsing for `aurorad run` / `aurorad ctl …`: subcommands, --help and exit codes for free.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The logging API every library takes a `Logger` from; the daemon picks the backend (stderr lines).
        // 1.16 for `LogHandler.log(event:)`, which the daemon's line handler implements.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The metrics API the libraries record through (counters, timers, gauges); the daemon picks the backend.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // The Prometheus backend and text exposition format behind the optional `[metrics]` endpoint.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries, each behind one door.
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        // glibc's allocator controls (arena cap, trim): part of the C library, nothing to link or install.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

        // Libraries: everything testable lives here.
        .target(
            name: "AWSCore",
            dependencies: ["CCurl", "COpenSSL", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "AWSServices",
            dependencies: [
                "AWSCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .target(name: "ImportSpec", swiftSettings: strict),
        // The status model (phase, conditions, events, timestamps) and the storage contract (`SpecStore`): plain values
        // and a protocol with no dependency, shared by the store, the reconciler, the daemon and `ctl`, so only the
        // daemon (which opens the SQLite store) and Store itself reach SQLite.
        .target(name: "StatusModel", swiftSettings: strict),
        .target(
            name: "Store",
            dependencies: ["CSQLite", "StatusModel"],
            swiftSettings: strict),
        .target(
            name: "Controller",
            dependencies: [
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .target(
            name: "Reconciler",
            dependencies: [
                "AWSCore", "AWSServices", "Controller", "ImportSpec", "StatusModel",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "Control",
            dependencies: ["ImportSpec", "StatusModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // The loopback HTTP responder that serves the Prometheus text on GET /metrics.
        .target(
            name: "MetricsEndpoint", dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "Daemon",
            dependencies: [
                "AWSCore", "AWSServices", "CMalloc", "Control", "Controller", "ImportSpec", "MetricsEndpoint",
                "Reconciler", "StatusModel", "Store", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "aurorad",
            dependencies: [
                "Daemon", "Control", "AWSCore", "AWSServices", "ImportSpec", "StatusModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            // The Swift runtime, Foundation and ICU linked in: `aurorad ctl status` spent more time in the dynamic
            // loader resolving their symbols than in the request (Benchmarks/fleet-bench.sh, P5). libcurl, OpenSSL
            // and SQLite stay shared system libraries, updated with the OS. The static Foundation archives do not
            // carry their own dependencies' autolink entries, so those four are named.
            linkerSettings: [
                .unsafeFlags([
                    "-static-stdlib", "-Xlinker", "-lCoreFoundation", "-Xlinker", "-l_FoundationCollections",
                    "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationICU",
                ])
            ]),

        // SigV4 signatures per second against botocore on the same request set (Benchmarks/sigv4-bench.sh).
        .executableTarget(
            name: "SigV4Benchmark", dependencies: ["AWSCore"], path: "Benchmarks/SigV4Benchmark",
            swiftSettings: strict),

        // Shared test fixtures: temp directories, free ports, the emulator process.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),

        .testTarget(
            name: "AWSCoreTests",
            dependencies: ["AWSCore", "TestSupport", .product(name: "Logging", package: "swift-log")],
            exclude: ["botocore_expectations.py"], resources: [.copy("Resources")], swiftSettings: strict),
        .testTarget(
            name: "AWSServicesTests",
            dependencies: [
                "AWSCore", "AWSServices", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .testTarget(name: "ImportSpecTests", dependencies: ["ImportSpec"], swiftSettings: strict),
        .testTarget(name: "StatusModelTests", dependencies: ["StatusModel"], swiftSettings: strict),
        .testTarget(
            name: "StoreTests", dependencies: ["StatusModel", "Store", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "MetricsEndpointTests",
            dependencies: [
                "MetricsEndpoint", "TestSupport", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ReconcilerTests",
            dependencies: [
                "AWSCore", "AWSServices", "Controller", "ImportSpec", "Reconciler", "StatusModel", "Store",
                "TestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ControllerTests",
            dependencies: [
                "Controller", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ControlTests",
            dependencies: [
                "Control", "ImportSpec", "StatusModel", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "AWSCore", "Controller", "Daemon", "Control", "ImportSpec", "MetricsEndpoint", "StatusModel", "Store",
                "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "AWSCore", "AWSServices", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
    ]
)
