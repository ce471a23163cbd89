import CLinux
import Foundation

/// A thread that carries its name where operators look: `top -H`, `ps -L`, `perf` and
/// `/proc/<pid>/task/<tid>/comm`. Foundation's `Thread.name` set before `start()` stays inside
/// Foundation on Linux, so without this every thread shows the name of the thread that made it.
public enum NamedThread {
    /// The kernel keeps 15 bytes of a thread's name; longer names are cut at a character boundary.
    public static let kernelNameLimit = 15

    /// Starts `body` on a new thread named `name`.
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            setCurrent(name)
            body()
        }
        thread.name = name
        thread.start()
    }

    /// Names the calling thread.
    public static func setCurrent(_ name: String) {
        _ = marsad_set_thread_name(kernelName(name))
    }

    /// `name` cut to the kernel's limit without splitting a character.
    static func kernelName(_ name: String) -> String {
        var result = ""
        for character in name {
            if result.utf8.count + character.utf8.count > kernelNameLimit { break }
            result.append(character)
        }
        return result
    }
}
