import Foundation
import MarsadStream

/// What a consumer tells `marsad status`: `<state>/consumers/<name>.json`, rewritten atomically
/// as its checkpoint moves.
public struct ConsumerStatus: Codable, Sendable, Equatable {
    public var name: String
    public var stream: String
    public var epoch: UInt64
    public var seq: UInt64
    public var prefixes: [String]
    public var output: String?
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case name, stream, epoch, seq, prefixes, output
        case updatedAt = "updated_at"
    }

    public init(name: String, checkpoint: Checkpoint, prefixes: [String], output: String?, updatedAt: Date = Date()) {
        self.name = name
        self.stream = checkpoint.stream
        self.epoch = checkpoint.epoch
        self.seq = checkpoint.seq
        self.prefixes = prefixes
        self.output = output
        self.updatedAt = StreamClock.iso(updatedAt)
    }

    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name + ".json"
        let temporary = directory + "/." + name + ".json.tmp"
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw WorkerError("rename \(path): \(String(cString: strerror(errno)))") }
    }

    /// Every consumer status in `directory`.
    public static func all(in directory: String) -> [ConsumerStatus] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        return names.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).flatMap { try? JSONDecoder().decode(ConsumerStatus.self, from: $0) }
        }
    }
}
