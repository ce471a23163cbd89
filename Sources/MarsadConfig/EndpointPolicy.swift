import Foundation

/// Which ZeroMQ endpoints Marsad accepts. tcp off loopback is only allowed with CURVE (a server
/// key and an allow-list of client keys); plain, it would expose the stream to the network.
public enum EndpointPolicy {
    public struct Problem: Sendable {
        public let reason: String
        public let hint: String
    }

    /// Why `endpoint` is refused, or `nil` when it is acceptable.
    public static func problem(with endpoint: String, curve: Bool = false) -> Problem? {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") {
            return endpoint.count > 8 ? nil : Problem(reason: "\"\(endpoint)\" has no path", hint: "e.g. ipc:///run/marsad/ingest.pub")
        }
        guard endpoint.hasPrefix("tcp://") else {
            return Problem(reason: "\"\(endpoint)\" is not a supported endpoint", hint: "use tcp://127.0.0.1:PORT, ipc://PATH or inproc://NAME")
        }
        let address = endpoint.dropFirst("tcp://".count)
        guard let colon = address.lastIndex(of: ":"), !address[address.index(after: colon)...].isEmpty else {
            return Problem(reason: "\"\(endpoint)\" has no port", hint: "e.g. tcp://127.0.0.1:7411")
        }
        let host = address[..<colon].trimmingCharacters(in: ["[", "]"])
        if host == "localhost" || host == "::1" || host.hasPrefix("127.") || curve { return nil }
        return Problem(
            reason: "plain tcp on the non-loopback address \"\(host)\" would expose the stream to the network unauthenticated",
            hint: "bind to 127.0.0.1 or an ipc:// path, or set [curve] server_key_file and allowed_clients_file (see `marsad keygen`)")
    }
}
