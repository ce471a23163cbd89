import ArgumentParser
import Foundation
import Logging
import MarsadConfig
import MarsadStream
import Workers

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each stream's journal (first and head seq, size) and each consumer's checkpoint and lag.",
        discussion: """
            Reads the state directory directly, so it works whether or not the daemon runs. A \
            consumer's lag is the stream's head minus its checkpoint (for a prefix consumer, an upper \
            bound: not every seq is on its topics).
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("State directory. Overrides [state] dir.", valueName: "dir"))
    var state: String?

    @Flag(name: .long, help: "Print JSON instead of tables.")
    var json = false

    struct Report: Codable {
        var streams: [Journal.Summary]
        var consumers: [Consumer]
    }

    struct Consumer: Codable {
        var status: ConsumerStatus
        /// `nil` when the consumer's stream or epoch is not in this state directory.
        var lag: UInt64?
    }

    func run() async throws {
        var config = try configOptions.load()
        if let state { config.state.directory = state }
        let logger = Logger(label: "marsad.status")
        let journals = URL(fileURLWithPath: config.state.directory).appendingPathComponent("journal").path
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: journals)) ?? []).sorted()
        var streams: [Journal.Summary] = []
        for name in names {
            do {
                streams.append(try Journal.inspect(directory: journals + "/" + name, logger: logger))
            } catch {
                FileHandle.standardError.write(Data("marsad status: \(error)\n".utf8))
            }
        }
        let consumers = ConsumerStatus.all(in: config.consumersDirectory).map { status in
            let stream = streams.first { $0.stream == status.stream && $0.epoch == status.epoch }
            return Consumer(status: status, lag: stream.map { $0.head >= status.seq ? $0.head - status.seq : 0 })
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(Report(streams: streams, consumers: consumers)), as: UTF8.self))
            return
        }
        if streams.isEmpty { print("no streams in \(journals)") }
        if !streams.isEmpty {
            printTable(
                ["STREAM", "EPOCH", "FIRST", "HEAD", "RECORDS", "SIZE", "SEGMENTS"],
                streams.map { ["\($0.stream)", "\($0.epoch)", "\($0.first)", "\($0.head)", "\($0.records)", bytes($0.bytes), "\($0.segments)"] })
        }
        if !consumers.isEmpty {
            print("")
            printTable(
                ["CONSUMER", "STREAM", "CHECKPOINT", "LAG", "PREFIXES", "UPDATED"],
                consumers.map {
                    [
                        $0.status.name, $0.status.stream, "\($0.status.seq)", $0.lag.map(String.init) ?? "?",
                        $0.status.prefixes.joined(separator: " "),
                        $0.status.updatedAt,
                    ]
                })
        }
    }

    func printTable(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }

    func bytes(_ count: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}
