import Foundation
import Glibc
import MarsadConfig
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
        try Directories.create(directory, for: "consumer status files", setting: "[state] dir (or --state)")
        let path = directory + "/" + name + ".json"
        let temporary = directory + "/." + name + ".json.tmp"
        // Written and renamed, not synced: the file reports a position, the sink's own store is
        // what a restart resumes from.
        let bytes = [UInt8](try JSONEncoder().encode(self))
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WorkerError("open \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count else { throw WorkerError("write \(temporary): \(String(cString: strerror(errno)))") }
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
