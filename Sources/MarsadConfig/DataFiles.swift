import Foundation

/// Finds the data files (gazetteer, boilerplate markers) that live in `config/`.
public enum DataFiles {
    /// The candidates tried, in order, for a data file called `name` that the configuration
    /// does not name: `$MARSAD_DATA_DIR`, the directory of the configuration file, `./config`,
    /// the repository's `config/` next to the build directory holding the executable, and
    /// `/etc/marsad`.
    public static func candidates(for name: String, besideConfig configFile: String? = nil) -> [String] {
        var directories: [String] = []
        if let dir = ProcessInfo.processInfo.environment["MARSAD_DATA_DIR"], !dir.isEmpty { directories.append(dir) }
        if let configFile { directories.append(URL(fileURLWithPath: configFile).deletingLastPathComponent().path) }
        directories.append(FileManager.default.currentDirectoryPath + "/config")
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        // .build/<triple>/<debug|release>/marsad → the package root is three levels up.
        var root = executable.deletingLastPathComponent()
        for _ in 0..<3 {
            root = root.deletingLastPathComponent()
            directories.append(root.appendingPathComponent("config").path)
        }
        directories.append("/etc/marsad")
        return directories.map { URL(fileURLWithPath: $0).appendingPathComponent(name).standardized.path }
    }

    /// The configured path, or the first candidate that exists.
    public static func locate(_ name: String, configured: String?, besideConfig configFile: String? = nil) throws -> String {
        if let configured { return configured }
        let tried = candidates(for: name, besideConfig: configFile)
        if let found = tried.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw ConfigErrors([
            ConfigIssue(
                file: name, line: nil, key: "", reason: "data file not found; tried \(tried.joined(separator: ", "))",
                hint: "name the file in the config file (see config/marsad.toml) or set MARSAD_DATA_DIR")
        ])
    }
}
