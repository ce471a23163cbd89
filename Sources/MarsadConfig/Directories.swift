import Glibc

/// A directory Marsad needs and could not make or use. The text names the directory, what it
/// is for, the `mkdir` that failed with the system's reason, and the setting that chose the path.
public struct DirectoryError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

public enum Directories {
    /// `mkdir -p` (mode 0755 for what it makes): creates `path` and every missing parent.
    /// `purpose` says what the directory is for ("the spool", "the journal of stream ingest"),
    /// `setting` where the user chooses it ("[spool] dir (or --spool)"). A directory that is
    /// already there costs one `stat` (consumer status files are written several times a second).
    public static func create(_ path: String, for purpose: String, setting: String) throws(DirectoryError) {
        var status = stat()
        if stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR { return }
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 {
                let code = errno
                if code == EEXIST { continue }
                // Under the systemd units the whole file system is read-only but for the paths
                // the unit names (ProtectSystem=strict): say so, it is the likely cause.
                let hint = code == EROFS ? " (a systemd unit may write only its ReadWritePaths=, StateDirectory= and RuntimeDirectory=)" : ""
                throw failure(path, purpose, setting, "mkdir \(current): \(String(cString: strerror(code)))\(hint)")
            }
        }
        if stat(path, &status) != 0 {
            throw failure(path, purpose, setting, "stat \(path): \(String(cString: strerror(errno)))")
        }
        if status.st_mode & S_IFMT != S_IFDIR {
            throw failure(path, purpose, setting, "\(path) exists and is not a directory")
        }
    }

    private static func failure(_ path: String, _ purpose: String, _ setting: String, _ reason: String) -> DirectoryError {
        DirectoryError(description: "cannot create \(path) for \(purpose): \(reason); set \(setting) to a path this user can write")
    }
}
