import Foundation
import MarsadRecord

#if FUZZING

    /// Built with `-D FUZZING -sanitize=fuzzer` (`scripts/fuzz.sh`): a libFuzzer target. A parse
    /// failure is an answer; a trap, a hang (libFuzzer `-timeout`) or a record that cannot be
    /// journaled is a finding.
    let fuzzBuilder: RecordBuilder = {
        do {
            return try FuzzInput.loadBuilder()
        } catch {
            fatalError("FuzzParser: cannot load the data files (set MARSAD_DATA_DIR): \(error)")
        }
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzParserTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        let (name, bytes) = FuzzInput.file(for: input)
        let outcome = FuzzInput.run(name: name, bytes: bytes, builder: fuzzBuilder)
        if outcome.isBug { fatalError("FuzzParser: \(outcome.summary) for \(name)") }
        return 0
    }

    /// libFuzzer's driver (compiler-rt `FuzzerDriver.cpp`).
    @_silgen_name("LLVMFuzzerRunDriver")
    func runLibFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links executables with `main` aliased to `FuzzParser_main`, which only `@main` emits,
    /// so the entry point is ours and hands over to libFuzzer's driver.
    @main enum FuzzParserMain {
        static func main() {
            _ = fuzzBuilder  // data-file errors surface before fuzzing starts
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(runLibFuzzerDriver(&argc, &argv, fuzzParserTestOneInput))
        }
    }

