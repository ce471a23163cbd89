import Foundation
import Glibc
import MarsadStream

/// A JSONL file of records that is its own checkpoint: each line carries the stream, epoch and
/// seq of its record, and a batch is one append (and one `fdatasync`). After a crash, a torn last
/// line is cut off and the last whole line says where to resume, so the file never holds a record
/// twice and never skips one.
public final class JSONLSink {
    public let path: String
    public let durable: Bool
    private let descriptor: Int32
    /// Where the file stands; `nil` for an empty file.
    public private(set) var checkpoint: Checkpoint?
    /// Records in the file.
    public private(set) var lineCount = 0

    public init(path: String, durable: Bool = true) throws {
        self.path = path
        self.durable = durable
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WorkerError("open \(path): \(String(cString: strerror(errno)))") }
        try recover()
    }

    deinit { close(descriptor) }

    /// The line written for one record: `{"stream","epoch","seq","topic","id","record":{…}}`.
    public static func line(for message: StreamMessage) -> Data {
        var line = Data()
        let envelope = message.envelope
        let head =
            "{\"stream\":\(jsonString(envelope.stream)),\"epoch\":\(envelope.epoch),\"seq\":\(envelope.seq),"
            + "\"topic\":\(jsonString(message.topic)),\"id\":\(jsonString(envelope.id ?? "")),\"record\":"
        line.append(contentsOf: head.utf8)
        line.append(message.payload)
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    /// Appends a batch's records and makes them durable; the batch's checkpoint is then committed.
    /// A batch that fails (a full disk) leaves nothing behind: the file is cut back to where it
    /// ended, so the worker can try the same batch again.
    public func append(_ batch: DurableSubscriber.Batch) throws {
        guard !batch.messages.isEmpty else { return }
        var bytes = Data()
        for message in batch.messages { bytes.append(Self.line(for: message)) }
        do {
            try bytes.withUnsafeBytes { bytes in try WholeAppend.appendLines(bytes, to: descriptor, sync: durable) }
        } catch let failure as WholeAppend.Failure {
            throw WorkerError(failure.describe(path))
        }
        if let last = batch.messages.last {
            checkpoint = Checkpoint(stream: last.envelope.stream, epoch: last.envelope.epoch, seq: last.envelope.seq)
        }
        lineCount += batch.messages.count
    }

    /// Cuts a torn last line and reads the checkpoint from the last whole one.
    private func recover() throws {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return }
        do {
            // The file ends at its last newline; anything after it is a torn line.
            let end = try WholeAppend.endOfLastLine(descriptor, size: size)
            if end < size { try cut(to: Int(end)) }
            guard end > 0 else { return }
            let start = try WholeAppend.endOfLastLine(descriptor, size: end - 1)
            var line = [UInt8](repeating: 0, count: Int(end - 1 - start))
            guard pread(descriptor, &line, line.count, start) == line.count else {
                throw WorkerError("read \(path): \(String(cString: strerror(errno)))")
            }
            guard let position = try? JSONDecoder().decode(LinePosition.self, from: Data(line)) else {
                throw WorkerError("\(path): the last line is not a Marsad record line; refusing to append to another file")
            }
            checkpoint = Checkpoint(stream: position.stream, epoch: position.epoch, seq: position.seq)
            lineCount = try countLines(upTo: Int(end))
        } catch let failure as WholeAppend.Failure {
            throw WorkerError(failure.describe(path))
        }
    }

    private func cut(to size: Int) throws {
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw WorkerError("truncate \(path): \(String(cString: strerror(errno)))") }
        _ = fdatasync(descriptor)
    }

    /// The file's lines, read a megabyte at a time (a mirror kept for months is gigabytes).
    private func countLines(upTo size: Int) throws -> Int {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var lines = 0
        var offset = 0
        while offset < size {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, min($0.count, size - offset), off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw WorkerError("read \(path): \(String(cString: strerror(count < 0 ? errno : EIO)))") }
            lines += buffer[..<count].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            offset += count
        }
        return lines
    }

    private struct LinePosition: Decodable {
        let stream: String
        let epoch: UInt64
        let seq: UInt64
    }

    static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}

/// A worker could not do its job.
public struct WorkerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
