import MarsadConfig
import ZeroMQ

/// The CURVE side of a server's endpoints, from `[curve]`: its key pair and the clients it admits.
public struct ServerSecurity: Sendable {
    public let socket: SocketSecurity
    public let allowedClients: Set<String>

    /// `nil` when `[curve]` names no server key: endpoints are then plain (loopback and ipc only).
    public static func load(_ settings: CurveSettings) throws -> ServerSecurity? {
        guard let keyFile = settings.serverKeyFile, let allowFile = settings.allowedClientsFile else { return nil }
        let keys = try KeyFiles.readKeyPair(path: keyFile)
        let allowed = try KeyFiles.readAllowList(path: allowFile)
        return ServerSecurity(
            socket: SocketSecurity(keys: CurveKeyPair(publicKey: keys.publicKey, secretKey: keys.secretKey)), allowedClients: allowed)
    }
}
