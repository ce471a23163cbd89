import Foundation
import Glibc

/// CURVE key files, as `marsad keygen` writes them: `NAME.key` holds the key pair and must be
/// readable by its owner only (mode 0600); `NAME.pub` holds the public key alone, to hand out.
public enum KeyFiles {
    /// Reads a key pair, refusing a file that group or others may read.
    public static func readKeyPair(path: String) throws -> (publicKey: String, secretKey: String) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ConfigIssue(file: path, line: nil, key: "", reason: "cannot read the key file: \(String(cString: strerror(errno)))")
        }
        if status.st_mode & 0o077 != 0 {
            throw ConfigIssue(
                file: path, line: nil, key: "",
                reason: "the secret key file is readable by others (mode \(String(status.st_mode & 0o777, radix: 8)))",
                hint: "chmod 600 \(path)")
        }
        let document = try TOMLDocument(contentsOf: path)
        let table = document.table
        let publicKey = table.string("public_key", default: "")
        let secretKey = table.string("secret_key", default: "")
        for (key, value) in [("public_key", publicKey), ("secret_key", secretKey)] where !isZ85Key(value) {
            table.report(key, "is not a 40-character Z85 key", hint: "write the file with `marsad keygen`")
        }
        table.rejectUnknownKeys()
        try document.finish()
        return (publicKey, secretKey)
    }

    /// Reads public keys, one per line (the first word of the line); lines starting with `#`
    /// are comments. (`#` can occur inside a Z85 key, so it only starts a comment at the start.)
    public static func readAllowList(path: String) throws -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigIssue(file: path, line: nil, key: "", reason: "cannot read the list of allowed client keys")
        }
        var keys: Set<String> = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let key = String(line.split(separator: " ").first ?? "")
            guard isZ85Key(key) else {
                throw ConfigIssue(file: path, line: number + 1, key: "", reason: "\"\(key)\" is not a 40-character Z85 public key")
            }
            keys.insert(key)
        }
        return keys
    }

    /// Writes `NAME.key` (mode 0600) and `NAME.pub`; refuses to overwrite either.
    public static func write(publicKey: String, secretKey: String, to base: String) throws -> (keyFile: String, publicFile: String) {
        let keyFile = base + ".key"
        let publicFile = base + ".pub"
        for path in [keyFile, publicFile] where FileManager.default.fileExists(atPath: path) {
            throw ConfigIssue(file: path, line: nil, key: "", reason: "already exists; not overwritten", hint: "choose another name or remove it")
        }
        let secret = """
            # Marsad CURVE key pair, written by `marsad keygen`. Keep this file secret (mode 0600).
            # Give the public key (also in \((publicFile as NSString).lastPathComponent)) to the other side.
            public_key = "\(publicKey)"
            secret_key = "\(secretKey)"

            """
        let descriptor = open(keyFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ConfigIssue(file: keyFile, line: nil, key: "", reason: String(cString: strerror(errno))) }
        let bytes = Array(secret.utf8)
        let written = Glibc.write(descriptor, bytes, bytes.count)
        close(descriptor)
        guard written == bytes.count else { throw ConfigIssue(file: keyFile, line: nil, key: "", reason: "could not write the key") }
        try (publicKey + "\n").write(toFile: publicFile, atomically: true, encoding: .utf8)
        return (keyFile, publicFile)
    }

    /// The Z85 alphabet: digits, letters and `.-:+=^!/*?&<>()[]{}@%$#`.
    static let z85Alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")

    static func isZ85Key(_ text: String) -> Bool {
        text.count == 40 && text.allSatisfy { z85Alphabet.contains($0) }
    }
}
