import Foundation
import MarsadStream
import ZeroMQ

/// A plain SUB socket on the ingest stream, as a downstream program would use it.
final class TestSubscriber {
    let context: Context
    let subscriber: StreamSubscriber
    private(set) var messages: [StreamMessage] = []
    private(set) var gaps: [ClosedRange<UInt64>] = []
    private(set) var isLive = false

    init(endpoint: String, prefixes: [String]) throws {
        context = try Context()
        subscriber = try StreamSubscriber(context: context, endpoint: endpoint, prefixes: prefixes)
    }

    /// Receives until `condition` holds or `timeout` passes; returns whether it holds.
    @discardableResult
    func receive(until condition: (TestSubscriber) -> Bool, timeout: TimeInterval = 20) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(self) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            guard let events = try subscriber.next(timeoutMilliseconds: Int32(min(left, 0.5) * 1000)) else { continue }
            for event in events {
                switch event {
                case .live: isLive = true
                case .message(let message): messages.append(message)
                case .gap(let missing, _, _): gaps.append(missing)
                case .heartbeat, .malformed: break
                }
            }
        }
        return true
    }

    func waitUntilLive(timeout: TimeInterval = 20) throws -> Bool {
        try receive(until: { $0.isLive }, timeout: timeout)
    }

    deinit { subscriber.socket.close() }
}
