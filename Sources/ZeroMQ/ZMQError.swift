import CZeroMQ
import Glibc

/// A failed libzmq call: the operation, `zmq_errno()` and its `zmq_strerror` text.
public struct ZMQError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The errno value libzmq reported.
    public let code: Int32
    /// What was being done, e.g. `bind(tcp://127.0.0.1:5555)`.
    public let operation: String
    /// `zmq_strerror(code)`.
    public let message: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        self.message = String(cString: zmq_strerror(code))
    }

    /// The error of the libzmq call that just failed on this thread.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation())
    }

    public var description: String { "\(operation): \(message) (errno \(code))" }

    /// A non-blocking call found nothing to do, or a timeout expired.
    public var isWouldBlock: Bool { code == EAGAIN }
    /// The context was shut down or terminated; the socket should be closed.
    public var isTerminated: Bool { code == ETERM }
    /// A signal interrupted the call; it is safe to retry.
    public var isInterrupted: Bool { code == EINTR }

    /// The error a blocking call gets once its context is shut down: what a loop that is asked to
    /// stop while it waits on something else throws, to end as a stop ends.
    public static func terminated(_ operation: String) -> ZMQError { ZMQError(code: ETERM, operation: operation) }
}
