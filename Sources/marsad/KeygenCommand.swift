import ArgumentParser
import Foundation
import MarsadConfig
import ZeroMQ

struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a CURVE key pair for tcp endpoints off loopback.",
        discussion: """
            Writes NAME.key (the key pair, mode 0600: give it to the program that uses it, as \
            [curve] server_key_file or client_key_file) and NAME.pub (the public key: put a \
            client's in the server's allowed_clients_file, the server's in each client's \
            server_public_key). Existing files are never overwritten.
            """)

    @Argument(help: ArgumentHelp("Path and base name of the files, e.g. /etc/marsad/ingest.", valueName: "name"))
    var name: String

    func run() async throws {
        let pair = try CurveKeyPair.generate()
        do {
            let files = try KeyFiles.write(publicKey: pair.publicKey, secretKey: pair.secretKey, to: name)
            print("wrote \(files.keyFile) (secret, mode 0600) and \(files.publicFile)")
            print("public key: \(pair.publicKey)")
        } catch let issue as ConfigIssue {
            throw CommandError(issue.description)
        }
    }
}
