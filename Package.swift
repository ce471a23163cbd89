// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Marsad",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "marsad", targets: ["marsad"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // libzmq as Debian's libzmq3-dev ships it.
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // The few Linux calls Swift's Glibc module does not offer (renameat2, eventfd, memmem).
        .target(name: "CLinux"),
        // sd_notify(3) over $NOTIFY_SOCKET: readiness, status, watchdog, stopping.
        .target(name: "SystemdNotify"),
        // A thin, Marsad-agnostic Swift wrapper over libzmq.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // Normaliser and tokens for Arabic text, with offsets into the original.
        .target(name: "ArabicText"),
        // Decoding, boilerplate removal and field extraction for dropped files.
        .target(
            name: "ArticleParsing",
            dependencies: ["ArabicText", "MarsadConfig"]
        ),
        // Gazetteer and longest-match entity linker.
        .target(
            name: "EntityLinking",
            dependencies: ["ArabicText", "ArticleParsing", "MarsadConfig"]
        ),
        // The `marsad.article/1` record and how it is built from a parsed file.
        .target(
            name: "MarsadRecord",
            dependencies: [
                "ArabicText", "ArticleParsing", "EntityLinking",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Event labels: lexicon, features, the trained linear model, evidence.
        .target(
            name: "Classification",
            dependencies: ["ArabicText", "MarsadConfig"]
        ),
        // Prometheus `/metrics` and `/healthz` over HTTP (Hummingbird) for each process.
        .target(
            name: "Telemetry",
            dependencies: [
                "SystemdNotify",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Scoring the parser and linker against labelled articles (`marsad eval`).
        .target(
            name: "Evaluation",
            dependencies: ["ArabicText", "ArticleParsing", "EntityLinking", "MarsadRecord"]
        ),
        // The TOML configuration: defaults, loading and validation.
        .target(
            name: "MarsadConfig",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Topics, envelopes, publisher and subscriber over ZeroMQ.
        .target(
            name: "MarsadStream",
            dependencies: [
                "ZeroMQ", "MarsadConfig", "CLinux",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The ingest stage: spool directory, inotify watcher, the daemon loop.
        .target(
            name: "Ingest",
            dependencies: [
                "ArticleParsing", "EntityLinking", "MarsadRecord", "MarsadConfig", "MarsadStream", "CLinux", "SystemdNotify",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Consumers of streams: the durable JSONL mirror, consumer status.
        .target(
            name: "Workers",
            dependencies: [
                "MarsadConfig", "MarsadStream", "ZeroMQ", "SystemdNotify",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The classify worker: labels articles and publishes them as a journaled stream.
        .target(
            name: "ClassifyWorker",
            dependencies: [
                "ArabicText", "Classification", "MarsadRecord", "MarsadStream", "Workers", "ZeroMQ",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The alert worker: rules, spikes, throttles, the outbox and its sinks.
        .target(
            name: "Alerting",
            dependencies: [
                "ArabicText", "MarsadConfig", "MarsadRecord", "MarsadStream", "Workers", "ZeroMQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The archive: SQLite (GRDB, FTS5) schema, writes, search, timelines, export; its worker.
        .target(
            name: "Archive",
            dependencies: [
                "ArabicText", "CLinux", "MarsadConfig", "MarsadRecord", "MarsadStream", "Workers",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Printing a live stream (`marsad tail`, `marsad run`).
        .target(
            name: "Tail",
            dependencies: [
                "MarsadStream", "MarsadRecord", "ZeroMQ",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The command line only.
        .executableTarget(
            name: "marsad",
            dependencies: [
                "Ingest", "Tail", "Workers", "Archive", "Evaluation", "Classification", "ClassifyWorker", "Alerting", "Telemetry", "MarsadConfig",
                "MarsadStream",
                "MarsadRecord", "ArticleParsing", "EntityLinking", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // libFuzzer target over the parser with -D FUZZING (scripts/fuzz.sh); otherwise a replayer of fuzz inputs.
        .executableTarget(
            name: "FuzzParser",
            dependencies: ["ArabicText", "ArticleParsing", "EntityLinking", "MarsadRecord", "MarsadConfig"]
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "CZeroMQ"]),
        .testTarget(name: "ArabicTextTests", dependencies: ["ArabicText"]),
        .testTarget(
            name: "ArticleParsingTests",
            dependencies: ["ArticleParsing", "EntityLinking", "MarsadRecord", "MarsadConfig"]
        ),
        .testTarget(name: "MarsadConfigTests", dependencies: ["MarsadConfig"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest"]),
        .testTarget(name: "ClassificationTests", dependencies: ["Classification", "ArabicText"]),
        .testTarget(
            name: "ArchiveTests",
            dependencies: ["Archive", "ArabicText", "ArticleParsing", "EntityLinking", "MarsadRecord", "MarsadStream"]
        ),
        .testTarget(
            name: "MarsadStreamTests",
            dependencies: ["MarsadStream", "ZeroMQ", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "AlertingTests", dependencies: ["Alerting", "MarsadRecord", "MarsadStream"]),
        .testTarget(name: "WorkersTests", dependencies: ["Workers", "MarsadStream"]),
        .testTarget(
            name: "ClassifyWorkerTests",
            dependencies: ["ClassifyWorker", "Classification", "MarsadStream", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ZeroMQ", "MarsadStream", "MarsadRecord", .product(name: "Logging", package: "swift-log")]
        ),
    ]
)