#else

    /// Built normally: replays files (a fuzz corpus, crash files, or articles with
    /// `--by-extension`) through the same function as the fuzz target, each batch in a child
    /// process, and reports every input that crashes, hangs or yields a record that cannot be
    /// journaled. Parse failures (quarantine reasons) are expected and only counted.
    @main enum FuzzParserMain {
        static let usage = """
            usage: FuzzParser [--by-extension] [--timeout SECONDS] [--verbose] PATH...

            Replays fuzz inputs (files, or directories of them, recursively) through the record
            builder: the first byte picks the format (byte % 4: txt, html, json, jsonl), the rest is
            the file; --by-extension reads each file as an article of its own extension instead.
            Each input runs in a child process: a crash (trap, signal) or an input slower than
            --timeout (default 20 s) is reported with its path. Exits 1 if any input crashed, hung
            or built a record that cannot be encoded, 0 otherwise. Data files: $MARSAD_DATA_DIR,
            ./config, or the config/ of the package this executable was built in.
            """

        static func main() {
            var arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "--worker" {
                exit(worker(Array(arguments.dropFirst())))
            }
            var byExtension = false
            var timeout = 20.0
            var verbose = false
            var paths: [String] = []
            while !arguments.isEmpty {
                let argument = arguments.removeFirst()
                switch argument {
                case "--by-extension": byExtension = true
                case "--verbose": verbose = true
                case "--timeout":
                    guard let value = arguments.first.flatMap(Double.init), value > 0 else { fail("--timeout needs a number of seconds") }
                    timeout = value
                    arguments.removeFirst()
                case "-h", "--help":
                    print(usage)
                    exit(0)
                default:
                    if argument.hasPrefix("-") { fail("unknown option \(argument)") }
                    paths.append(argument)
                }
            }
            if paths.isEmpty { fail("no input given") }
            let inputs = paths.flatMap(files(under:))
            if inputs.isEmpty { fail("no input files under \(paths.joined(separator: " "))") }
            exit(Replay(inputs: inputs, byExtension: byExtension, timeout: timeout, verbose: verbose).run())
        }

        static func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("FuzzParser: \(message)\n\n\(usage)\n".utf8))
            exit(2)
        }

        /// Regular files at or under `path`, sorted.
        static func files(under path: String) -> [String] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { fail("no such file: \(path)") }
            guard isDirectory.boolValue else { return [path] }
            let enumerator = FileManager.default.enumerator(atPath: path)
            var found: [String] = []
            while let relative = enumerator?.nextObject() as? String {
                let full = path + "/" + relative
                var directory: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &directory), !directory.boolValue { found.append(full) }
            }
            return found.sorted()
        }

        /// The child: `--worker LIST START [--by-extension]` runs inputs START… of the list file,
        /// writing `start N` before and `done N <summary>` after each, so the parent can name the
        /// input that killed or stalled it.
        static func worker(_ arguments: [String]) -> Int32 {
            guard arguments.count >= 2, let list = try? String(contentsOfFile: arguments[0], encoding: .utf8), let start = Int(arguments[1])
            else { return 2 }
            let byExtension = arguments.contains("--by-extension")
            let paths = list.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            let builder: RecordBuilder
            do {
                builder = try FuzzInput.loadBuilder()
            } catch {
                FileHandle.standardError.write(Data("FuzzParser: cannot load the data files (set MARSAD_DATA_DIR): \(error)\n".utf8))
                return 3
            }
            for index in start..<paths.count {
                FileHandle.standardOutput.write(Data("start \(index)\n".utf8))  // unbuffered: the parent reads it live
                let outcome: FuzzInput.Outcome
                if let data = FileManager.default.contents(atPath: paths[index]) {
                    let input = Array(data)
                    let (name, bytes) =
                        byExtension ? ((paths[index] as NSString).lastPathComponent, input) : FuzzInput.file(for: input)
                    outcome = FuzzInput.run(name: name, bytes: bytes, builder: builder)
                } else {
                    outcome = .refused("unreadable_input")
                }
                FileHandle.standardOutput.write(Data("done \(index) \(outcome.isBug ? "bug" : "ok") \(outcome.summary)\n".utf8))
            }
            return 0
        }
    }

    /// The parent side of a replay: runs workers until every input has an outcome.
    struct Replay {
        let inputs: [String]
        let byExtension: Bool
        let timeout: Double
        let verbose: Bool

        func run() -> Int32 {
            let list = FileManager.default.temporaryDirectory.appendingPathComponent("fuzzparser-\(getpid()).list").path
            _ = FileManager.default.createFile(atPath: list, contents: Data(inputs.joined(separator: "\n").utf8))
            defer { try? FileManager.default.removeItem(atPath: list) }
            var next = 0
            var counts: [String: Int] = [:]
            var problems: [String] = []
            let started = Date()
            while next < inputs.count {
                let child = Process()
                child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
                if !FileManager.default.isExecutableFile(atPath: child.executableURL!.path) {
                    child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
                }
                child.arguments = ["--worker", list, String(next)] + (byExtension ? ["--by-extension"] : [])
                let output = Pipe()
                child.standardOutput = output
                // The worker's standard error (a crash's backtrace) is kept aside and summarised.
                let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("fuzzparser-\(getpid())-\(next).err").path
                _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
                defer { try? FileManager.default.removeItem(atPath: errorPath) }
                child.standardError = FileHandle(forWritingAtPath: errorPath)
                do {
                    try child.run()
                } catch {
                    FileHandle.standardError.write(Data("FuzzParser: cannot start a worker: \(error)\n".utf8))
                    return 2
                }
                let reader = LineReader(fileDescriptor: output.fileHandleForReading.fileDescriptor)
                var current: Int?
                var deadline = Date().addingTimeInterval(timeout)
                var stalled = false
                while true {
                    guard let line = reader.nextLine(until: current == nil ? Date().addingTimeInterval(120) : deadline) else {
                        stalled = reader.timedOut
                        break
                    }
                    let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
                    guard fields.count >= 2, let index = Int(fields[1]) else { continue }
                    if fields[0] == "start" {
                        current = index
                        deadline = Date().addingTimeInterval(timeout)
                    } else if fields[0] == "done" {
                        current = nil
                        next = index + 1
                        let summary = fields.count > 3 ? fields[3] : ""
                        let kind = summary.hasPrefix("records") ? "parsed" : summary
                        counts[kind, default: 0] += 1
                        if fields.count > 2, fields[2] == "bug" { problems.append("\(inputs[index]): \(summary)") }
                        if verbose { print("\(inputs[index]): \(summary)") }
                    }
                }
                if stalled, child.isRunning { kill(child.processIdentifier, SIGKILL) }
                child.waitUntilExit()
                if let index = current {
                    let what =
                        stalled
                        ? "HANG: still running after \(Int(timeout)) s"
                        : "CRASH: the worker died (\(child.terminationReason == .uncaughtSignal ? "signal" : "exit status") \(child.terminationStatus))"
                    let trace = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
                    problems.append("\(inputs[index]): \(what)" + Self.summary(of: trace).map { "\n    " + $0 }.joined())
                    if verbose { FileHandle.standardError.write(Data(trace.utf8)) }
                    counts[stalled ? "hang" : "crash", default: 0] += 1
                    if verbose { print("\(inputs[index]): \(what)") }
                    next = index + 1
                } else if next < inputs.count {
                    FileHandle.standardError.write(Data("FuzzParser: a worker stopped between inputs (status \(child.terminationStatus))\n".utf8))
                    return 2
                }
            }
            let seconds = Date().timeIntervalSince(started)
            let tally = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("FuzzParser: \(inputs.count) inputs in \(String(format: "%.1f", seconds)) s: \(tally)")
            for problem in problems { FileHandle.standardError.write(Data("FuzzParser: \(problem)\n".utf8)) }
            return problems.isEmpty ? 0 : 1
        }
    }

    extension Replay {
        /// The fatal error and the innermost frames in Marsad's own sources of a crash's backtrace.
        static func summary(of trace: String) -> [String] {
            let lines = trace.split(separator: "\n").map(String.init)
            var found = lines.filter { $0.contains("Fatal error") }.prefix(1).map { $0.trimmingCharacters(in: .whitespaces) }
            for line in lines where line.contains("/Sources/") && !line.contains("/Sources/FuzzParser/") {
                // «  2 [ra]  0x… gapIsSpace #1 (_:_:) in ReferenceFinder.candidates(in:mentions:) + 208 in FuzzParser at /…/X.swift:146:51»
                guard let address = line.range(of: "0x"), let image = line.range(of: " in FuzzParser at ", options: .backwards),
                    let symbol = line[address.upperBound..<image.lowerBound].firstIndex(of: " ")
                else { continue }
                found.append(line[symbol..<image.lowerBound].trimmingCharacters(in: .whitespaces) + " at " + line[image.upperBound...])
                if found.count >= 3 { break }
            }
            return found
        }
    }

    /// Lines from a pipe, each read waiting at most until a deadline.
    final class LineReader {
        let fileDescriptor: Int32
        private var buffer: [UInt8] = []
        private(set) var timedOut = false

        init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

        /// The next line, or nil at end of file or once `deadline` passes (then `timedOut`).
        func nextLine(until deadline: Date) -> String? {
            while true {
                if let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    return line
                }
                let remaining = deadline.timeIntervalSinceNow
                if remaining <= 0 {
                    timedOut = true
                    return nil
                }
                var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000) + 1)
                if ready < 0 && errno == EINTR { continue }
                if ready <= 0 { continue }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return nil }
                buffer.append(contentsOf: chunk[..<count])
            }
        }
    }

#endif
