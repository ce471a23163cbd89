import Foundation
import TOMLKit

/// Reads a TOML document strictly: every key read is checked for type and range, every key not
/// read is reported as unknown, and each problem carries the file, line and dotted key.
public final class TOMLDocument {
    public let file: String
    let root: TOMLTable
    private let lines: [Substring]
    private(set) var issues: [ConfigIssue] = []

    /// Parses `text`; a syntax error is thrown with its line.
    public init(text: String, file: String) throws {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigErrors([
                ConfigIssue(
                    file: file, line: error.source.begin.line, key: "",
                    reason: "TOML syntax error: \(error.description)",
                    hint: "see https://toml.io for the syntax")
            ])
        }
    }

    /// Reads and parses the file at `path`.
    public convenience init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors([
                ConfigIssue(file: path, line: nil, key: "", reason: "cannot read the file", hint: "check the path and its permissions")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors([ConfigIssue(file: path, line: nil, key: "", reason: "not valid UTF-8")])
        }
        try self.init(text: text, file: path)
    }

    /// The root table.
    public var table: TableReader { TableReader(document: self, table: root, path: []) }

    func report(_ path: [String], _ reason: String, hint: String? = nil, arrayIndex: Int? = nil) {
        issues.append(
            ConfigIssue(file: file, line: line(of: path, arrayIndex: arrayIndex), key: path.joined(separator: "."), reason: reason, hint: hint))
    }

    /// Throws every problem reported so far, if any.
    public func finish() throws {
        if !issues.isEmpty { throw ConfigErrors(issues) }
    }

    /// Finds the line of a key by scanning the text: TOMLKit does not expose source positions
    /// of values. Handles `[a.b]` / `[[a]]` headers and `key = value` lines.
    func line(of path: [String], arrayIndex: Int? = nil) -> Int? {
        guard let key = path.last else { return nil }
        let tablePath = path.dropLast().joined(separator: ".")
        var currentTable = ""
        var arrayCount: [String: Int] = [:]
        var headerLine: Int?
        for (number, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[[") {
                let name = line.dropFirst(2).prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces)
                arrayCount[name, default: -1] += 1
                currentTable = "\(name).\(arrayCount[name]!)"
                if name == path.joined(separator: ".") && arrayCount[name] == arrayIndex { return number + 1 }
                continue
            }
            if line.hasPrefix("[") {
                currentTable = line.dropFirst().prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces)
                if currentTable == path.joined(separator: ".") { headerLine = number + 1 }
                continue
            }
            let expectedTable = arrayIndex.map { "\(tablePath).\($0)" } ?? tablePath
            guard currentTable == expectedTable, let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            if name == key { return number + 1 }
        }
        return headerLine
    }
}

/// A strict view of one table of a `TOMLDocument`.
public struct TableReader {
    let document: TOMLDocument
    let table: TOMLTable
    let path: [String]
    var arrayIndex: Int? = nil
    private let consumed = Consumed()

    init(document: TOMLDocument, table: TOMLTable, path: [String], arrayIndex: Int? = nil) {
        self.document = document
        self.table = table
        self.path = path
        self.arrayIndex = arrayIndex
    }

    private final class Consumed { var keys: Set<String> = [] }

    private func value(_ key: String) -> TOMLValueConvertible? {
        consumed.keys.insert(key)
        return table[key]
    }

    private func wrongType(_ key: String, _ expected: String, _ found: TOMLValueConvertible) {
        document.report(path + [key], "expected \(expected), found \(found.type)", arrayIndex: arrayIndex)
    }

    /// Reports a problem with `key` of this table.
    public func report(_ key: String, _ reason: String, hint: String? = nil) {
        document.report(path + [key], reason, hint: hint, arrayIndex: arrayIndex)
    }

    /// Whether the table has `key` at all.
    public func has(_ key: String) -> Bool { table[key] != nil }

    public func string(_ key: String, default fallback: String) -> String {
        guard let found = value(key) else { return fallback }
        guard let string = found.string else {
            wrongType(key, "a string", found)
            return fallback
        }
        return string
    }

    public func optionalString(_ key: String) -> String? {
        guard let found = value(key) else { return nil }
        guard let string = found.string else {
            wrongType(key, "a string", found)
            return nil
        }
        return string
    }

    /// A string that must be one of `allowed`.
    public func choice(_ key: String, default fallback: String, allowed: [String]) -> String {
        let chosen = string(key, default: fallback)
        if !allowed.contains(chosen) {
            report(key, "\"\(chosen)\" is not one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
            return fallback
        }
        return chosen
    }

    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let found = value(key) else { return fallback }
        guard let number = found.int else {
            wrongType(key, "an integer", found)
            return fallback
        }
        if !range.contains(number) {
            report(key, "\(number) is out of range", hint: "allowed: \(range.lowerBound)…\(range.upperBound)")
            return fallback
        }
        return number
    }

    /// A number (integer or decimal) within `range`.
    public func double(_ key: String, default fallback: Double, range: ClosedRange<Double>) -> Double {
        guard let found = value(key) else { return fallback }
        guard let number = found.double ?? found.int.map(Double.init) else {
            wrongType(key, "a number", found)
            return fallback
        }
        if !range.contains(number) {
            report(key, "\(number) is out of range", hint: "allowed: \(range.lowerBound)…\(range.upperBound)")
            return fallback
        }
        return number
    }

    public func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let found = value(key) else { return fallback }
        guard let flag = found.bool else {
            wrongType(key, "true or false", found)
            return fallback
        }
        return flag
    }

    public func strings(_ key: String, default fallback: [String] = []) -> [String] {
        guard let found = value(key) else { return fallback }
        guard let array = found.array else {
            wrongType(key, "an array of strings", found)
            return fallback
        }
        var result: [String] = []
        for element in array {
            guard let string = element.string else {
                wrongType(key, "an array of strings", element)
                return fallback
            }
            result.append(string)
        }
        return result
    }

    /// A sub-table; absent tables read as empty, so every key takes its default.
    public func table(_ key: String) -> TableReader {
        let found = value(key)
        if let found, let table = found.table {
            return TableReader(document: document, table: table, path: path + [key])
        }
        if let found { wrongType(key, "a table", found) }
        return TableReader(document: document, table: TOMLTable(), path: path + [key])
    }

    /// An array of tables (`[[key]]`).
    public func tables(_ key: String) -> [TableReader] {
        guard let found = value(key) else { return [] }
        guard let array = found.array else {
            wrongType(key, "an array of tables", found)
            return []
        }
        var result: [TableReader] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                wrongType(key, "an array of tables", element)
                continue
            }
            result.append(TableReader(document: document, table: table, path: path + [key], arrayIndex: index))
        }
        return result
    }

    /// Reports every key of this table that no reader asked for.
    public func rejectUnknownKeys() {
        for key in table.keys.sorted() where !consumed.keys.contains(key) {
            document.report(path + [key], "unknown key", hint: "check the spelling against the documented keys", arrayIndex: arrayIndex)
        }
    }
}
