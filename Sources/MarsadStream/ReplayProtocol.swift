import Foundation

/// The replay endpoint's protocol (`marsad.replay/1`), documented in docs/wire.md.
///
/// A DEALER sends `["marsad.replay/1", request JSON]`. For `records` the ROUTER answers with one
/// `["record", topic, envelope, payload]` message per record, then `["end", summary JSON]`; for
/// `seqs` with one `["seqs", summary JSON]` listing the matching seqs; on a bad request with
/// `["error", error JSON]`. One request at a time per client: the answer to one is bounded, and
/// the client asks for the next batch when it has taken this one (flow control).
public enum ReplayProtocol {
    public static let version = "marsad.replay/1"
    /// At most this many records per `records` answer.
    public static let maxRecords = 1000
    /// At most this many entries examined per answer.
    public static let maxScan = 10_000

    public struct Request: Codable, Sendable, Equatable {
        public enum Mode: String, Codable, Sendable { case records, seqs }
        public var stream: String
        /// First seq wanted.
        public var from: UInt64
        /// Last seq wanted (default: the head when the request arrives).
        public var through: UInt64?
        /// Only records with a topic starting with one of these (default: all).
        public var prefixes: [String]?
        /// At most this many records (default and maximum 1000).
        public var limit: Int?
        public var mode: Mode?

        public init(stream: String, from: UInt64, through: UInt64? = nil, prefixes: [String]? = nil, limit: Int? = nil, mode: Mode? = nil) {
            self.stream = stream
            self.from = from
            self.through = through
            self.prefixes = prefixes
            self.limit = limit
            self.mode = mode
        }
    }

    /// Closes every answer: where the stream stands and where to continue.
    public struct Summary: Codable, Sendable, Equatable {
        public var stream: String
        public var epoch: UInt64
        /// Oldest seq still held; anything below it is gone (retention).
        public var first: UInt64
        /// Last seq journaled.
        public var head: UInt64
        /// Ask from here for the rest; past `through` (or the head) means done.
        public var next: UInt64
        /// Records sent in this answer (`records` mode).
        public var count: Int
        /// Matching seqs (`seqs` mode only).
        public var seqs: [UInt64]?
    }

    public struct Failure: Codable, Sendable, Equatable {
        /// `bad-request` or `unknown-stream`.
        public var code: String
        public var message: String
    }
}
